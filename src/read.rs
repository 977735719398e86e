//! Reading files safely: size limit, binary detection, UTF-8, and a fence
//! around the scanned root.
//!
//! Formats read more than the file they were given (`.env` beside a Compose
//! file, the target of `extends: file:`, a seccomp profile). Those reads go
//! through [`Reader`] so that no reference can pull in a file outside the
//! scanned tree, through `..` or a symlink.

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
        // A file given by name (pre-commit passes staged files) may refer to
        // its neighbours in the repository: its fence is the working
        // directory when it lies inside it, else its own directory. A name
        // that does not exist (`scan - --stdin-filename PATH`) is fenced
        // like a file in its nearest existing directory.
        let cwd = std::env::current_dir().and_then(|d| d.canonicalize()).ok();
        let roots = roots
            .iter()
            .filter_map(|r| {
                let (r, is_dir) = match r.canonicalize() {
                    Ok(r) => {
                        let is_dir = !r.is_file();
                        (r, is_dir)
                    }
                    Err(_) => (nearest_existing_dir(r)?, false),
                };
                if is_dir {
                    return Some(r);
                }
                match &cwd {
                    Some(cwd) if r.starts_with(cwd) => Some(cwd.clone()),
                    _ if r.is_dir() => Some(r),
                    _ => r.parent().map(Path::to_path_buf),
                }
            })
            .collect();
        Reader {
            roots,
            max_file_size,
        }
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
    /// size limit.
    pub fn read_bytes(&self, path: &Path) -> Result<Vec<u8>, Problem> {
        let meta = std::fs::metadata(path)?;
        if !meta.is_file() {
            return Err(Problem::Io(std::io::Error::other("not a regular file")));
        }
        if meta.len() > self.max_file_size {
            return Err(Problem::TooLarge {
                size: meta.len(),
                limit: self.max_file_size,
            });
        }
        Ok(std::fs::read(path)?)
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
