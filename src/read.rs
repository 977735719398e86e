//! Reading files safely: size limit, binary detection, UTF-8, and a fence
//! around the repository.
//!
//! Formats read more than the file they were given (`.env` beside a Compose
//! file, the target of `extends: file:` or `include:`, a seccomp profile).
//! Those reads go through [`Reader`], fenced to the repository that holds
//! the scanned paths — the git work tree around them (the nearest directory
//! with a `.git` entry: a directory, or a file for worktrees and
//! submodules), else the working directory when they lie inside it, else
//! the scanned directory itself. Scanning `deploy/` still follows
//! `../seccomp/x.json` inside the repository; nothing outside it is read,
//! through `..` or a symlink.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::Problem;
use crate::source::{LineIndex, Source};

/// Files larger than this are skipped with a notice (real manifests are KBs).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Reader {
    /// Canonical roots the scan may read inside.
    roots: Vec<PathBuf>,
    pub max_file_size: u64,
}

impl Reader {
    pub fn new(roots: &[PathBuf], max_file_size: u64) -> Reader {
        // A name that does not exist (`scan - --stdin-filename PATH`) is
        // fenced like a file in its nearest existing directory.
        let cwd = std::env::current_dir().and_then(|d| d.canonicalize()).ok();
        let mut fences: Vec<PathBuf> = Vec::new();
        for r in roots {
            let dir = match r.canonicalize() {
                Ok(r) if r.is_dir() => r,
                Ok(r) => match r.parent() {
                    Some(p) => p.to_path_buf(),
                    None => continue,
                },
                Err(_) => match nearest_existing_dir(r) {
                    Some(d) => d,
                    None => continue,
                },
            };
            let fence = match work_tree(&dir) {
                Some(tree) => tree,
                None => match &cwd {
                    Some(cwd) if dir.starts_with(cwd) => cwd.clone(),
                    _ => dir,
                },
            };
            if !fences.contains(&fence) {
                fences.push(fence);
            }
        }
        Reader {
            roots: fences,
            max_file_size,
        }
    }

    /// The repository (fence) that holds `path`, when one does: for a file
    /// that does not exist, judged by its absolute path as written.
    pub fn repository_of(&self, path: &Path) -> Option<&Path> {
        let real = path.canonicalize().ok().or_else(|| {
            let abs = std::env::current_dir().ok()?.join(path);
            Some(normalize(&abs))
        })?;
        self.roots
            .iter()
            .filter(|r| real.starts_with(r))
            .max_by_key(|r| r.components().count())
            .map(PathBuf::as_path)
    }

    /// Every repository the scan reads inside.
    pub fn repositories(&self) -> &[PathBuf] {
        &self.roots
    }

    /// Whether `path` (after resolving symlinks) lies inside a scanned root.
    pub fn is_inside(&self, path: &Path) -> bool {
        match path.canonicalize() {
            Ok(real) => self.roots.iter().any(|r| real.starts_with(r)),
            Err(_) => false,
        }
    }

    /// Reads a file that a scanned file refers to; refuses anything outside
    /// the scanned roots.
    pub fn read_referenced(&self, path: &Path) -> Result<Arc<Source>, Problem> {
        if !self.is_inside(path) {
            return Err(Problem::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "outside the scanned tree",
            )));
        }
        self.read(&normalize(path))
    }

    /// Reads one file as text with the size and binary checks.
    pub fn read(&self, path: &Path) -> Result<Arc<Source>, Problem> {
        self.decode(path, self.read_bytes(path)?)
    }

    /// A regular file's bytes, refused before reading when it is over the
    /// size limit. Asked first, then opened: the open would block on a
    /// FIFO.
    pub fn read_bytes(&self, path: &Path) -> Result<Vec<u8>, Problem> {
        let meta = std::fs::metadata(path)?;
        self.readable(&meta)?;
        self.read_sized(std::fs::File::open(path)?, meta.len())
    }

    /// [`Self::read_bytes`] of a file the directory listing says is a
    /// regular file: opened at once and sized from the open file, one path
    /// lookup instead of two (a few per cent of a scan). Should it have
    /// become something else since it was listed, it is refused.
    pub fn read_regular(&self, path: &Path) -> Result<Vec<u8>, Problem> {
        let file = std::fs::File::open(path)?;
        let meta = file.metadata()?;
        self.readable(&meta)?;
        self.read_sized(file, meta.len())
    }

    fn readable(&self, meta: &std::fs::Metadata) -> Result<(), Problem> {
        if !meta.is_file() {
            return Err(Problem::Io(std::io::Error::other("not a regular file")));
        }
        if meta.len() > self.max_file_size {
            return Err(Problem::TooLarge {
                size: meta.len(),
                limit: self.max_file_size,
            });
        }
        Ok(())
    }

    /// Not `fs::read`, which asks the size again (a `statx` per file).
    fn read_sized(&self, mut file: std::fs::File, len: u64) -> Result<Vec<u8>, Problem> {
        let mut bytes = Vec::with_capacity(len as usize + 1);
        std::io::Read::read_to_end(&mut file, &mut bytes)?;
        Ok(bytes)
    }

    /// Bytes from anywhere (a file, standard input) as the text of `path`:
    /// the size, binary and UTF-8 checks.
    pub fn decode(&self, path: &Path, bytes: Vec<u8>) -> Result<Arc<Source>, Problem> {
        if bytes.len() as u64 > self.max_file_size {
            return Err(Problem::TooLarge {
                size: bytes.len() as u64,
                limit: self.max_file_size,
            });
        }
        if memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
            return Err(Problem::Binary);
        }
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let offset = e.utf8_error().valid_up_to();
                let valid = String::from_utf8_lossy(&e.as_bytes()[..offset]);
                let lines = LineIndex::new(&valid);
                return Err(Problem::NotUtf8 {
                    offset,
                    position: lines.position(&valid, offset),
                    char_column: lines.char_position(&valid, offset).column,
                });
            }
        };
        Ok(Source::new(path, text))
    }
}

/// The canonical form of the closest ancestor of `path` that exists.
fn nearest_existing_dir(path: &Path) -> Option<PathBuf> {
    let absolute = std::env::current_dir().ok()?.join(path);
    absolute
        .ancestors()
        .skip(1)
        .find_map(|a| a.canonicalize().ok())
}

/// The git work tree around `dir`: the nearest directory, `dir` itself
/// included, that holds a `.git` entry.
fn work_tree(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").symlink_metadata().is_ok())
        .map(Path::to_path_buf)
}

/// `app/../common/./base.yml` → `common/base.yml`, without touching the file
/// system: a referenced file must carry the same path as when it is scanned
/// directly, so that its findings merge and its URI is normalised.
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            other => out.push(other),
        }
    }
    out.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::normalize;
    use std::path::Path;

    #[test]
    fn normalizes_lexically() {
        assert_eq!(
            normalize(Path::new("app/../common/./base.yml")),
            Path::new("common/base.yml")
        );
        assert_eq!(normalize(Path::new("../x/../y")), Path::new("../y"));
        assert_eq!(normalize(Path::new("/a/../../b")), Path::new("/b"));
    }
}
