//! Dockerfiles and Containerfiles.
//!
//! A small line reader of our own rather than `parse-dockerfile`: the
//! instructions that matter here are `RUN` (its `--security=insecure` flag,
//! and `docker run` lines inside it) and `LABEL RUN=`/`INSTALL=` (command
//! lines that `atomic`/`podman container runlabel` execute), and both need
//! exact file offsets for the shared command reader, which a line reader
//! keeps for free. It honours the `# escape=` directive, continuation lines
//! and comment lines inside them. `RUN` here-document bodies are not read.

use std::path::Path;
use std::sync::Arc;

use crate::cmdline;
use crate::model::{InsecureBuild, Parsed};
use crate::source::{Location, Source, Span};

pub fn is_dockerfile_name(name: &str, lower: &str) -> bool {
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.")
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
        || name.ends_with("Dockerfile")
}

pub fn read(source: &Arc<Source>, out: &mut Parsed) {
    let base = source.path.parent().unwrap_or(Path::new("")).to_path_buf();
    let text = &source.text;
    let escape = escape_char(text);
    let lines: Vec<(usize, &str)> = {
        let mut offset = 0;
        text.split_inclusive('\n')
            .map(|l| {
                let start = offset;
                offset += l.len();
                (start, l)
            })
            .collect()
    };
    let mut i = 0;
    while i < lines.len() {
        let (start, line) = lines[i];
        let trimmed = line.trim_start();
        let lead = line.len() - trimmed.len();
        if trimmed.starts_with('#') {
            let body = trimmed.trim_end_matches(['\n', '\r']);
            out.comments.push(Location::new(
                source,
                Span::new(start + lead, start + lead + body.len()),
            ));
            i += 1;
            continue;
        }
        // The logical line: continuation lines and comment lines inside it.
        let mut end = start + line.len();
        let mut last = line;
        while last.trim_end().ends_with(escape) && i + 1 < lines.len() {
            i += 1;
            last = lines[i].1;
            end = lines[i].0 + last.len();
        }
        i += 1;
        let instruction_end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
        let keyword = trimmed[..instruction_end].to_ascii_uppercase();
        let args_start = start + lead + instruction_end;
        match keyword.as_str() {
            "RUN" => run(source, args_start, end, escape, &base, out),
            "LABEL" if escape == '\\' => label(source, args_start, end, &base, out),
            _ => {}
        }
    }
}

/// `# escape=\`` (Windows images) changes the continuation character.
fn escape_char(text: &str) -> char {
    for line in text.lines() {
        let Some(directive) = line.trim().strip_prefix('#') else {
            break;
        };
        let directive = directive.trim();
        if let Some(value) = directive.strip_prefix("escape=") {
            return value.trim().chars().next().unwrap_or('\\');
        }
    }
    '\\'
}

fn run(
    source: &Arc<Source>,
    start: usize,
    end: usize,
    escape: char,
    base: &Path,
    out: &mut Parsed,
) {
    let text = &source.text;
    // Flags of RUN itself: `--mount=…`, `--network=…`, `--security=…`.
    let mut pos = start;
    loop {
        while pos < end && text[pos..].starts_with(|c: char| c.is_whitespace() || c == escape) {
            pos += text[pos..].chars().next().map_or(1, char::len_utf8);
        }
        if !text[pos..end].starts_with("--") {
            break;
        }
        let flag_end = text[pos..end]
            .find(char::is_whitespace)
            .map_or(end, |n| pos + n);
        let flag = &text[pos..flag_end];
        if flag == "--security=insecure" {
            out.builds.push(InsecureBuild {
                name: "Dockerfile `RUN`".into(),
                at: Location::new(source, Span::new(pos, flag_end)),
            });
        }
        pos = flag_end;
    }
    if escape == '\\' {
        cmdline::read_script(source, Span::new(pos, end), base, out);
    }
}

fn label(source: &Arc<Source>, start: usize, end: usize, base: &Path, out: &mut Parsed) {
    let split = cmdline::words::split(&source.text, start, end);
    for word in split.commands.iter().flatten() {
        let key_len = ["RUN=", "INSTALL=", "UNINSTALL="]
            .iter()
            .find(|k| word.text.starts_with(*k))
            .map(|k| k.len());
        if let Some(k) = key_len {
            let span = word.span_of(k, word.text.len());
            cmdline::read_script(source, span, base, out);
        }
    }
}
