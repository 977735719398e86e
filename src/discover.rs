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
//!
//! Ignore files say what is not the project's, but inside a git work tree
//! git has the last word: a file git tracks is scanned even where an ignore
//! file matches it ([`git_index`]), so that a pull request cannot hide a
//! Compose file from the scan by listing it in `.gitignore`. Untracked
//! files are scanned unless ignored, as before.
//!
//! Directories of third-party code (`vendor/`, `node_modules/`, …, see
//! [`vendored`]) below a given path are not scanned unless asked; their
//! files are counted for a notice.

mod git_index;
pub mod vendored;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use ignore::{WalkBuilder, WalkState};

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Do not honour ignore files (and so need no git index either).
    pub no_ignore: bool,
    /// Also walk vendored directories.
    pub include_vendored: bool,
}

/// A vendored directory that was not scanned, and how many files it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedVendored {
    pub dir: PathBuf,
    pub files: usize,
}

/// Calls `visit` for every candidate file under `paths`, from several
/// threads, and `on_error` for what cannot be walked (or a git index that
/// cannot be read). Returns the vendored directories left out. `visit`'s
/// flag says the file is known to be a regular file (the directory listing
/// said so), so that it can be opened without asking first; a path given
/// by name may be anything (a FIFO, whose open would block).
pub fn walk(
    paths: &[PathBuf],
    options: &Options,
    visit: &(dyn Fn(&Path, bool) + Sync),
    on_error: &(dyn Fn(PathBuf, ignore::Error) + Sync),
) -> Vec<SkippedVendored> {
    let mut dirs = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => dirs.push(path.clone()),
            // Explicit files, whatever their names and ignore rules say.
            Ok(_) => visit(&clean(path), false),
            Err(e) => on_error(path.clone(), ignore::Error::from(e)),
        }
    }
    if dirs.is_empty() {
        return Vec::new();
    }
    let tracked = if options.no_ignore {
        Tracked::default()
    } else {
        Tracked::under(&dirs, on_error)
    };
    let pruned: Arc<Mutex<Vec<PathBuf>>> = Arc::default();
    let mut builder = builder(&dirs, options.no_ignore);
    if !options.include_vendored {
        let pruned = Arc::clone(&pruned);
        builder.filter_entry(move |e| {
            if e.file_name() == ".git" {
                return false;
            }
            let vendored = e.depth() > 0
                && e.file_type().is_some_and(|t| t.is_dir())
                && vendored::is_vendored_dir(e.path(), e.depth());
            if vendored {
                pruned
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(e.path().to_path_buf());
            }
            !vendored
        });
    }
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            match entry {
                Ok(e) => {
                    if e.file_type().is_some_and(|t| t.is_file()) {
                        tracked.met(e.path());
                        visit(&clean(e.path()), true);
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
    let mut pruned = std::mem::take(&mut *pruned.lock().unwrap_or_else(|e| e.into_inner()));
    pruned.sort();
    // Tracked files the walk did not meet: an ignore file matched them (or
    // a directory above them). Vendored ones stay out like the rest.
    for path in tracked.unmet() {
        let vendored = !options.include_vendored
            && (pruned.iter().any(|d| path.starts_with(d)) || tracked.is_vendored(&path));
        if !vendored && std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            visit(&clean(&path), false);
        }
    }
    count_files(&pruned, options.no_ignore)
}

/// The walker with seccheck's settings, over `dirs`.
fn builder(dirs: &[PathBuf], no_ignore: bool) -> WalkBuilder {
    let mut builder = WalkBuilder::new(&dirs[0]);
    for d in &dirs[1..] {
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
    builder
}

/// How many files the walk would have met in each vendored directory: one
/// more walk over them, reading no file.
fn count_files(pruned: &[PathBuf], no_ignore: bool) -> Vec<SkippedVendored> {
    if pruned.is_empty() {
        return Vec::new();
    }
    let index: HashMap<&Path, usize> = pruned
        .iter()
        .enumerate()
        .map(|(i, d)| (d.as_path(), i))
        .collect();
    let counts: Vec<AtomicUsize> = pruned.iter().map(|_| AtomicUsize::new(0)).collect();
    builder(pruned, no_ignore).build_parallel().run(|| {
        Box::new(|entry| {
            if let Ok(e) = entry
                && e.file_type().is_some_and(|t| t.is_file())
                && let Some(i) = e.path().ancestors().find_map(|a| index.get(a))
            {
                counts[*i].fetch_add(1, Ordering::Relaxed);
            }
            WalkState::Continue
        })
    });
    pruned
        .iter()
        .zip(counts)
        .map(|(dir, n)| SkippedVendored {
            dir: clean(dir),
            files: n.into_inner(),
        })
        .filter(|s| s.files > 0)
        .collect()
}

/// The files git tracks below the walked directories, keyed by the path
/// the walker gives them (the directory as given, joined with the rest),
/// each with a flag set when the walk meets it.
#[derive(Default)]
struct Tracked {
    paths: HashMap<PathBuf, usize>,
    met: Vec<AtomicBool>,
    /// Per path: how many of its leading components are the walked
    /// directory (vendored names count only below it).
    root_len: Vec<usize>,
}

impl Tracked {
    fn under(dirs: &[PathBuf], on_error: &(dyn Fn(PathBuf, ignore::Error) + Sync)) -> Tracked {
        // Each walked directory's work tree, and its place there as a
        // `/`-terminated prefix; one index read per work tree.
        let mut by_tree: HashMap<PathBuf, Vec<(&PathBuf, Vec<u8>)>> = HashMap::new();
        for dir in dirs {
            let Ok(real) = dir.canonicalize() else {
                continue;
            };
            let Some(work_tree) = git_index::work_tree_of(&real) else {
                continue;
            };
            let Ok(inside) = real.strip_prefix(&work_tree) else {
                continue;
            };
            let mut prefix = Vec::new();
            for c in inside.components() {
                prefix.extend_from_slice(c.as_os_str().to_string_lossy().as_bytes());
                prefix.push(b'/');
            }
            by_tree.entry(work_tree).or_default().push((dir, prefix));
        }
        let mut tracked = Tracked::default();
        for (work_tree, walked) in by_tree {
            let under: Vec<Vec<u8>> = walked.iter().map(|(_, p)| p.clone()).collect();
            let files = match git_index::tracked_files(&work_tree, &under) {
                Ok(files) => files,
                Err(e) => {
                    on_error(work_tree.join(".git"), ignore::Error::from(io(e)));
                    continue;
                }
            };
            for (dir, prefix) in &walked {
                let root_len = dir.components().count();
                for file in files.iter().filter(|f| f.starts_with(prefix)) {
                    let path = dir.join(git_index::native(&file[prefix.len()..]));
                    let next = tracked.met.len();
                    if let std::collections::hash_map::Entry::Vacant(slot) =
                        tracked.paths.entry(path)
                    {
                        slot.insert(next);
                        tracked.met.push(AtomicBool::new(false));
                        tracked.root_len.push(root_len);
                    }
                }
            }
        }
        tracked
    }

    fn met(&self, path: &Path) {
        if let Some(&i) = self.paths.get(path) {
            self.met[i].store(true, Ordering::Relaxed);
        }
    }

    fn unmet(&self) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = self
            .paths
            .iter()
            .filter(|&(_, &i)| !self.met[i].load(Ordering::Relaxed))
            .map(|(p, _)| p.clone())
            .collect();
        out.sort();
        out
    }

    /// Whether a directory between the walked directory and the file is
    /// vendored (for files the walk never reached, so no directory of
    /// theirs was judged on the way).
    fn is_vendored(&self, path: &Path) -> bool {
        let Some(&i) = self.paths.get(path) else {
            return false;
        };
        let root_len = self.root_len[i];
        let dirs: Vec<&Path> = path.ancestors().skip(1).collect();
        // Ancestors from the file's directory up; those below the root
        // have more components than the root.
        dirs.iter()
            .filter(|d| d.components().count() > root_len)
            .any(|d| vendored::is_vendored_dir(d, d.components().count() - root_len))
    }
}

fn io(e: git_index::IndexError) -> std::io::Error {
    std::io::Error::other(e.to_string())
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
