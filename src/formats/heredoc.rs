//! Files that scripts write from here-documents: `cat > docker-compose.yml
//! <<EOF`, `tee /etc/docker/daemon.json <<'EOF'`, `cat <<EOF >
//! .devcontainer/devcontainer.json`, and manifests handed to `kubectl apply
//! -f - <<EOF`. The body is read as the format the target's name gives
//! ([`classify`](super::classify)), with positions in the script: it is
//! parsed from a copy of the script of the same length in which everything
//! but the body is blank, and what was read is moved back to the script
//! ([`Parsed::relocate`]).
//!
//! The body is what the shell writes (POSIX §2.7.4, bash "Here
//! Documents"): with a quoted delimiter (`<<'EOF'`, `<<"EOF"`, `<<\EOF`)
//! it is literal; with an unquoted one the shell expands parameters,
//! command substitutions and arithmetic in it, and `\` escapes `$`, `` ` ``
//! and `\`. An expansion's value is not in the file: each is left as `$`
//! followed by blanks of its length (`_`), so a format still sees a value
//! there, and settings that come out holding one (a profile path, an image)
//! are dropped as unknown; a Compose file sees an interpolation of its own,
//! which it cannot resolve either. `<<-` strips leading tabs: they become
//! blanks, which YAML reads as the same indentation when every line had
//! the same tabs.
//!
//! A body written to a script is read as a script, to [`MAX_DEPTH`] levels;
//! Markdown is not read (documentation). The splitter
//! ([`words`](crate::cmdline::words)) gives the bodies and their commands;
//! the command reader ([`cmdline`](crate::cmdline)) decides which command
//! writes where.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Kind, Sniffed};
use crate::diagnostic::{Diagnostic, Problem};
use crate::model::{Parsed, Seccomp, WrittenFile};
use crate::read::Reader;
use crate::source::Source;

/// Levels of scripts that write scripts that are read.
pub const MAX_DEPTH: usize = 4;
/// Written files read per script: each costs a copy of the script, so a
/// generated script with thousands of here-documents stays linear.
pub const MAX_FILES: usize = 64;

/// Reads every file the script `source` writes, into `out`.
pub fn read_written(
    source: &Arc<Source>,
    reader: &Reader,
    written: Vec<WrittenFile>,
    depth: usize,
    out: &mut Parsed,
) {
    let dir = source.path.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut read = 0;
    for file in written {
        if read == MAX_FILES {
            out.diagnostics.push(Diagnostic::at(
                source,
                file.body.start,
                Problem::Limit(format!(
                    "more than {MAX_FILES} here-documents write files; the rest are not read"
                )),
            ));
            break;
        }
        if let Some(parsed) = read_one(source, reader, &dir, &file, depth) {
            read += 1;
            absorb(out, parsed);
        }
    }
}

fn read_one(
    source: &Arc<Source>,
    reader: &Reader,
    dir: &Path,
    file: &WrittenFile,
    depth: usize,
) -> Option<Parsed> {
    let body = file.body;
    if body.end > source.text.len() || body.is_empty() {
        return None;
    }
    let name = file.target.rsplit('/').next().unwrap_or("");
    if name.is_empty() || name.contains(['$', '`']) {
        return None;
    }
    // Where the file lands decides only its name and directory; a target
    // built from variables keeps its own name.
    let target = if file.target.contains(['$', '`']) {
        PathBuf::from(name)
    } else {
        PathBuf::from(&file.target)
    };
    let path = dir.join(target);
    let mut kind = super::classify(&path)?;
    let text = copy(source, file);
    let body_text = &text[body.range()];
    if kind == Kind::MaybeShell {
        kind = match super::sniff(body_text.trim_start().as_bytes()) {
            Some(Sniffed::Shell) => Kind::Shell,
            Some(Sniffed::Yaml) => Kind::Yaml,
            Some(Sniffed::Json) => Kind::Json,
            None => return None,
        };
    }
    let shadow = Source::new(path, text);
    let mut parsed = match kind {
        Kind::Markdown => return None,
        Kind::Shell if depth + 1 >= MAX_DEPTH => return None,
        Kind::Shell => {
            let mut p = Parsed::default();
            super::shell::read_at(&shadow, reader, depth + 1, &mut p);
            p
        }
        _ => super::parse(kind, &shadow, reader),
    };
    if file.expands {
        drop_expanded(&mut parsed);
    }
    // A declaration placed at the start of its file (a devcontainer, a
    // Quadlet unit) starts where the body does.
    for c in &mut parsed.containers {
        if !(body.start..body.end).contains(&c.at.span.start) {
            c.at.span = crate::source::Span::new(body.start, body.start);
        }
    }
    parsed.relocate(source);
    Some(parsed)
}

/// The script with everything but the body blank (line breaks kept), the
/// body as the shell writes it as far as offsets allow: see the module doc.
fn copy(source: &Source, file: &WrittenFile) -> String {
    let text = source.text.as_bytes();
    let mut out: Vec<u8> = text
        .iter()
        .map(|&b| if b == b'\n' { b'\n' } else { b' ' })
        .collect();
    let body = file.body;
    out[body.range()].copy_from_slice(&text[body.range()]);
    let b = &mut out[body.range()];
    if file.strip_tabs {
        let mut line_start = true;
        for c in b.iter_mut() {
            match *c {
                b'\t' if line_start => *c = b' ',
                b'\n' => line_start = true,
                _ => line_start = false,
            }
        }
    }
    if file.expands {
        blank_expansions(b);
    }
    // Only ASCII bytes were replaced, by ASCII: still UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// `$NAME`, `${…}`, `$(…)`, `$((…))` and `` `…` `` become `$` and `_`s
/// (line breaks inside kept); `\$`, `` \` `` and `\\` become a blank and
/// the character.
fn blank_expansions(b: &mut [u8]) {
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if matches!(b.get(i + 1), Some(b'$' | b'`' | b'\\')) => {
                b[i] = b' ';
                i += 2;
            }
            b'$' => {
                let end = match b.get(i + 1) {
                    Some(b'{') => closing(b, i + 1, b'{', b'}'),
                    Some(b'(') => closing(b, i + 1, b'(', b')'),
                    Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
                        let mut j = i + 1;
                        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                            j += 1;
                        }
                        j
                    }
                    Some(c) if c.is_ascii_digit() || b"@*#?$!-".contains(c) => i + 2,
                    _ => i + 1,
                };
                blank(b, i + 1, end);
                i = end.max(i + 1);
            }
            b'`' => {
                let end = b[i + 1..]
                    .iter()
                    .position(|&c| c == b'`')
                    .map_or(b.len(), |k| i + 1 + k + 1);
                b[i] = b'$';
                blank(b, i + 1, end);
                i = end;
            }
            _ => i += 1,
        }
    }
}

/// The index after the bracket that closes the one at `open`.
fn closing(b: &[u8], open: usize, l: u8, r: u8) -> usize {
    let mut depth = 0usize;
    for (k, &c) in b.iter().enumerate().skip(open) {
        if c == l {
            depth += 1;
        } else if c == r {
            depth -= 1;
            if depth == 0 {
                return k + 1;
            }
        }
    }
    b.len()
}

fn blank(b: &mut [u8], from: usize, to: usize) {
    let n = b.len();
    for c in &mut b[from.min(n)..to.min(n)] {
        if *c != b'\n' {
            *c = b'_';
        }
    }
}

/// Settings whose text came out of an expansion are not known.
fn drop_expanded(parsed: &mut Parsed) {
    let from_shell = |s: &str| s.contains('$');
    for c in &mut parsed.containers {
        c.seccomp.retain(|s| match &s.value {
            Seccomp::Profile { path, .. } => !from_shell(path),
            Seccomp::Localhost(name) => !from_shell(name),
            _ => true,
        });
        if c.image.as_ref().is_some_and(|i| from_shell(&i.value)) {
            c.image = None;
        }
    }
    for d in &mut parsed.daemons {
        if d.seccomp
            .as_ref()
            .is_some_and(|s| matches!(&s.value, Seccomp::Profile { path, .. } if from_shell(path)))
        {
            d.seccomp = None;
        }
    }
}

/// Adds what a written file gave to the script's own model.
fn absorb(out: &mut Parsed, parsed: Parsed) {
    out.containers.extend(parsed.containers);
    out.daemons.extend(parsed.daemons);
    out.builds.extend(parsed.builds);
    out.comments.extend(parsed.comments);
    out.diagnostics.extend(parsed.diagnostics);
    if out.profile.is_none() {
        out.profile = parsed.profile;
    }
}

#[cfg(test)]
mod tests {
    use super::blank_expansions;

    #[test]
    fn many_written_files_stop_at_the_limit() {
        let mut text = String::from("#!/bin/sh\n");
        for i in 0..200 {
            text.push_str(&format!(
                "cat > compose{i}.yaml <<'EOF'\nservices:\n  s{i}:\n    image: x\n    privileged: true\nEOF\n"
            ));
        }
        let source = crate::source::Source::new("/nonexistent/heredoc/gen.sh", text);
        let reader = crate::read::Reader::new(&[std::path::PathBuf::from("/nonexistent")], 1 << 20);
        let parsed = super::super::parse(super::Kind::Shell, &source, &reader);
        assert_eq!(parsed.containers.len(), super::MAX_FILES);
        assert_eq!(parsed.diagnostics.len(), 1);
        // Every location is in the script, at the body's line.
        let first = &parsed.containers[0];
        assert!(std::sync::Arc::ptr_eq(&first.at.source, &source));
        assert_eq!(first.privileged.as_ref().unwrap().at.start().line, 6);
    }

    #[test]
    fn expansions_keep_their_length() {
        let mut b = b"a: $HOME/x ${A:-b} $(date +%s) `id` \\$LIT $1\n".to_vec();
        blank_expansions(&mut b);
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "a: $____/x $______ $__________ $___  $LIT $_\n"
        );
    }
}
