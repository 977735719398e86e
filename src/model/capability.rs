//! Linux capabilities as container engines read `cap_add`/`cap_drop`, and the
//! bounding set a container ends up with.
//!
//! Every engine upper-cases a name and adds `CAP_` when it is missing
//! (moby `daemon/pkg/oci/caps` `NormalizeLegacyCapabilities`, docker/cli
//! `opts.CapabilitiesMap`, CRI-O `toCAPPrefixed`); `ALL` is compared case
//! insensitively. containerd's CRI plugin always prepends `CAP_`
//! (`internal/cri/opts/spec_opts.go` `WithCapabilities`), so there a
//! Kubernetes `CAP_SYS_ADMIN` names nothing; CRI-O accepts it, and a static
//! scan cannot tell the runtime, so it counts.
//!
//! The engines disagree on how additions and drops combine, and this module
//! follows each:
//! - Docker (`TweakCapabilities`): `ALL` added → every capability except the
//!   dropped ones; else `ALL` dropped → exactly the added ones; else the
//!   defaults minus the dropped plus the added — an addition wins over a
//!   drop of the same capability (docker/cli `EffectiveCapAddCapDrop` says
//!   so too). Podman refuses a capability both added and dropped; it is
//!   judged as Docker judges it.
//! - Kubernetes through CRI (containerd `WithCapabilities`, CRI-O
//!   `setupCapabilities`): `ALL` added, then `ALL` dropped, then each added
//!   capability, then each dropped one — so a drop wins.

use std::collections::BTreeMap;

use super::{Platform, Value};

/// One entry of a `cap_add`/`cap_drop` list, normalised as the engine does.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Capability {
    /// `ALL`, in any case.
    All,
    /// Upper case with the `CAP_` prefix: `sys_admin` → `CAP_SYS_ADMIN`.
    Named(String),
}

impl Capability {
    /// `None` for what no engine reads as a capability (empty, or not a
    /// word of letters, digits and `_`).
    pub fn parse(text: &str) -> Option<Capability> {
        let text = text.trim();
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return None;
        }
        let upper = text.to_ascii_uppercase();
        if upper == "ALL" {
            return Some(Capability::All);
        }
        Some(Capability::Named(if upper.starts_with("CAP_") {
            upper
        } else {
            format!("CAP_{upper}")
        }))
    }

    /// The kernel's name, when it is one the kernel knows.
    pub fn known(&self) -> Option<&'static str> {
        match self {
            Capability::All => None,
            Capability::Named(n) => KNOWN.iter().copied().find(|k| k == n),
        }
    }
}

/// Every capability of `linux/capability.h` (0 … 40).
pub const KNOWN: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

/// The capabilities Docker gives every container (moby
/// `daemon/pkg/oci/caps/defaults.go`); containerd's CRI plugin starts from
/// the same list. Podman and CRI-O start from fewer, all of them here.
pub const DEFAULT: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
];

/// A container's `cap_add` and `cap_drop` entries, as written.
#[derive(Debug, Clone, Default)]
pub struct Capabilities {
    pub add: Vec<Value<Capability>>,
    pub drop: Vec<Value<Capability>>,
}

impl Capabilities {
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.drop.is_empty()
    }

    /// The container's bounding set: each capability with the entry that
    /// added it (`None` for one it holds by default).
    pub fn effective(
        &self,
        platform: Platform,
    ) -> BTreeMap<&'static str, Option<&Value<Capability>>> {
        let added = |name: &str| {
            self.add
                .iter()
                .find(|v| v.value.known() == Some(name))
                .or_else(|| self.add.iter().find(|v| v.value == Capability::All))
        };
        let has = |list: &[Value<Capability>], c: &Capability| list.iter().any(|v| &v.value == c);
        let dropped = |name: &str| self.drop.iter().any(|v| v.value.known() == Some(name));
        let named_adds = || self.add.iter().filter_map(|v| v.value.known());
        let mut set: Vec<&'static str> = match platform {
            Platform::Engine => {
                if has(&self.add, &Capability::All) {
                    KNOWN.iter().copied().filter(|c| !dropped(c)).collect()
                } else if has(&self.drop, &Capability::All) {
                    named_adds().collect()
                } else {
                    DEFAULT
                        .iter()
                        .copied()
                        .filter(|c| !dropped(c))
                        .chain(named_adds())
                        .collect()
                }
            }
            Platform::Kubernetes => {
                let mut set: Vec<&'static str> = if has(&self.add, &Capability::All) {
                    KNOWN.to_vec()
                } else {
                    DEFAULT.to_vec()
                };
                if has(&self.drop, &Capability::All) {
                    set.clear();
                }
                set.extend(named_adds());
                set.retain(|c| !dropped(c));
                set
            }
        };
        set.sort_unstable();
        set.dedup();
        set.into_iter()
            .map(|c| (c, if DEFAULT.contains(&c) { None } else { added(c) }))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Location, Source, Span};

    fn caps(add: &[&str], drop: &[&str]) -> Capabilities {
        let source = Source::new("t", "");
        let v = |s: &&str| {
            Value::new(
                Capability::parse(s).unwrap(),
                Location::new(&source, Span::new(0, 0)),
            )
        };
        Capabilities {
            add: add.iter().map(v).collect(),
            drop: drop.iter().map(v).collect(),
        }
    }

    fn beyond_default(c: &Capabilities, p: Platform) -> Vec<&'static str> {
        c.effective(p)
            .into_iter()
            .filter(|(_, by)| by.is_some())
            .map(|(c, _)| c)
            .collect()
    }

    #[test]
    fn names_normalise_like_the_engines() {
        assert_eq!(
            Capability::parse("sys_admin"),
            Some(Capability::Named("CAP_SYS_ADMIN".into()))
        );
        assert_eq!(
            Capability::parse(" CAP_Sys_Admin "),
            Some(Capability::Named("CAP_SYS_ADMIN".into()))
        );
        assert_eq!(Capability::parse("all"), Some(Capability::All));
        assert_eq!(Capability::parse("$CAPS"), None);
        assert_eq!(Capability::parse("NOPE").unwrap().known(), None);
    }

    #[test]
    fn docker_lets_an_addition_win() {
        let c = caps(&["SYS_ADMIN"], &["SYS_ADMIN"]);
        assert_eq!(beyond_default(&c, Platform::Engine), ["CAP_SYS_ADMIN"]);
        // Kubernetes drops after adding.
        assert!(beyond_default(&c, Platform::Kubernetes).is_empty());
    }

    #[test]
    fn all_added_or_dropped() {
        let c = caps(&["ALL"], &["SYS_ADMIN"]);
        let e = c.effective(Platform::Engine);
        assert!(!e.contains_key("CAP_SYS_ADMIN"));
        assert!(e.contains_key("CAP_SYS_MODULE"));
        assert_eq!(e.len(), KNOWN.len() - 1);
        let c = caps(&["NET_BIND_SERVICE"], &["all"]);
        assert_eq!(c.effective(Platform::Engine).len(), 1);
        assert!(beyond_default(&c, Platform::Engine).is_empty());
        let c = caps(&["sys_ptrace"], &["ALL"]);
        assert_eq!(beyond_default(&c, Platform::Kubernetes), ["CAP_SYS_PTRACE"]);
        // Kubernetes: ALL added, then ALL dropped.
        let c = caps(&["ALL"], &["ALL"]);
        assert!(c.effective(Platform::Kubernetes).is_empty());
        assert_eq!(c.effective(Platform::Engine).len(), KNOWN.len());
    }
}
