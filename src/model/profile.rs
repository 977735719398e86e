//! A seccomp profile, and what it lets one container call.
//!
//! Docker, Podman and containerd read a profile's conditional rules against
//! the container they start (moby/profiles `seccomp/seccomp_linux.go`
//! `setupSeccomp`, copied by containers/common `pkg/seccomp`): a rule is
//! skipped when `excludes.arches` names the host's architecture, when any
//! capability in `excludes.caps` is in the container's bounding set, or when
//! the kernel is at least `excludes.minKernel`; it is skipped unless
//! `includes.arches` names the architecture, every capability in
//! `includes.caps` is in the bounding set, and the kernel is at least
//! `includes.minKernel`. A repository does not say which kernel or machine
//! will run it, so a rule counts when it applies on *some* supported machine:
//! `includes.minKernel` always holds (every kernel the engines support today
//! meets the versions profiles name), `excludes.minKernel` holds only when
//! it is above the oldest kernel Docker supports (3.10), and architecture
//! conditions are kept for the message. Capabilities are judged exactly.

use super::Value;
use crate::source::Location;

/// A seccomp profile document, read with positions.
#[derive(Debug)]
pub struct SeccompProfile {
    /// The whole document.
    pub at: Location,
    pub default_action: Value<Action>,
    pub rules: Vec<SyscallRule>,
    /// The engine's own default this document is, recognised by content.
    pub known_default: Option<&'static KnownDefault>,
}

/// An engine's default profile, one released version of it.
#[derive(Debug, PartialEq, Eq)]
pub struct KnownDefault {
    /// "Docker's", "Podman's (containers-common)", "containerd's".
    pub engine: &'static str,
    /// Which version: a release or the date of the commit.
    pub version: &'static str,
    /// Whether this is the profile Docker applies today (vendored).
    pub current_docker: bool,
}

/// One entry of a profile's `syscalls` list.
#[derive(Debug)]
pub struct SyscallRule {
    pub names: Vec<Value<String>>,
    pub action: Value<Action>,
    pub includes: Conditions,
    pub excludes: Conditions,
    /// Argument filters: with any, the rule lets only some calls through.
    pub args: Vec<ArgFilter>,
}

/// `includes` or `excludes` of a rule.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Conditions {
    /// `CAP_…` names as written (the engine compares them exactly).
    pub caps: Vec<String>,
    /// Architecture names as libseccomp spells them (`amd64`, `s390x`).
    pub arches: Vec<String>,
    /// `minKernel` as `(major, minor)`.
    pub min_kernel: Option<(u32, u32)>,
}

/// One `args` entry; values as written, for comparing rules.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ArgFilter {
    pub index: String,
    pub value: String,
    pub value_two: String,
    pub op: String,
}

/// The oldest kernel Docker supports: an `excludes.minKernel` at or below it
/// switches its rule off everywhere.
const OLDEST_KERNEL: (u32, u32) = (3, 10);

impl SyscallRule {
    /// Whether the engine keeps this rule for a container whose bounding
    /// set satisfies `has_cap`, on some supported machine.
    pub fn applies(&self, has_cap: &dyn Fn(&str) -> bool) -> bool {
        if self.excludes.caps.iter().any(|c| has_cap(c)) {
            return false;
        }
        if self.excludes.min_kernel.is_some_and(|k| k <= OLDEST_KERNEL) {
            return false;
        }
        self.includes.caps.iter().all(|c| has_cap(c))
    }

    /// The architectures the rule is limited to, if any (`includes.arches`).
    pub fn only_on(&self) -> &[String] {
        &self.includes.arches
    }
}

impl SeccompProfile {
    /// The same profile with every location moved to `source`, at the same
    /// offsets: for a profile read from a same-length rewrite of a file (an
    /// inline profile unescaped in place, see
    /// [`runtime`](crate::formats::runtime)), so that findings point into
    /// the file as it is.
    pub fn relocate(&mut self, source: &std::sync::Arc<crate::source::Source>) {
        fn moved<T>(v: &mut Value<T>, source: &std::sync::Arc<crate::source::Source>) {
            v.at.source = std::sync::Arc::clone(source);
            for u in &mut v.used_at {
                u.at.source = std::sync::Arc::clone(source);
            }
        }
        self.at.source = std::sync::Arc::clone(source);
        moved(&mut self.default_action, source);
        for rule in &mut self.rules {
            moved(&mut rule.action, source);
            rule.names.iter_mut().for_each(|n| moved(n, source));
        }
    }

    /// Every syscall name the profile lets through for a container whose
    /// bounding set satisfies `has_cap`, with the rule that does it: named
    /// by an applying rule whose action lets the call run, or — under a
    /// default action that lets calls run — not named by an applying rule
    /// that stops it (those are not listed: the caller sees the default).
    pub fn passages<'a>(&'a self, has_cap: &dyn Fn(&str) -> bool) -> Vec<Passage<'a>> {
        let mut out = Vec::new();
        for rule in &self.rules {
            if !rule.action.value.lets_through() || !rule.applies(has_cap) {
                continue;
            }
            for name in &rule.names {
                out.push(Passage { name, rule });
            }
        }
        out
    }
}

/// A syscall a profile lets through, and the rule that does.
#[derive(Debug, Clone, Copy)]
pub struct Passage<'a> {
    pub name: &'a Value<String>,
    pub rule: &'a SyscallRule,
}

impl Passage<'_> {
    /// Only some calls pass (argument filters).
    pub fn filtered(&self) -> bool {
        !self.rule.args.is_empty()
    }
}

/// A libseccomp action as OCI profiles spell it (`SCMP_ACT_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Allow,
    Log,
    Trace,
    Notify,
    Errno,
    Trap,
    Kill,
    KillProcess,
    KillThread,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        Some(match s {
            "SCMP_ACT_ALLOW" => Action::Allow,
            "SCMP_ACT_LOG" => Action::Log,
            "SCMP_ACT_TRACE" => Action::Trace,
            "SCMP_ACT_NOTIFY" => Action::Notify,
            "SCMP_ACT_ERRNO" => Action::Errno,
            "SCMP_ACT_TRAP" => Action::Trap,
            "SCMP_ACT_KILL" => Action::Kill,
            "SCMP_ACT_KILL_PROCESS" => Action::KillProcess,
            "SCMP_ACT_KILL_THREAD" => Action::KillThread,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "SCMP_ACT_ALLOW",
            Action::Log => "SCMP_ACT_LOG",
            Action::Trace => "SCMP_ACT_TRACE",
            Action::Notify => "SCMP_ACT_NOTIFY",
            Action::Errno => "SCMP_ACT_ERRNO",
            Action::Trap => "SCMP_ACT_TRAP",
            Action::Kill => "SCMP_ACT_KILL",
            Action::KillProcess => "SCMP_ACT_KILL_PROCESS",
            Action::KillThread => "SCMP_ACT_KILL_THREAD",
        }
    }

    /// Whether the syscall may run: LOG runs it and writes an audit line;
    /// TRACE hands it to a ptrace tracer and NOTIFY to a user-space
    /// listener, either of which may let it run — the filter no longer
    /// decides.
    pub fn lets_through(self) -> bool {
        matches!(
            self,
            Action::Allow | Action::Log | Action::Trace | Action::Notify
        )
    }
}
