//! Problems with the input itself, kept apart from findings.
//!
//! A file that cannot be read or parsed is not a security finding: it is
//! collected beside the findings, reported with its path and position, and
//! never stops the scan of other files. In SARIF these become tool execution
//! notifications, not results (a result would open a code-scanning alert).

use std::path::PathBuf;

use crate::source::{Position, Source};

/// What went wrong; typed so that reporters and tests can tell cases apart.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    /// The bytes are not valid in the file's syntax.
    #[error("not valid {format}: {message}")]
    Syntax {
        format: &'static str,
        message: String,
    },
    /// Valid syntax, but not the shape the format requires.
    #[error("valid {format} but not a {expected}: {message}")]
    Shape {
        format: &'static str,
        expected: &'static str,
        message: String,
    },
    /// A safety limit (nesting, aliases, size) was hit.
    #[error("{0}")]
    Limit(String),
    /// The file may be valid (its engine may read it) but is past what
    /// seccheck reads: never called "not valid", which would blame the file.
    #[error("seccheck could not read this file: {0}")]
    Unreadable(String),
    #[error("skipped: {size} bytes is over the {limit}-byte limit")]
    TooLarge { size: u64, limit: u64 },
    #[error("skipped: binary file")]
    Binary,
    #[error("not valid UTF-8 (first invalid byte at offset {offset})")]
    NotUtf8 {
        offset: usize,
        position: Position,
        /// The column of `position` in characters.
        char_column: usize,
    },
    #[error("skipped: empty file")]
    Empty,
    /// Skipped on purpose, for the reason given.
    #[error("skipped: {0}")]
    Skipped(String),
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
}

/// How much a diagnostic matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file was skipped on purpose (binary, too large).
    Notice,
    /// The file, or part of it, could not be read.
    Error,
}

#[derive(Debug)]
pub struct Diagnostic {
    pub path: PathBuf,
    /// Line and UTF-16 column (SARIF, JSON, annotations).
    pub position: Option<Position>,
    /// The column of `position` in characters (the terminal report).
    pub char_column: Option<usize>,
    pub problem: Problem,
}

impl Diagnostic {
    pub fn new(path: impl Into<PathBuf>, problem: Problem) -> Self {
        let (position, char_column) = match &problem {
            Problem::NotUtf8 {
                position,
                char_column,
                ..
            } => (Some(*position), Some(*char_column)),
            _ => (None, None),
        };
        Diagnostic {
            path: path.into(),
            position,
            char_column,
            problem,
        }
    }

    /// A problem at a byte offset of a file that was read.
    pub fn at(source: &Source, offset: usize, problem: Problem) -> Self {
        Diagnostic {
            path: source.path.clone(),
            position: Some(source.position(offset)),
            char_column: Some(source.char_position(offset).column),
            problem,
        }
    }

    pub fn severity(&self) -> Severity {
        match self.problem {
            Problem::TooLarge { .. } | Problem::Binary | Problem::Empty | Problem::Skipped(_) => {
                Severity::Notice
            }
            _ => Severity::Error,
        }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(p) = self.position {
            write!(f, ":{}:{}", p.line, p.column)?;
        }
        write!(f, ": {}", self.problem)
    }
}
