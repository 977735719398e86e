//! Markdown, only with `--include-docs`: fenced code blocks tagged `sh`,
//! `bash`, `shell` or `zsh` are read as scripts. Off by default because a
//! README's example is not a deployment; on for teams whose runbooks are
//! what operators paste.

use std::path::Path;
use std::sync::Arc;

use crate::model::Parsed;
use crate::source::{Source, Span};

pub fn read(source: &Arc<Source>, out: &mut Parsed) {
    let base = source.path.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut offset = 0;
    let mut block: Option<(usize, String)> = None;
    for line in source.text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim();
        let Some(info) = trimmed
            .strip_prefix("```")
            .or_else(|| trimmed.strip_prefix("~~~"))
        else {
            continue;
        };
        match block.take() {
            None => block = Some((offset, info.trim().to_ascii_lowercase())),
            Some((body_start, lang)) => {
                if matches!(
                    lang.split_whitespace().next(),
                    Some("sh" | "bash" | "shell" | "zsh")
                ) {
                    crate::cmdline::read_script(source, Span::new(body_start, start), &base, out);
                }
            }
        }
    }
}
