//! systemd service units (`*.service`) and their drop-ins
//! (`NAME.service.d/*.conf`): the command lines of `ExecStart=`,
//! `ExecStartPre=`, `ExecStartPost=`, `ExecReload=`, `ExecStop=`,
//! `ExecStopPost=` and `ExecCondition=` in `[Service]`, read as systemd
//! reads them (systemd.syntax(7), systemd.service(5) "Command lines"):
//!
//! - A line ending in a backslash continues on the next line, the backslash
//!   replaced by a space; comment lines (`#`, `;`) inside a continuation
//!   are skipped. Whitespace around `=` is ignored.
//! - Several command lines may share one directive, separated by a lone
//!   `;` word.
//! - The executable may carry the prefixes `@`, `-`, `:`, `+`, `!`, `!!`, in
//!   any order; with `@` the second word is `argv[0]`, not an argument.
//! - An empty assignment (`ExecStart=`) drops the commands assigned before
//!   it, which is how a drop-in replaces a unit's `ExecStart=`: only what
//!   remains is read.
//!
//! So a `docker.service.d/override.conf` that starts `dockerd
//! --seccomp-profile=unconfined` is a daemon finding. Other keys
//! (`Description=`) are prose, never commands.

use std::path::Path;
use std::sync::Arc;

use crate::cmdline::{self, Mapped, words};
use crate::model::Parsed;
use crate::source::{Location, Source, Span};

const EXEC_KEYS: &[&str] = &[
    "ExecStart",
    "ExecStartPre",
    "ExecStartPost",
    "ExecReload",
    "ExecStop",
    "ExecStopPost",
    "ExecCondition",
];

/// `NAME.service.d/*.conf`: a drop-in that amends `NAME.service`.
pub fn is_drop_in(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "conf")
        && path
            .parent()
            .and_then(Path::file_name)
            .and_then(|d| d.to_str())
            .is_some_and(|d| d.ends_with(".service.d"))
}

pub fn read(source: &Arc<Source>, out: &mut Parsed) {
    let base = source.path.parent().unwrap_or(Path::new("")).to_path_buf();
    let text = source.text.as_str();
    let lines = lines(text);
    let mut section = String::new();
    // The commands of each key that are still in force.
    let mut commands: Vec<(&str, Mapped)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (start, end) = lines[i];
        i += 1;
        let line = &text[start..end];
        let trimmed = line.trim_start();
        let lead = start + (line.len() - trimmed.len());
        if trimmed.starts_with(['#', ';']) {
            out.comments
                .push(Location::new(source, Span::new(lead, end)));
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[') {
            section = name.split(']').next().unwrap_or("").to_string();
            continue;
        }
        let Some(eq) = trimmed.find('=') else {
            continue;
        };
        let key = trimmed[..eq].trim_end();
        let value_start = lead + eq + 1;
        // The value with its continuation lines, as systemd joins them.
        let mut value = Mapped::new();
        let mut from = value_start;
        let mut line_end = end;
        loop {
            let part = &text[from..line_end];
            if !part.ends_with('\\') || i >= lines.len() {
                value.push_file(text, from..line_end);
                break;
            }
            value.push_file(text, from..line_end - 1);
            value.push_synthetic(" ", line_end - 1);
            while i < lines.len()
                && text[lines[i].0..lines[i].1]
                    .trim_start()
                    .starts_with(['#', ';'])
            {
                let (s, e) = lines[i];
                let t = &text[s..e];
                out.comments.push(Location::new(
                    source,
                    Span::new(s + (t.len() - t.trim_start().len()), e),
                ));
                i += 1;
            }
            let Some(&(s, e)) = lines.get(i) else { break };
            i += 1;
            from = s;
            line_end = e;
        }
        let Some(key) = EXEC_KEYS.iter().find(|k| **k == key) else {
            continue;
        };
        if section != "Service" {
            continue;
        }
        let value = trim(&value);
        if value.is_empty() {
            commands.retain(|(k, _)| k != key);
        } else {
            commands.push((key, value));
        }
    }
    for (_, value) in &commands {
        for command in command_lines(value) {
            cmdline::read_mapped(source, &command, &base, out);
        }
    }
}

/// Each line of `text`: `(start, end)` without `\n` or a CRLF's `\r`.
fn lines(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let nl = memchr::memchr(b'\n', &text.as_bytes()[start..]).map_or(text.len(), |n| start + n);
        let end = if text[start..nl].ends_with('\r') {
            nl - 1
        } else {
            nl
        };
        out.push((start, end));
        start = nl + 1;
    }
    out
}

fn trim(m: &Mapped) -> Mapped {
    let text = m.text();
    let start = text.len() - text.trim_start().len();
    let end = text.trim_end().len();
    m.slice(start..end.max(start))
}

/// The command lines of one `Exec*=` value: split at lone `;` words, the
/// executable's prefixes removed, and with `@` the `argv[0]` word dropped.
fn command_lines(value: &Mapped) -> Vec<Mapped> {
    let split = words::split(value.text(), 0, value.len());
    let mut out = Vec::new();
    for command in split.commands {
        let Some(first) = command.first() else {
            continue;
        };
        let prefix = first
            .text
            .bytes()
            .take_while(|b| matches!(b, b'@' | b'-' | b':' | b'+' | b'!'))
            .count();
        let argv0 = first.text[..prefix].contains('@');
        let mut line = Mapped::new();
        line.push_mapped(value, first.raw.start + prefix..first.raw.end);
        for (k, word) in command.iter().enumerate().skip(1) {
            if argv0 && k == 1 {
                continue;
            }
            line.push_synthetic(" ", value.offset(word.raw.start));
            line.push_mapped(value, word.raw.start..word.raw.end);
        }
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(path: &str, text: &str) -> Parsed {
        let source = Source::new(path, text);
        let mut out = Parsed::default();
        read(&source, &mut out);
        out
    }

    #[test]
    fn prefixes_argv0_and_continuations() {
        let t = "[Service]\nExecStartPre=-+/usr/bin/docker rm -f app ; /usr/bin/docker pull x\nExecStart=@/usr/bin/docker docker-app run \\\n# a comment\n  --privileged app:1\n";
        let p = parse("app.service", t);
        let c: Vec<_> = p.containers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(c, ["`docker run` of app:1"]);
        let span = p.containers[0].privileged.as_ref().unwrap().at.span;
        assert_eq!(&t[span.range()], "--privileged");
        assert_eq!(p.comments.len(), 1);
    }

    #[test]
    fn an_empty_assignment_resets_the_list() {
        let t = "[Service]\nExecStart=/usr/bin/dockerd --seccomp-profile=unconfined\nExecStart=\nExecStart=/usr/bin/dockerd -H fd://\n[Unit]\nExecStart=/usr/bin/dockerd --seccomp-profile=unconfined\n";
        let p = parse("docker.service.d/override.conf", t);
        assert!(p.daemons.is_empty());
        let t = "[Service]\r\nExecStart=\r\nExecStart = !!/usr/bin/dockerd \\\r\n  --seccomp-profile=unconfined\r\n";
        let p = parse("docker.service.d/override.conf", t);
        let span = p.daemons[0].seccomp.as_ref().unwrap().at.span;
        assert_eq!(&t[span.range()], "unconfined");
    }

    #[test]
    fn drop_in_names() {
        assert!(is_drop_in(Path::new(
            "etc/systemd/system/docker.service.d/override.conf"
        )));
        assert!(!is_drop_in(Path::new("etc/docker/override.conf")));
        assert!(!is_drop_in(Path::new("docker.service.d/notes.txt")));
    }
}
