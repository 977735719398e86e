//! systemd units (`*.service`): the command lines of `ExecStart=`,
//! `ExecStartPre=`, `ExecStartPost=`, `ExecReload=`, `ExecStop=`,
//! `ExecStopPost=`. Other keys (`Description=`) are prose, never commands.

use std::path::Path;
use std::sync::Arc;

use crate::model::Parsed;
use crate::source::{Location, Source, Span};

pub fn read(source: &Arc<Source>, out: &mut Parsed) {
    let base = source.path.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut offset = 0;
    for line in source.text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_start();
        let lead = line.len() - trimmed.len();
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            let body = trimmed.trim_end_matches(['\n', '\r']);
            out.comments.push(Location::new(
                source,
                Span::new(start + lead, start + lead + body.len()),
            ));
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=') else {
            continue;
        };
        if !key.trim_end().starts_with("Exec") {
            continue;
        }
        // `-`, `@`, `+`, `!` prefixes change how systemd runs the command.
        let value_start = start + lead + key.len() + 1;
        let skip = value.len() - value.trim_start_matches(['-', '@', '+', '!', ':']).len();
        let mut end = offset;
        let mut rest = &source.text[offset..];
        let mut last = line.trim_end_matches(['\n', '\r']);
        while last.ends_with('\\') && !rest.is_empty() {
            let next = rest.split_inclusive('\n').next().unwrap_or(rest);
            end += next.len();
            last = next.trim_end_matches(['\n', '\r']);
            rest = &rest[next.len()..];
        }
        crate::cmdline::read_script(source, Span::new(value_start + skip, end), &base, out);
    }
}
