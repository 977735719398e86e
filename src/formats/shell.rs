//! Shell scripts: `*.sh`, `*.bash`, `*.zsh`, `*.ksh`, and files without an
//! extension whose first line is a shell shebang. The whole file goes
//! through the shared [`cmdline`](crate::cmdline) reader.

use std::path::Path;
use std::sync::Arc;

use crate::model::Parsed;
use crate::source::{Source, Span};

pub fn is_shell_name(lower: &str) -> bool {
    [".sh", ".bash", ".zsh", ".ksh"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// Whether the first bytes are a shell shebang (`#!/bin/sh`,
/// `#!/usr/bin/env bash`, …). Only these bytes are read for the decision.
pub fn has_shell_shebang(head: &[u8]) -> bool {
    let Some(rest) = head.strip_prefix(b"#!") else {
        return false;
    };
    let line = rest.split(|&b| b == b'\n').next().unwrap_or(rest);
    let line = String::from_utf8_lossy(line);
    line.split_whitespace()
        .take(2)
        .filter_map(|w| w.rsplit('/').next())
        .any(|w| matches!(w, "sh" | "bash" | "dash" | "zsh" | "ksh" | "ash"))
}

pub fn read(source: &Arc<Source>, out: &mut Parsed) {
    let base = source.path.parent().unwrap_or(Path::new("")).to_path_buf();
    crate::cmdline::read_script(source, Span::new(0, source.text.len()), &base, out);
}
