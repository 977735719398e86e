//! Directories that hold someone else's code: skipped by default.
//!
//! Why: a Go `vendor/` copy of containers/common or buildah, a
//! `node_modules/` package's test fixtures, a virtualenv's site-packages all
//! hold Compose files, scripts and profiles that are not the user's
//! deployment. On 46 real repositories such copies made 26 of 29 noisy
//! findings. They are skipped with a notice counting their files, and read
//! with `--include-vendored` (or `include-vendored = true`).
//!
//! The names are the directory rules of GitHub Linguist's
//! `lib/linguist/vendor.yml` (github-linguist/linguist at b45dbe9b, 2026-08)
//! that mean "a copy of third-party code":
//! `(^|/)node_modules/`, `(^|/)bower_components/`, `(^|/)vendors?/`,
//! `(^|/)[Vv]+endor/`, `(3rd|[Tt]hird)[-_]?[Pp]arty/`,
//! `(^|/)[Ee]xtern(als?)?/`, `(^|/)Godeps/_workspace/`,
//! `(^|/)\.yarn/(releases|plugins|sdks|versions|unplugged)/`, `(^|/)_esy$`,
//! `(^|/)Carthage/`, `(^|/)xvba_modules/`, NuGet's
//! `(^|/)[Pp]ackages\/.+\.\d+\/`, and, at the top of the scanned tree only,
//! `^[Dd]ependencies/` and `^deps/`. A directory name must match as a whole:
//! `my-vendor-tools/` is the user's own. Python virtual environments, which
//! Linguist does not list, are recognised by name (`.venv`) and by the
//! `pyvenv.cfg` file every virtualenv and `venv` creates at its top.
//!
//! Linguist's other rules are left out on purpose: they serve language
//! statistics, not "is this someone else's code", and several name exactly
//! where deployments live — `.github/`, `Jenkinsfile`, `Vagrantfile`,
//! `.gitpod.Dockerfile`, `env/`, `dist/`, `cache/`, `debian/`, `testdata/`
//! and `tests/fixtures/` — or single library files (`jquery.js`) that hold
//! no container settings.

use std::ffi::OsStr;
use std::path::Path;

/// Whether the directory `path`, `depth` levels below a scanned root (1 is
/// a child of the root), holds vendored code. Only what is below a root
/// counts: a root the user named is read whatever its name.
pub fn is_vendored_dir(path: &Path, depth: usize) -> bool {
    let Some(name) = path.file_name().and_then(OsStr::to_str) else {
        return false;
    };
    let parent = path
        .parent()
        .and_then(Path::file_name)
        .and_then(OsStr::to_str)
        // The parent is itself below the root only from depth 2 on.
        .filter(|_| depth >= 2);
    is_vendored_name(name, parent, depth) || path.join("pyvenv.cfg").is_file()
}

/// The name rules alone (no file system access).
pub fn is_vendored_name(name: &str, parent: Option<&str>, depth: usize) -> bool {
    match name {
        "node_modules" | "bower_components" | "vendor" | "vendors" | "Vendor" | "extern"
        | "Extern" | "external" | "External" | "externals" | "Externals" | "_esy" | "Carthage"
        | "xvba_modules" | ".venv" => return true,
        "deps" | "dependencies" | "Dependencies" if depth == 1 => return true,
        _ => {}
    }
    if is_third_party(name) {
        return true;
    }
    match parent {
        Some("Godeps") => name == "_workspace",
        Some(".yarn") => matches!(
            name,
            "releases" | "plugins" | "sdks" | "versions" | "unplugged"
        ),
        // NuGet's packages folder: `packages/Newtonsoft.Json.13.0.1/`.
        Some("packages" | "Packages") => nuget_package(name),
        _ => false,
    }
}

/// `(3rd|[Tt]hird)[-_]?[Pp]arty` as a whole name: third_party, third-party,
/// thirdparty, ThirdParty, 3rdparty, 3rd_party, …
fn is_third_party(name: &str) -> bool {
    let rest = name
        .strip_prefix("3rd")
        .or_else(|| name.strip_prefix("third"))
        .or_else(|| name.strip_prefix("Third"));
    let Some(rest) = rest else {
        return false;
    };
    let rest = rest
        .strip_prefix('-')
        .or_else(|| rest.strip_prefix('_'))
        .unwrap_or(rest);
    matches!(rest, "party" | "Party")
}

/// `.+\.\d+`: a name, a dot, and digits at the end.
fn nuget_package(name: &str) -> bool {
    match name.rsplit_once('.') {
        Some((head, digits)) => {
            !head.is_empty() && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_vendored_name as v;

    #[test]
    fn linguist_directory_rules() {
        for name in [
            "vendor",
            "vendors",
            "Vendor",
            "node_modules",
            "bower_components",
            "third_party",
            "third-party",
            "thirdparty",
            "ThirdParty",
            "Third_Party",
            "3rdparty",
            "3rd-party",
            "3rd_Party",
            "extern",
            "External",
            "externals",
            ".venv",
            "Carthage",
            "_esy",
        ] {
            assert!(v(name, None, 3), "{name}");
        }
        assert!(v("_workspace", Some("Godeps"), 2));
        assert!(v("unplugged", Some(".yarn"), 2));
        assert!(v("Newtonsoft.Json.13.0.1", Some("packages"), 2));
        // Only at the top of the scanned tree.
        assert!(v("deps", None, 1));
        assert!(v("Dependencies", None, 1));
        assert!(!v("deps", Some("src"), 2));
    }

    #[test]
    fn look_alikes_are_the_users_own() {
        for name in [
            "vendoring",
            "my-vendor",
            "vendor.d",
            "thirdparty-configs",
            "party",
            "externally",
            "venv-tools",
            ".github",
            "env",
            "dist",
            "cache",
            "debian",
            "testdata",
            "fixtures",
            "charts",
            "node_module",
        ] {
            assert!(!v(name, None, 2), "{name}");
        }
        assert!(!v("_workspace", Some("src"), 2));
        assert!(!v("releases", None, 1));
        assert!(!v("releases", Some("deploy"), 2));
        assert!(!v("web.config", Some("packages"), 2));
        assert!(!v("v1.", Some("packages"), 2));
    }

    #[test]
    fn a_virtualenv_by_its_marker_file() {
        let dir = tempfile::tempdir().unwrap();
        let env = dir.path().join("py-env");
        std::fs::create_dir(&env).unwrap();
        assert!(!super::is_vendored_dir(&env, 1));
        std::fs::write(env.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        assert!(super::is_vendored_dir(&env, 1));
    }
}
