//! Records the git commit seccheck is built from, so that `--version` and
//! SARIF's `tool.driver.version` can say exactly which code produced a
//! report (a bug report, a code-scanning alert).
//!
//! The commit comes from, first match wins:
//! 1. `SECCHECK_COMMIT` in the environment, for packagers who build from a
//!    tarball and know the commit;
//! 2. `.cargo_vcs_info.json`, which `cargo package` writes into every crate it
//!    publishes (`{"git": {"sha1": …}}`), so `cargo install seccheck` from
//!    crates.io knows its commit without git or a `.git` directory;
//! 3. `git rev-parse HEAD`, but only when the git work tree is this very
//!    directory: a crate unpacked somewhere inside another repository must
//!    not claim that repository's commit.
//!
//! Otherwise the version stands alone. `SECCHECK_VERSION` is what the code
//! reads: `0.1.0 (commit 0123…)` or `0.1.0`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SECCHECK_COMMIT");
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = from_env()
        .or_else(|| from_vcs_info(&dir))
        .or_else(|| from_git(&dir));
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let long = match &commit {
        Some(sha) => format!("{version} (commit {sha})"),
        None => version,
    };
    println!("cargo:rustc-env=SECCHECK_VERSION={long}");
}

fn from_env() -> Option<String> {
    std::env::var("SECCHECK_COMMIT").ok().filter(|c| is_sha(c))
}

fn from_vcs_info(dir: &Path) -> Option<String> {
    let path = dir.join(".cargo_vcs_info.json");
    let text = std::fs::read_to_string(&path).ok()?;
    println!("cargo:rerun-if-changed={}", path.display());
    // A file cargo itself writes in one fixed shape: the first 40-hex string
    // after `"sha1"` is the commit; no JSON parser needed at build time.
    let rest = &text[text.find("\"sha1\"")? + 6..];
    let start = rest.find('"')? + 1;
    let sha = rest.get(start..start + 40)?;
    is_sha(sha).then(|| sha.to_string())
}

fn from_git(dir: &Path) -> Option<String> {
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .ok()?;
        let text = String::from_utf8(out.stdout).ok()?;
        out.status.success().then(|| text.trim().to_string())
    };
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?);
    if top.canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    let sha = git(&["rev-parse", "HEAD"]).filter(|s| is_sha(s))?;
    // Rebuild when this checkout's commit moves: its HEAD, and the branch ref
    // HEAD points to (loose, or in packed-refs). Only these files, so that
    // commits on other branches or worktrees do not rebuild this one.
    let mut watch = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watch.push(branch);
    }
    for name in watch {
        if let Some(path) = git(&["rev-parse", "--git-path", &name]) {
            let path = dir.join(path);
            // A watched file that does not exist would rerun this script on
            // every build.
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    Some(sha)
}

fn is_sha(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}
