//! Docker's `--security-opt` / `security_opt` syntax, parsed once for every format.
//!
//! Docker (CLI `parseSecurityOpts`, daemon `parseSecurityOpt`, Compose passing
//! the list through) splits an option on the first `=`, and only when there is
//! none on the first `:`; it then compares the key with `seccomp` and the value
//! with `unconfined` exactly. So `seccomp=Unconfined` names a profile file,
//! and `label:seccomp:unconfined` is an SELinux label option. Keeping this in
//! one place is what lets every format agree with the engine.

/// What one security option means for seccomp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityOpt<'a> {
    /// `seccomp=unconfined` / `seccomp:unconfined`: no filter at all.
    SeccompUnconfined,
    /// `seccomp=PATH` / `seccomp:PATH`: a custom profile file (also `builtin`,
    /// which Docker treats as the default profile).
    SeccompProfile(&'a str),
    /// Anything else (`apparmor=…`, `label=…`, `no-new-privileges`, …).
    Other,
}

impl<'a> SecurityOpt<'a> {
    pub fn parse(opt: &'a str) -> SecurityOpt<'a> {
        let split = opt.split_once('=').or_else(|| opt.split_once(':'));
        match split {
            Some(("seccomp", "unconfined")) => SecurityOpt::SeccompUnconfined,
            Some(("seccomp", path)) => SecurityOpt::SeccompProfile(path),
            _ => SecurityOpt::Other,
        }
    }

    /// The seccomp setting the option gives a container, a profile path to
    /// be resolved from `base` (where its engine resolves it); `None` for
    /// options that are not about seccomp.
    pub fn seccomp(&self, base: &std::path::Path) -> Option<super::Seccomp> {
        match self {
            SecurityOpt::SeccompUnconfined => Some(super::Seccomp::Unconfined),
            SecurityOpt::SeccompProfile(path) => Some(super::Seccomp::Profile {
                path: path.to_string(),
                base: base.to_path_buf(),
            }),
            SecurityOpt::Other => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SecurityOpt::{self, *};

    #[test]
    fn splits_like_docker() {
        assert_eq!(SecurityOpt::parse("seccomp=unconfined"), SeccompUnconfined);
        assert_eq!(SecurityOpt::parse("seccomp:unconfined"), SeccompUnconfined);
        assert_eq!(
            SecurityOpt::parse("seccomp=Unconfined"),
            SeccompProfile("Unconfined")
        );
        assert_eq!(
            SecurityOpt::parse("seccomp:./p.json"),
            SeccompProfile("./p.json")
        );
        // First `=` wins over an earlier `:`.
        assert_eq!(SecurityOpt::parse("seccomp:x=unconfined"), Other);
        assert_eq!(SecurityOpt::parse("label:seccomp:unconfined"), Other);
        assert_eq!(SecurityOpt::parse("apparmor:unconfined"), Other);
        assert_eq!(SecurityOpt::parse("no-new-privileges"), Other);
        assert_eq!(SecurityOpt::parse("systempaths=unconfined"), Other);
        assert_eq!(SecurityOpt::parse(" seccomp=unconfined"), Other);
    }
}
