//! Makefiles (`Makefile`, `GNUmakefile`, `*.mk`) and justfiles.
//!
//! Only recipe lines are commands: in a Makefile those that start with a
//! tab, in a justfile the indented lines under a recipe. A recipe's
//! continuation lines (`\` at the end) belong to it, which the shell reader
//! already understands; make's `@`, `-` and `+` prefixes are dropped by the
//! command reader.

use std::path::Path;
use std::sync::Arc;

use crate::model::Parsed;
use crate::source::{Source, Span};

pub fn is_make_name(name: &str, lower: &str) -> bool {
    matches!(
        name,
        "Makefile" | "makefile" | "GNUmakefile" | "justfile" | "Justfile" | ".justfile"
    ) || lower.starts_with("makefile.")
        || lower.starts_with("makefile-")
        || lower.ends_with(".mk")
        || lower.ends_with(".just")
}

pub fn read(source: &Arc<Source>, out: &mut Parsed) {
    let base = source.path.parent().unwrap_or(Path::new("")).to_path_buf();
    let text = &source.text;
    let mut offset = 0;
    let mut continued = false;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let is_recipe = continued || body.starts_with('\t') || body.starts_with("    ");
        continued = body.ends_with('\\');
        if is_recipe && !body.trim().is_empty() {
            // Continuation lines are read together with their first line.
            if start > 0 && text[..start].trim_end_matches(['\n', '\r']).ends_with('\\') {
                continue;
            }
            let mut end = offset;
            let mut rest = &text[offset..];
            let mut last = body;
            while last.ends_with('\\') && !rest.is_empty() {
                let next = rest.split_inclusive('\n').next().unwrap_or(rest);
                end += next.len();
                last = next.trim_end_matches(['\n', '\r']);
                rest = &rest[next.len()..];
            }
            crate::cmdline::read_script(source, Span::new(start, end), &base, out);
        } else if let Some(i) = body.find('#') {
            out.comments.push(crate::source::Location::new(
                source,
                Span::new(start + i, start + body.len()),
            ));
        }
    }
}
