//! Finding the files to scan.
//!
//! Uses the `ignore` crate (ripgrep's walker): `.gitignore`, `.ignore` and
//! git's excludes are honoured unless `--no-ignore`. Hidden directories are
//! walked, because `.github/` and `.devcontainer/` are exactly where container
//! settings live; `.git` itself is skipped. Symbolic links are never
//! followed, so a link cannot lead the scan out of its root (the file it
//! points to is scanned where it lives, if that is inside the tree).
//! Paths given explicitly are scanned whatever ignore files say: pre-commit
//! passes the staged file names.

use std::path::{Path, PathBuf};

use ignore::{WalkBuilder, WalkState};

/// Calls `visit` for every candidate file under `paths`, from several threads.
/// `visit` returns the walk errors it wants reported through `on_error`.
pub fn walk(
    paths: &[PathBuf],
    no_ignore: bool,
    visit: &(dyn Fn(&Path) + Sync),
    on_error: &(dyn Fn(PathBuf, ignore::Error) + Sync),
) {
    let mut dirs = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => dirs.push(path.clone()),
            // Explicit files, whatever their names and ignore rules say.
            Ok(_) => visit(&clean(path)),
            Err(e) => on_error(path.clone(), ignore::Error::from(e)),
        }
    }
    let Some((first, rest)) = dirs.split_first() else {
        return;
    };
    let mut builder = WalkBuilder::new(first);
    for d in rest {
        builder.add(d);
    }
    builder
        .hidden(false)
        .follow_links(false)
        .require_git(false)
        .git_ignore(!no_ignore)
        .git_global(!no_ignore)
        .git_exclude(!no_ignore)
        .ignore(!no_ignore)
        .parents(!no_ignore)
        .filter_entry(|e| e.file_name() != ".git");
    builder.build_parallel().run(|| {
        Box::new(move |entry| {
            match entry {
                Ok(e) => {
                    if e.file_type().is_some_and(|t| t.is_file()) {
                        visit(&clean(e.path()));
                    }
                }
                Err(err) => {
                    let path = error_path(&err).unwrap_or_default();
                    on_error(path, err);
                }
            }
            WalkState::Continue
        })
    });
}

/// `./a/b` → `a/b`: paths are shown, and put in SARIF, as users write them.
fn clean(path: &Path) -> PathBuf {
    path.strip_prefix(".")
        .ok()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(path)
        .to_path_buf()
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}
