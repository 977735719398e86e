//! One module per output format, all fed the same [`ScanResult`].

pub mod github;
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
}

/// What every reporter needs to know besides the findings.
#[derive(Debug, Clone)]
pub struct Context {
    /// The directory URIs are made relative to (the repository root in CI).
    pub cwd: PathBuf,
    /// SARIF `automationDetails` category, only when asked for.
    pub category: Option<String>,
    /// Colour in the human report.
    pub color: bool,
}

impl Context {
    /// `path` relative to the working directory, with `/` separators and no
    /// `.` segments, as SARIF consumers and editors expect.
    pub fn relative(&self, path: &Path) -> String {
        let rel = if path.is_absolute() {
            path.strip_prefix(&self.cwd).unwrap_or(path)
        } else {
            path
        };
        let parts: Vec<String> = rel
            .components()
            .filter_map(|c| match c {
                Component::CurDir => None,
                Component::RootDir => Some(String::new()),
                other => Some(other.as_os_str().to_string_lossy().into_owned()),
            })
            .collect();
        parts.join("/")
    }
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
    }
}
