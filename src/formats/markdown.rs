//! Markdown, only with `--include-docs`: the commands of fenced code blocks.
//! Off by default because a README's example is not a deployment; on for
//! teams whose runbooks are what operators paste.
//!
//! Fences as CommonMark defines them: three or more backticks or tildes,
//! closed by the same character at least as many times (an unclosed fence
//! runs to the end of the document); the fence's indentation is taken off
//! the block's lines (fences are accepted at any indentation, as in list
//! items). Two kinds of block hold commands:
//!
//! - A block with prompt lines (`$ docker run …`, also `user@host:~$ …`),
//!   whatever its info string (`console`, `shell-session`, `text`, none):
//!   only the prompt lines are commands, with their backslash-continued
//!   lines (a `> ` secondary prompt taken off); everything else is output.
//! - A block tagged `sh`, `bash`, `shell`, `zsh` without prompts: a script.

use std::path::Path;
use std::sync::Arc;

use crate::cmdline::{self, Mapped};
use crate::model::Parsed;
use crate::source::Source;

/// One line of the file: where its text starts (for a block's line, after
/// the fence's indentation) and ends (before `\r\n`).
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
}

pub fn read(source: &Arc<Source>, out: &mut Parsed) {
    // Commands in a runbook are typed from the repository root or beside
    // the document: a relative profile path counts against either.
    out.relative_to_root_too = true;
    let base = source.path.parent().unwrap_or(Path::new("")).to_path_buf();
    let text = source.text.as_str();
    let lines = lines(text);
    let mut i = 0;
    while i < lines.len() {
        let line = &text[lines[i].start..lines[i].end];
        i += 1;
        let Some(fence) = Fence::open(line) else {
            continue;
        };
        let body_start = i;
        while i < lines.len() && !fence.closes(&text[lines[i].start..lines[i].end]) {
            i += 1;
        }
        let body: Vec<Line> = lines[body_start..i]
            .iter()
            .map(|l| {
                let t = &text[l.start..l.end];
                let indent = t.len() - t.trim_start_matches(' ').len();
                Line {
                    start: l.start + indent.min(fence.indent),
                    end: l.end,
                }
            })
            .collect();
        i += 1;
        for script in commands(text, &body, &fence.info) {
            cmdline::read_mapped(source, &script, &base, out);
        }
    }
}

fn lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let nl = memchr::memchr(b'\n', &text.as_bytes()[start..]).map_or(text.len(), |n| start + n);
        let end = if text[start..nl].ends_with('\r') {
            nl - 1
        } else {
            nl
        };
        out.push(Line { start, end });
        start = nl + 1;
    }
    out
}

struct Fence {
    marker: char,
    len: usize,
    indent: usize,
    /// The first word of the info string, lowercased.
    info: String,
}

impl Fence {
    fn open(line: &str) -> Option<Fence> {
        let trimmed = line.trim_start_matches(' ');
        let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
        let len = trimmed.chars().take_while(|&c| c == marker).count();
        let info = trimmed[len..].trim();
        if len < 3 || (marker == '`' && info.contains('`')) {
            return None;
        }
        Some(Fence {
            marker,
            len,
            indent: line.len() - trimmed.len(),
            info: info
                .split(|c: char| c.is_whitespace() || c == '{' || c == ',')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase(),
        })
    }

    fn closes(&self, line: &str) -> bool {
        let trimmed = line.trim_start_matches(' ');
        let len = trimmed.chars().take_while(|&c| c == self.marker).count();
        len >= self.len && trimmed[len..].trim().is_empty()
    }
}

/// The prompt at the start of a line (`$ `, `user@host:~/dir$ `): the
/// length to take off, or `None` for a line that is not a command.
fn prompt(line: &str) -> Option<usize> {
    if line == "$" {
        return Some(1);
    }
    if line.starts_with("$ ") {
        return Some(2);
    }
    let (before, _) = line.split_once("$ ")?;
    let looks_like_prompt = !before.is_empty()
        && !before.contains(char::is_whitespace)
        && before.contains(['@', ':', '~']);
    looks_like_prompt.then_some(before.len() + 2)
}

/// The command lines a block holds.
fn commands(text: &str, body: &[Line], info: &str) -> Vec<Mapped> {
    let has_prompts = body.iter().any(|l| prompt(&text[l.start..l.end]).is_some());
    if !has_prompts {
        if !matches!(info, "sh" | "bash" | "shell" | "zsh") {
            return Vec::new();
        }
        let mut script = Mapped::new();
        for l in body {
            script.push_file(text, l.start..l.end);
            script.push_synthetic("\n", l.end);
        }
        return vec![script];
    }
    let mut out = Vec::new();
    let mut k = 0;
    while k < body.len() {
        let l = body[k];
        k += 1;
        let Some(skip) = prompt(&text[l.start..l.end]) else {
            continue;
        };
        let mut command = Mapped::new();
        command.push_file(text, l.start + skip..l.end);
        let mut last = &text[l.start..l.end];
        while last.ends_with('\\') && k < body.len() {
            let n = body[k];
            k += 1;
            let t = &text[n.start..n.end];
            let skip = if t.starts_with("> ") { 2 } else { 0 };
            command.push_synthetic("\n", n.start);
            command.push_file(text, n.start + skip..n.end);
            last = t;
        }
        out.push(command);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        let source = Source::new("README.md", text);
        let mut out = Parsed::default();
        read(&source, &mut out);
        out.containers.into_iter().map(|c| c.name).collect()
    }

    #[test]
    fn prompt_lines_are_commands_and_output_is_not() {
        let t = "```console\n$ docker run --rm \\\n> --privileged a\nCONTAINER docker run --privileged out\nme@box:~/src$ docker run b\n```\n";
        assert_eq!(names(t), ["`docker run` of a", "`docker run` of b"]);
    }

    #[test]
    fn shell_blocks_without_prompts_are_scripts() {
        let t = "  ~~~~bash\n  docker run c \\\n    --privileged\n  ~~~\n  ~~~~\n```text\ndocker run d\n```\n";
        assert_eq!(names(t), ["`docker run` of c"]);
    }

    #[test]
    fn an_unclosed_fence_runs_to_the_end() {
        let t = "````sh\n```\ndocker run e\n";
        assert_eq!(names(t), ["`docker run` of e"]);
    }
}
