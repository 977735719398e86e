//! Dockerfiles and Containerfiles, read as BuildKit's Dockerfile frontend
//! reads them (`moby/buildkit` `frontend/dockerfile/parser/parser.go`,
//! `line_parsers.go`, `split_command.go`, and `dockerfile2llb`'s
//! `dispatchRun`):
//!
//! - Parser directives (`# escape=`, `# syntax=`) only in the first lines,
//!   before any other line; the escape character is `\` or a backtick.
//! - A line whose last non-blank character is the escape character (not
//!   itself escaped) continues on the next line; the escape and the blanks
//!   after it are removed and the next line is appended directly. Comment
//!   lines and empty lines inside a continued instruction are dropped, not
//!   its end. Line ends are `\n` with any `\r` before it removed (CRLF).
//!   (A byte-order mark is taken off where every file is read.)
//! - Builder flags (`RUN --mount=… --security=insecure`) are the leading
//!   `--` words of the arguments, with quotes and backslashes removed.
//! - `RUN`, `CMD`, `ENTRYPOINT` take a JSON array of strings (exec form: the
//!   argv, no shell) or a command line for the stage's `SHELL` (shell form).
//!   A `SHELL` that is not a POSIX shell (PowerShell, `cmd`) makes shell
//!   form something this reader does not read; exec form is still read.
//! - `RUN <<EOF` here-documents (several per instruction, `<<-` stripping
//!   tabs, quoted delimiters): their bodies follow the instruction line.
//!   A `RUN` that is nothing but one here-document runs the body as the
//!   script (a `#!` body runs its own interpreter, read only when that is a
//!   shell); any other `RUN` is given to the shell as the line followed by
//!   each body and delimiter, so `cat <<EOF` bodies stay data.
//! - `LABEL RUN=…`, `INSTALL=…`, `UNINSTALL=…` (the commands that `atomic`
//!   and `podman container runlabel` execute), in `key=value` words or the
//!   legacy `LABEL key value` form, with the value unquoted as BuildKit
//!   unquotes it (quoted values may span continued lines). The key is
//!   matched without regard to case, as podman's `GetLabel` matches it
//!   (`podman container runlabel run` runs a label written `run=`).
//! - `ONBUILD RUN …` is read like the `RUN` it triggers downstream.
//!
//! Each instruction is rebuilt as the text BuildKit hands on, with every
//! byte's file offset ([`Mapped`]), and the shared command reader runs over
//! that text, so a finding marks the value where it is written, also inside
//! a JSON string or after a dropped comment line.
//!
//! Why not the `parse-dockerfile` crate (DESIGN.md): its `Command::Shell` is
//! the raw text with escapes and comment lines still in it, and an
//! `UnescapedString` (exec-form elements, label values) has one span for the
//! whole string and a value without offsets, so every position inside a
//! continued or escaped value would still need this reader; it would add a
//! dependency and a second pass without removing any of this code.

mod words;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cmdline::{self, Mapped};
use crate::diagnostic::{Diagnostic, Problem};
use crate::model::{InsecureBuild, Parsed};
use crate::source::{Location, Source, Span};

use words::Form;

pub fn is_dockerfile_name(name: &str, lower: &str) -> bool {
    // Variants by suffix or prefix with `.`, `-` or `_` (`Dockerfile.dev`,
    // `Dockerfile-2`, `Dockerfile_alpine`, `base-dockerfile`): the names
    // `docker build -f` is given in real repositories. `dockerfile_utils.py`
    // is code, not a Dockerfile: after `-`/`_` no extension may follow.
    ["dockerfile", "containerfile"].iter().any(|base| {
        lower == *base
            || lower.strip_prefix(base).is_some_and(|rest| {
                rest.starts_with('.') || (rest.starts_with(['-', '_']) && !rest.contains('.'))
            })
            || lower
                .strip_suffix(base)
                .is_some_and(|rest| rest.ends_with(['.', '-', '_']))
    }) || name.ends_with("Dockerfile")
}

/// One physical line: where it starts, where its text ends (before any
/// `\r`/`\n`), and where the next line starts.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    content_end: usize,
    end: usize,
}

fn physical_lines(text: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let end =
            memchr::memchr(b'\n', &text.as_bytes()[start..]).map_or(text.len(), |n| start + n + 1);
        let content_end = start + text[start..end].trim_end_matches(['\r', '\n']).len();
        lines.push(Line {
            start,
            content_end,
            end,
        });
        start = end;
    }
    lines
}

struct Reader<'a> {
    source: &'a Arc<Source>,
    text: &'a str,
    lines: Vec<Line>,
    next: usize,
    escape: char,
    base: PathBuf,
    /// Whether the current stage's `SHELL` is a POSIX shell.
    posix_shell: bool,
    /// Each named stage's shell, for stages built `FROM` an earlier one.
    stages: Vec<(String, bool)>,
    out: &'a mut Parsed,
}

pub fn read(source: &Arc<Source>, out: &mut Parsed) {
    let text = source.text.as_str();
    let mut reader = Reader {
        source,
        text,
        lines: physical_lines(text),
        next: 0,
        escape: '\\',
        base: source.path.parent().unwrap_or(Path::new("")).to_path_buf(),
        posix_shell: true,
        stages: Vec::new(),
        out,
    };
    if reader.directives() {
        while reader.instruction() {}
    }
}

impl Reader<'_> {
    fn content(&self, line: Line) -> &str {
        &self.text[line.start..line.content_end]
    }

    fn is_comment(&self, line: Line) -> bool {
        self.content(line).trim_start().starts_with('#')
    }

    fn comment(&mut self, line: Line) {
        let content = self.content(line);
        let lead = content.len() - content.trim_start().len();
        let span = Span::new(line.start + lead, line.content_end);
        self.out.comments.push(Location::new(self.source, span));
    }

    /// Parser directives in the first lines (`possibleParserDirective`).
    /// False when the file cannot be built (an invalid escape character).
    fn directives(&mut self) -> bool {
        for &line in &self.lines {
            let Some(body) = self.content(line).trim_start().strip_prefix('#') else {
                break;
            };
            let Some((name, value)) = body.split_once('=').filter(|(_, v)| !v.trim().is_empty())
            else {
                break;
            };
            let name = name.trim().to_ascii_lowercase();
            let valid_name = name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric());
            if !valid_name || !matches!(name.as_str(), "escape" | "syntax" | "check") {
                break;
            }
            if name == "escape" {
                match value.trim() {
                    "\\" => self.escape = '\\',
                    "`" => self.escape = '`',
                    other => {
                        let message =
                            format!("invalid escape token `{other}`: only ` and \\ are allowed");
                        self.out.diagnostics.push(Diagnostic::at(
                            self.source,
                            line.start,
                            Problem::Syntax {
                                format: "Dockerfile",
                                message,
                            },
                        ));
                        return false;
                    }
                }
            }
        }
        true
    }

    /// Where the text of `line` (from `from`) ends once a trailing escape
    /// character is removed, and whether the instruction continues
    /// (`lineContinuationRegex`: the escape as last non-blank character,
    /// not preceded by another escape).
    fn continuation(&self, from: usize, line: Line) -> (usize, bool) {
        let content = &self.text[from..line.content_end];
        let kept = content.trim_end_matches([' ', '\t']);
        let Some(before) = kept.strip_suffix(self.escape) else {
            return (line.content_end, false);
        };
        if before.ends_with(self.escape) {
            return (line.content_end, false);
        }
        (from + before.len(), true)
    }

    /// Reads one instruction, with its continuation lines and here-document
    /// bodies. False at the end of the file.
    fn instruction(&mut self) -> bool {
        let Some(&first) = self.lines.get(self.next) else {
            return false;
        };
        self.next += 1;
        if self.is_comment(first) {
            self.comment(first);
            return true;
        }
        let content = self.content(first);
        let from = first.start + (content.len() - content.trim_start().len());
        let (end, mut continued) = self.continuation(from, first);
        if !continued && end == from {
            return true;
        }
        let mut logical = Mapped::of_file(self.text, from..end);
        let mut last = first;
        while continued && let Some(&line) = self.lines.get(self.next) {
            self.next += 1;
            if self.is_comment(line) {
                self.comment(line);
                continue;
            }
            if self.content(line).trim_start().is_empty() {
                continue;
            }
            let (end, more) = self.continuation(line.start, line);
            logical.push_file(self.text, line.start..end);
            continued = more;
            last = line;
        }
        // An ignore comment above the instruction covers all of it.
        let mark = self.out.mark();
        self.dispatch(&logical, last, false);
        self.out.within(mark, from);
        true
    }

    /// `splitCommand` and the instruction's own parser.
    fn dispatch(&mut self, logical: &Mapped, last: Line, onbuild: bool) {
        let text = logical.text();
        let start = text.len() - text.trim_start().len();
        let end = text.trim_end().len();
        if start >= end {
            return;
        }
        let keyword_end = text[start..end]
            .find([' ', '\t', '\x0b', '\x0c', '\r'])
            .map_or(end, |n| start + n);
        let keyword = text[start..keyword_end].to_ascii_lowercase();
        let rest = keyword_end
            + (text[keyword_end..end].len() - text[keyword_end..end].trim_start().len());
        let (flags, args) = words::builder_flags(text, rest, end);
        let args = args + (text[args..end].len() - text[args..end].trim_start().len());
        match keyword.as_str() {
            "run" => self.run(logical, &flags, args, end, last),
            "cmd" | "entrypoint" => {
                if let Some(script) = self.command(logical, args, end) {
                    cmdline::read_mapped(self.source, &script, &self.base, self.out);
                }
            }
            // Their here-document bodies are file contents: skipped, never
            // read as instructions.
            "copy" | "add" => {
                if let Form::Shell = words::exec_form(logical, args) {
                    self.heredocs(logical, last);
                }
            }
            "label" => self.label(logical, args, end),
            "onbuild" if !onbuild => self.dispatch(&logical.slice(args..end), last, true),
            "shell" => {
                if let Form::Exec(argv) = words::exec_form(logical, args)
                    && let Some(program) = argv.first()
                {
                    self.posix_shell = is_posix_shell(program.text());
                }
            }
            "from" => self.from(text, args, end),
            _ => {}
        }
    }

    /// `FROM image [AS name]`: a new stage, with the shell of the stage it
    /// starts from when that is an earlier stage, else the default `/bin/sh`.
    fn from(&mut self, text: &str, args: usize, end: usize) {
        let mut parts = text[args..end].split_ascii_whitespace();
        let image = parts.next().unwrap_or("").to_ascii_lowercase();
        let name = match (parts.next(), parts.next()) {
            (Some(as_), Some(name)) if as_.eq_ignore_ascii_case("as") => name.to_ascii_lowercase(),
            _ => String::new(),
        };
        self.posix_shell = self
            .stages
            .iter()
            .rev()
            .find(|(n, _)| *n == image)
            .is_none_or(|&(_, posix)| posix);
        self.stages.push((name, self.posix_shell));
    }

    fn run(
        &mut self,
        logical: &Mapped,
        flags: &[words::Flag],
        args: usize,
        end: usize,
        last: Line,
    ) {
        for flag in flags {
            if flag.text.strip_prefix("--security=") == Some("insecure") {
                self.out.builds.push(InsecureBuild {
                    name: "Dockerfile `RUN`".into(),
                    at: Location::new(self.source, logical.span(flag.start, flag.end)),
                });
            }
        }
        let form = words::exec_form(logical, args);
        let heredocs = match form {
            Form::Shell => self.heredocs(logical, last),
            _ => Vec::new(),
        };
        let script = match form {
            Form::Exec(argv) => Some(exec_script(&argv)),
            Form::NotStrings => {
                self.not_strings(logical, args);
                None
            }
            Form::Shell if !self.posix_shell => None,
            Form::Shell if heredocs.is_empty() => Some(logical.slice(args..end)),
            Form::Shell => self.heredoc_script(logical, args, end, &heredocs),
        };
        if let Some(script) = script {
            cmdline::read_mapped(self.source, &script, &self.base, self.out);
        }
    }

    /// `CMD`/`ENTRYPOINT`: exec form, or shell form for a POSIX shell.
    fn command(&mut self, logical: &Mapped, args: usize, end: usize) -> Option<Mapped> {
        match words::exec_form(logical, args) {
            Form::Exec(argv) => Some(exec_script(&argv)),
            Form::NotStrings => {
                self.not_strings(logical, args);
                None
            }
            Form::Shell if self.posix_shell => Some(logical.slice(args..end)),
            Form::Shell => None,
        }
    }

    fn not_strings(&mut self, logical: &Mapped, args: usize) {
        self.out.diagnostics.push(Diagnostic::at(
            self.source,
            logical.offset(args),
            Problem::Syntax {
                format: "Dockerfile",
                message: "when using JSON array syntax, arrays must be comprised of strings only"
                    .into(),
            },
        ));
    }

    /// The here-documents a shell-form instruction opens, with their bodies
    /// read from the lines that follow it.
    fn heredocs(&mut self, logical: &Mapped, last: Line) -> Vec<Heredoc> {
        let text = logical.text();
        let mut docs = Vec::new();
        for (s, e) in words::heredoc_words(text) {
            let Some((name, chomp)) = words::heredoc_name(&text[s..e]) else {
                continue;
            };
            let body_start = self.lines.get(self.next).map_or(last.end, |l| l.start);
            let mut terminator = None;
            while let Some(&line) = self.lines.get(self.next) {
                self.next += 1;
                let content = self.content(line);
                let candidate = if chomp {
                    content.trim_start_matches('\t')
                } else {
                    content
                };
                if candidate == name {
                    terminator = Some(Span::new(
                        line.content_end - candidate.len(),
                        line.content_end,
                    ));
                    break;
                }
            }
            let Some(terminator) = terminator else {
                self.out.diagnostics.push(Diagnostic::at(
                    self.source,
                    logical.offset(s),
                    Problem::Syntax {
                        format: "Dockerfile",
                        message: format!("unterminated heredoc `{name}`"),
                    },
                ));
                return Vec::new();
            };
            let terminator_line = self.lines[self.next - 1];
            docs.push(Heredoc {
                chomp,
                body: Span::new(body_start, terminator_line.start),
                terminator,
            });
        }
        docs
    }

    /// The script a `RUN` with here-documents runs (`dispatchRun`).
    fn heredoc_script(
        &self,
        logical: &Mapped,
        args: usize,
        end: usize,
        docs: &[Heredoc],
    ) -> Option<Mapped> {
        let command = &logical.text()[args..end];
        if words::heredoc_name(command).is_some() {
            // The whole command is one here-document: its body is the script.
            let doc = &docs[0];
            let body = &self.text[doc.body.range()];
            if body.starts_with("#!") && !crate::formats::shell::has_shell_shebang(body.as_bytes())
            {
                return None;
            }
            let mut script = Mapped::new();
            let mut at = doc.body.start;
            for line in body.split_inclusive('\n') {
                let tabs = if doc.chomp {
                    line.len() - line.trim_start_matches('\t').len()
                } else {
                    0
                };
                script.push_file(self.text, at + tabs..at + line.len());
                at += line.len();
            }
            return Some(script);
        }
        // The line, then each body and delimiter, for the shell to sort out.
        let mut script = logical.slice(args..end);
        for doc in docs {
            script.push_synthetic("\n", logical.offset(end.saturating_sub(1)));
            script.push_file(self.text, doc.body.range());
            script.push_file(self.text, doc.terminator.range());
        }
        Some(script)
    }

    /// `LABEL` (`parseNameVal`): the runnable labels' values as command lines.
    fn label(&mut self, logical: &Mapped, args: usize, end: usize) {
        let text = logical.text();
        let words = words::label_words(text, args, end, self.escape);
        let Some(&(first_start, first_end)) = words.first() else {
            return;
        };
        let pairs: Vec<((usize, usize), (usize, usize))> =
            if !text[first_start..first_end].contains('=') {
                // Legacy `LABEL key value`: the key, then the rest of the line.
                let key_end = text[args..end]
                    .find([' ', '\t', '\x0b', '\x0c', '\r'])
                    .map_or(end, |n| args + n);
                let value =
                    key_end + (text[key_end..end].len() - text[key_end..end].trim_start().len());
                vec![((args, key_end), (value, end))]
            } else {
                let mut pairs = Vec::new();
                for &(s, e) in &words {
                    let Some(eq) = text[s..e].find('=') else {
                        return;
                    };
                    pairs.push(((s, s + eq), (s + eq + 1, e)));
                }
                pairs
            };
        for ((ks, ke), (vs, ve)) in pairs {
            let Some(key) = words::unquote(logical, ks, ke, self.escape) else {
                continue;
            };
            if !["RUN", "INSTALL", "UNINSTALL"]
                .iter()
                .any(|k| key.text().eq_ignore_ascii_case(k))
            {
                continue;
            }
            if let Some(value) = words::unquote(logical, vs, ve, self.escape) {
                cmdline::read_mapped(self.source, &value, &self.base, self.out);
            }
        }
    }
}

/// A here-document of a `RUN`: its body lines and its delimiter line.
struct Heredoc {
    chomp: bool,
    body: Span,
    terminator: Span,
}

/// An exec-form argv as a shell line whose words are exactly its elements.
fn exec_script(argv: &[Mapped]) -> Mapped {
    let mut script = Mapped::new();
    for (i, arg) in argv.iter().enumerate() {
        if i > 0 {
            script.push_synthetic(" ", arg.offset(0));
        }
        script.push_quoted(arg);
    }
    script
}

/// Whether a `SHELL` program reads POSIX shell (`/bin/bash`, `sh`), as
/// opposed to `cmd`, `powershell`, `pwsh` or an interpreter.
fn is_posix_shell(program: &str) -> bool {
    let name = program.rsplit(['/', '\\']).next().unwrap_or(program);
    let name = name
        .strip_suffix(".exe")
        .unwrap_or(name)
        .to_ascii_lowercase();
    matches!(
        name.as_str(),
        "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh" | "mksh" | "yash" | "busybox"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Parsed {
        let source = Source::new("Dockerfile", text);
        let mut out = Parsed::default();
        read(&source, &mut out);
        out
    }

    fn marked(text: &str, p: &Parsed) -> Vec<String> {
        let mut v: Vec<String> = p
            .containers
            .iter()
            .flat_map(|c| {
                c.seccomp
                    .iter()
                    .map(|s| s.at.span)
                    .chain(c.privileged.iter().map(|p| p.at.span))
            })
            .chain(p.builds.iter().map(|b| b.at.span))
            .chain(
                p.daemons
                    .iter()
                    .filter_map(|d| d.seccomp.as_ref().map(|s| s.at.span)),
            )
            .map(|s| text[s.range()].to_string())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn comment_and_empty_lines_inside_a_continued_run_are_dropped() {
        let t = "FROM x\nRUN docker run \\\n# a comment\n\n    --privileged img\n";
        let p = parse(t);
        assert_eq!(marked(t, &p), ["--privileged"]);
        assert_eq!(p.comments.len(), 1);
    }

    #[test]
    fn crlf_and_backtick_escape() {
        let t = "# escape=`\r\nFROM x\r\nRUN docker run `\r\n  --security-opt seccomp=unconfined img\r\n";
        assert_eq!(marked(t, &parse(t)), ["seccomp=unconfined"]);
        // With a backtick escape a backslash does not continue the line.
        let t = "# escape=`\nFROM x\nRUN docker run \\\n  --privileged img\n";
        assert!(marked(t, &parse(t)).is_empty());
    }

    #[test]
    fn exec_form_in_run_cmd_and_entrypoint() {
        let t = "FROM x\nRUN [\"docker\", \"run\", \"--privileged\", \"img\"]\nENTRYPOINT [\"dockerd\", \"--seccomp-profile=unconfined\"]\nCMD [\"--privileged\"]\n";
        assert_eq!(marked(t, &parse(t)), ["--privileged", "unconfined"]);
    }

    #[test]
    fn heredocs_are_scripts_or_data() {
        let t = "FROM x\nRUN <<EOF\ndocker run --privileged a\nEOF\nRUN cat <<EOF > /f\ndocker run --privileged b\nEOF\nRUN <<-'A' bash && <<B cat\n\tdocker run --security-opt seccomp=unconfined c\n\tA\nB\nRUN docker run --privileged d\n";
        let p = parse(t);
        assert_eq!(marked(t, &p), ["--privileged", "--privileged"]);
        let names: Vec<_> = p.containers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["`docker run` of a", "`docker run` of d"]);
    }

    #[test]
    fn python_heredoc_and_powershell_are_not_sh() {
        let t = "FROM x\nRUN <<EOF\n#!/usr/bin/env python3\nprint('docker run --privileged x')\nEOF\nSHELL [\"pwsh\", \"-c\"]\nRUN docker run --privileged y\nRUN [\"docker\", \"run\", \"--privileged\", \"z\"]\nFROM x\nRUN docker run --privileged w\n";
        let p = parse(t);
        let names: Vec<_> = p.containers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["`docker run` of z", "`docker run` of w"]);
    }

    #[test]
    fn labels_in_both_forms() {
        let t = "FROM x\nLABEL RUN docker run --privileged IMAGE\nLABEL INSTALL=\"docker run \\\n  --security-opt seccomp=unconfined IMAGE\" other=\"docker run --privileged\"\nLABEL description=\"docker run --privileged\"\n";
        assert_eq!(marked(t, &parse(t)), ["--privileged", "seccomp=unconfined"]);
    }

    #[test]
    fn copy_heredoc_bodies_are_not_instructions() {
        let t = "FROM x\nCOPY <<EOF /start.sh\nRUN docker run --privileged a\nEOF\nRUN docker run --privileged b\n";
        let p = parse(t);
        let names: Vec<_> = p.containers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["`docker run` of b"]);
    }

    #[test]
    fn insecure_flag_onbuild_and_unterminated_heredoc() {
        let t = "FROM x\nONBUILD RUN --security=insecure echo\nRUN --network=none \\\n  --security=insecure echo\nRUN <<EOF\nno end\n";
        let p = parse(t);
        assert_eq!(
            marked(t, &p),
            ["--security=insecure", "--security=insecure"]
        );
        assert_eq!(p.diagnostics.len(), 1);
    }
}
