//! One module per output format, all fed the same [`ScanResult`].

pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod sarif;

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::scan::ScanResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style report for a terminal (the default)
    Human,
    /// SARIF 2.1.0 for GitHub code scanning
    Sarif,
    /// seccheck's own JSON (schema `seccheck-json-v1`)
    Json,
    /// GitHub Actions workflow commands (annotations on the diff)
    Github,
    /// GitLab Code Quality JSON (`artifacts:reports:codequality`)
    Gitlab,
}

/// What every reporter needs to know besides the findings.
#[derive(Debug, Clone)]
pub struct Context {
    /// The working directory: paths shown to people are relative to it.
    pub cwd: PathBuf,
    /// The directory SARIF URIs, annotations and fingerprints are relative
    /// to (`%SRCROOT%`): `--srcroot`, else the git work tree of the scanned
    /// paths, else the working directory. Absolute and free of symlinks.
    pub srcroot: PathBuf,
    /// SARIF `automationDetails` category, only when asked for.
    pub category: Option<String>,
    /// Colour in the human report.
    pub color: bool,
}

impl Context {
    /// Paths relative to `cwd`, which is also the source root.
    pub fn new(cwd: PathBuf) -> Context {
        Context {
            srcroot: cwd.clone(),
            cwd,
            category: None,
            color: false,
        }
    }

    /// `path` relative to the working directory, with `/` separators and no
    /// `.` segments, as people and editors expect.
    pub fn relative(&self, path: &Path) -> String {
        let rel = if path.is_absolute() {
            path.strip_prefix(&self.cwd).unwrap_or(path)
        } else {
            path
        };
        slashed(rel)
    }

    /// `path` relative to the source root (`Ok`, with `/` separators), or
    /// its absolute form when it lies outside (`Err`). A path that reaches
    /// the root only through a symlink is resolved first.
    pub fn under_root(&self, path: &Path) -> Result<String, String> {
        let absolute = crate::read::normalize(&self.cwd.join(path));
        if let Ok(rel) = absolute.strip_prefix(&self.srcroot) {
            return Ok(slashed(rel));
        }
        match absolute.canonicalize() {
            Ok(real) if real.starts_with(&self.srcroot) => {
                Ok(slashed(real.strip_prefix(&self.srcroot).unwrap_or(&real)))
            }
            _ => Err(slashed(&absolute)),
        }
    }

    /// The path for annotations and fingerprints: relative to the source
    /// root when inside it, else absolute.
    pub fn repo_path(&self, path: &Path) -> String {
        self.under_root(path).unwrap_or_else(|abs| abs)
    }
}

/// Components joined with `/`, without `.` segments (an absolute path keeps
/// its leading `/`).
fn slashed(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            Component::CurDir => None,
            Component::RootDir => Some(String::new()),
            other => Some(other.as_os_str().to_string_lossy().into_owned()),
        })
        .collect();
    parts.join("/")
}

/// The directory SARIF URIs are relative to: `explicit` (`--srcroot`), else
/// the git work tree holding every scanned path (the nearest ancestor with
/// a `.git` directory or file, which is what a worktree or submodule has),
/// else the working directory when it holds every scanned path, else the
/// deepest directory that does (a scan of `/elsewhere/checkout` from `~`).
///
/// The last step goes beyond "the working directory": a file outside the
/// root can only be an absolute `file://` URI, which GitHub maps only under
/// the checkout path and `validate-sarif --strict` refuses (it leaks a
/// machine path). Only an explicit `--srcroot` that leaves files outside
/// still gives absolute URIs: the user chose that root.
pub fn source_root(explicit: Option<&Path>, scanned: &[PathBuf], cwd: &Path) -> PathBuf {
    if let Some(dir) = explicit {
        return dir.canonicalize().unwrap_or_else(|_| cwd.join(dir));
    }
    let work_tree = |p: &Path| -> Option<PathBuf> {
        let real = p.canonicalize().ok()?;
        real.ancestors()
            .find(|a| a.join(".git").exists())
            .map(Path::to_path_buf)
    };
    let mut trees = scanned.iter().map(|p| work_tree(p));
    if let Some(first) = trees.next().flatten()
        && trees.all(|t| t.as_ref() == Some(&first))
    {
        return first;
    }
    let dirs: Vec<PathBuf> = scanned
        .iter()
        .filter_map(|p| {
            let real = cwd.join(p).canonicalize().ok()?;
            Some(if real.is_dir() {
                real
            } else {
                real.parent()?.to_path_buf()
            })
        })
        .collect();
    let here = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    if dirs.iter().all(|d| d.starts_with(&here)) {
        return cwd.to_path_buf();
    }
    let mut common = dirs[0].clone();
    for d in &dirs[1..] {
        while !d.starts_with(&common) && common.pop() {}
    }
    common
}

/// A finding's region without the line break its span may end with, so
/// that an end never lies past the end of its line or of the file (a YAML
/// block's span runs on to the next key).
pub fn region(loc: &crate::source::Location) -> (crate::source::Position, crate::source::Position) {
    let text = &loc.source.text;
    let start = loc.span.start.min(text.len());
    let mut end = loc.span.end.clamp(start, text.len());
    while end > start && matches!(text.as_bytes()[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    (loc.source.position(start), loc.source.position(end))
}

pub fn write(
    format: Format,
    out: &mut dyn Write,
    result: &ScanResult,
    ctx: &Context,
) -> std::io::Result<()> {
    match format {
        Format::Human => human::write(out, result, ctx),
        Format::Sarif => sarif::write(out, result, ctx),
        Format::Json => json::write(out, result, ctx),
        Format::Github => github::write(out, result, ctx),
        Format::Gitlab => gitlab::write(out, result, ctx),
    }
}
