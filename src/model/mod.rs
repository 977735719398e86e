//! The shared vocabulary between formats and rules.
//!
//! A format module turns its syntax into these types; a rule reads only these
//! types. Every value carries the [`Location`] where it is written, so that a
//! rule never needs to know whether it came from YAML, HCL, JSON or a shell
//! line. Meaningful strings become enums here, once, at the edge
//! ([`Seccomp`], [`SecurityOpt`]); nothing downstream compares strings.

pub mod capability;
pub mod profile;
pub mod security_opt;

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

pub use capability::{Capabilities, Capability};
pub use profile::{Action, SeccompProfile, SyscallRule};
pub use security_opt::SecurityOpt;

use crate::diagnostic::Diagnostic;
use crate::source::Location;

/// A setting together with where it is written and where it is used.
#[derive(Debug, Clone)]
pub struct Value<T> {
    pub value: T,
    /// Where the value is written (for a YAML alias: the anchor's value).
    pub at: Location,
    /// Where it takes effect when that is elsewhere: the alias or merge key
    /// that brought it in, the `extends` that inherited it, the `.env` line
    /// an interpolation took it from.
    pub used_at: Vec<Use>,
}

/// A place that applies a value written elsewhere, and how it does; or a
/// condition under which the value applies at all.
#[derive(Debug, Clone)]
pub struct Use {
    pub at: Location,
    /// Completes "… {container}": "applied through this alias to". For a
    /// condition, the condition itself: "inside the template branch `…`".
    pub how: Cow<'static, str>,
    /// The value takes effect only when this condition holds (a template
    /// branch): the finding says so in its message, not only beside it.
    pub condition: bool,
}

impl Use {
    pub fn new(at: Location, how: &'static str) -> Use {
        Use {
            at,
            how: Cow::Borrowed(how),
            condition: false,
        }
    }

    /// A condition the value depends on, described by `how`.
    pub fn condition(at: Location, how: String) -> Use {
        Use {
            at,
            how: Cow::Owned(how),
            condition: true,
        }
    }
}

impl<T> Value<T> {
    pub fn new(value: T, at: Location) -> Self {
        Value {
            value,
            at,
            used_at: Vec::new(),
        }
    }
}

/// Which engine runs the container: it decides what "no profile" means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Docker, Podman and friends: no profile means the engine's default filter.
    Engine,
    /// Kubernetes: no profile means Unconfined (unless the kubelet defaults).
    Kubernetes,
}

/// A seccomp setting as the engine will apply it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seccomp {
    /// No filter at all.
    Unconfined,
    /// The runtime's default profile (Kubernetes `RuntimeDefault`).
    RuntimeDefault,
    /// A custom profile file: the path as written, and the directory a
    /// relative path resolves against.
    Profile { path: String, base: PathBuf },
    /// Kubernetes `Localhost`: a profile on the node, outside the repository.
    Localhost(String),
    /// Set by a template action (`{{ toYaml .Values.securityContext }}`):
    /// known only once the template is rendered, so neither unset nor any
    /// profile in particular.
    Templated,
    /// A profile given by its content rather than a path: what `docker
    /// inspect` shows, since the docker CLI sends the file's JSON to the
    /// daemon (`seccomp={…}`). Already read; judged like a resolved file.
    Inline(InlineProfile),
}

/// A profile written in place, compared by identity.
#[derive(Debug, Clone)]
pub struct InlineProfile(pub Arc<SeccompProfile>);

impl PartialEq for InlineProfile {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for InlineProfile {}

/// A container declaration in any format.
#[derive(Debug, Clone)]
pub struct Container {
    /// How messages name it: "service `db`", "`docker run` of nginx".
    pub name: String,
    pub platform: Platform,
    /// Where it is declared; findings with no value to mark point here.
    pub at: Location,
    /// The image it runs, when the declaration names one literally (an
    /// inventory lists it; no rule reads it).
    pub image: Option<Value<String>>,
    /// The format that declares it (`compose`, `kubernetes`, `shell`, …),
    /// stamped by [`formats::parse`](crate::formats::parse) for the
    /// inventory; no rule reads it.
    pub format: &'static str,
    /// The seccomp settings that take effect, in order (the format applies
    /// its own override rules before filling this in).
    pub seccomp: Vec<Value<Seccomp>>,
    /// Privileged mode, when written (also `false`).
    pub privileged: Option<Value<bool>>,
    /// `cap_add`/`cap_drop` as written (`--cap-add`, `capabilities.add`, …);
    /// [`Capabilities::effective`] applies the engine's rules.
    pub capabilities: Capabilities,
}

impl Container {
    pub fn new(name: impl Into<String>, platform: Platform, at: Location) -> Self {
        Container {
            name: name.into(),
            platform,
            at,
            image: None,
            format: "",
            seccomp: Vec::new(),
            privileged: None,
            capabilities: Capabilities::default(),
        }
    }
}

/// A container engine daemon's own configuration (`daemon.json`, `dockerd`).
#[derive(Debug, Clone)]
pub struct Daemon {
    pub name: String,
    pub at: Location,
    pub seccomp: Option<Value<Seccomp>>,
}

/// An image build that asks for BuildKit's `security.insecure` entitlement.
#[derive(Debug, Clone)]
pub struct InsecureBuild {
    pub name: String,
    /// The entitlement as written (`--security=insecure`, `security.insecure`).
    pub at: Location,
}

/// Everything one format module read from one file.
#[derive(Debug, Default)]
pub struct Parsed {
    pub containers: Vec<Container>,
    pub daemons: Vec<Daemon>,
    pub builds: Vec<InsecureBuild>,
    /// Comments the parser recognised, for suppressions.
    pub comments: Vec<Location>,
    pub diagnostics: Vec<Diagnostic>,
    /// The file itself, when it is a seccomp profile (judged on its own).
    pub profile: Option<Arc<SeccompProfile>>,
    /// Every `Seccomp::Profile` reference above, resolved after parsing
    /// (`scan` fills this in; rules never read files).
    pub profile_refs: Vec<ProfileRef>,
    /// The file's commands run from a directory it does not name (a shell
    /// script, a Markdown runbook): a relative profile path also counts
    /// when it resolves against the repository root.
    pub relative_to_root_too: bool,
    /// Files the script writes from here-documents, for the shell format
    /// to read as what their names make them.
    pub written: Vec<WrittenFile>,
}

/// A here-document a command writes to a file (`cat > compose.yaml
/// <<EOF`, `tee daemon.json <<'EOF'`) or hands to a reader of manifests
/// (`kubectl apply -f - <<EOF`).
#[derive(Debug, Clone)]
pub struct WrittenFile {
    /// The file as written in the command (`/etc/docker/daemon.json`), or
    /// a name of the format for a manifest reader (`kubectl.yaml`).
    pub target: String,
    /// The body, in the script's own text.
    pub body: crate::source::Span,
    /// An unquoted delimiter: the shell expands `$…` and `` `…` `` in it.
    pub expands: bool,
    /// `<<-`: leading tabs are stripped from each line.
    pub strip_tabs: bool,
}

/// How much of a [`Parsed`] existed before a construct was read, so that
/// what the construct added can be marked as inside it.
#[derive(Debug, Clone, Copy)]
pub struct Mark {
    containers: usize,
    daemons: usize,
    builds: usize,
}

impl Parsed {
    pub fn mark(&self) -> Mark {
        Mark {
            containers: self.containers.len(),
            daemons: self.daemons.len(),
            builds: self.builds.len(),
        }
    }

    /// Marks every value read since `mark` as inside the construct that
    /// starts at byte `start` (see [`Location::construct`]), for the
    /// suppression comments written above it.
    pub fn within(&mut self, mark: Mark, start: usize) {
        let inside = |at: &mut Location| *at = at.clone().within(start);
        for c in self.containers.iter_mut().skip(mark.containers) {
            inside(&mut c.at);
            c.seccomp.iter_mut().for_each(|v| inside(&mut v.at));
            if let Some(p) = &mut c.privileged {
                inside(&mut p.at);
            }
            let caps = &mut c.capabilities;
            caps.add
                .iter_mut()
                .chain(caps.drop.iter_mut())
                .for_each(|v| inside(&mut v.at));
        }
        for d in self.daemons.iter_mut().skip(mark.daemons) {
            inside(&mut d.at);
            if let Some(s) = &mut d.seccomp {
                inside(&mut s.at);
            }
        }
        for b in self.builds.iter_mut().skip(mark.builds) {
            inside(&mut b.at);
        }
    }
}

/// A `Seccomp::Profile` reference and what it resolved to.
#[derive(Debug)]
pub struct ProfileRef {
    /// The container (or daemon) that applies the profile.
    pub subject: String,
    /// The reference as written (`seccomp=./p.json`, `"seccomp-profile": …`).
    pub at: Location,
    /// The subject's bounding set, which the profile's conditional rules
    /// are judged against (Docker's defaults for a daemon's profile).
    pub capabilities: Vec<&'static str>,
    /// The path as written (a `Localhost` profile's name).
    pub written: String,
    /// The files tried, in order (a host path: the path on the host).
    pub tried: Vec<PathBuf>,
    /// A host path judged through the repository's copy at the same path
    /// below its root: that copy.
    pub host_copy: Option<PathBuf>,
    pub resolved: Result<Arc<SeccompProfile>, Unresolved>,
}

/// Why a profile reference leads nowhere usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unresolved {
    /// No file at any path tried.
    Missing,
    /// The path leads out of the repository, which is never read.
    OutsideRoot,
    /// Not a regular file: a directory (`true`), a FIFO, a device.
    NotAFile { directory: bool },
    /// Read, but not a profile the engine would load: why, and where.
    Invalid(String),
    /// A file on the machine that runs the container, with no copy in the
    /// repository: it cannot be judged from here.
    HostPath,
}

impl std::fmt::Display for Unresolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unresolved::Missing => f.write_str("the file does not exist"),
            Unresolved::OutsideRoot => f.write_str("the path leads outside the repository"),
            Unresolved::NotAFile { directory: true } => {
                f.write_str("the path is a directory, not a profile file")
            }
            Unresolved::NotAFile { directory: false } => {
                f.write_str("the path is not a regular file (a FIFO or a device?)")
            }
            Unresolved::Invalid(why) => write!(f, "not a valid seccomp profile: {why}"),
            Unresolved::HostPath => {
                f.write_str("a path on the host, which cannot be judged from this repository")
            }
        }
    }
}

impl Parsed {
    /// Moves every location to `source`, at the same offsets: for what was
    /// read from a same-length copy of that file (a here-document's body
    /// with the rest of the script blanked out), so that findings point
    /// into the file as it is.
    pub fn relocate(&mut self, source: &Arc<crate::source::Source>) {
        let moved = |at: &mut Location| at.source = Arc::clone(source);
        fn value<T>(v: &mut Value<T>, moved: &dyn Fn(&mut Location)) {
            moved(&mut v.at);
            v.used_at.iter_mut().for_each(|u| moved(&mut u.at));
        }
        for c in &mut self.containers {
            moved(&mut c.at);
            if let Some(i) = &mut c.image {
                value(i, &moved);
            }
            c.seccomp.iter_mut().for_each(|v| value(v, &moved));
            if let Some(p) = &mut c.privileged {
                value(p, &moved);
            }
            let caps = &mut c.capabilities;
            caps.add
                .iter_mut()
                .chain(caps.drop.iter_mut())
                .for_each(|v| value(v, &moved));
        }
        for d in &mut self.daemons {
            moved(&mut d.at);
            if let Some(s) = &mut d.seccomp {
                value(s, &moved);
            }
        }
        self.builds.iter_mut().for_each(|b| moved(&mut b.at));
        self.comments.iter_mut().for_each(moved);
        for d in &mut self.diagnostics {
            d.path = source.path.clone();
        }
        // A file's own profile is not shared before references resolve.
        if let Some(profile) = self.profile.as_mut().and_then(Arc::get_mut) {
            profile.relocate(source);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.containers.is_empty() && self.daemons.is_empty() && self.builds.is_empty()
    }
}
