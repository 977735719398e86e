//! Podman's engine configuration, `containers.conf` (TOML):
//! `[containers] seccomp_profile` sets the profile of every container.
//! `"unconfined"` disables seccomp engine-wide; any other value is a profile
//! path, resolved against the file's directory (Podman reads it as given,
//! usually an absolute host path, which a scan of the repository cannot
//! check and so reports as unresolved).
//!
//! A line reader of our own, for the one key: TOML crates with spans
//! (`toml_edit`) would add a parser stack for a single string, and a key
//! written in any form this reader does not take (a multi-line string, an
//! inline table) is a diagnostic, not a silent miss.

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Problem};
use crate::model::{Daemon, Parsed, Seccomp, Value};
use crate::source::{Location, Source, Span};

pub fn read(source: &Arc<Source>, out: &mut Parsed) {
    let text = source.text.as_str();
    let mut section = String::new();
    let mut offset = 0;
    let mut found: Option<Value<Seccomp>> = None;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start();
        let lead = body.len() - trimmed.len();
        if let Some(hash) = comment_start(trimmed) {
            out.comments.push(Location::new(
                source,
                Span::new(start + lead + hash, start + body.len()),
            ));
        }
        if let Some(s) = trimmed.strip_prefix('[') {
            section = s.split(']').next().unwrap_or("").trim().to_string();
            continue;
        }
        if section != "containers" {
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=') else {
            continue;
        };
        if key.trim() != "seccomp_profile" {
            continue;
        }
        let v_off = start + lead + key.len() + 1;
        let v = value.trim_start();
        let v_off = v_off + (value.len() - v.len());
        let quote = v.chars().next();
        let closing = match quote {
            Some(q @ ('"' | '\'')) if !v.starts_with("\"\"\"") && !v.starts_with("'''") => {
                v[1..].find(q).map(|i| (q, i))
            }
            _ => None,
        };
        let Some((q, len)) = closing else {
            out.diagnostics.push(Diagnostic::at(
                source,
                v_off,
                Problem::Shape {
                    format: "TOML",
                    expected: "containers.conf",
                    message: "`seccomp_profile` is not a one-line string".into(),
                },
            ));
            continue;
        };
        let content = &v[1..1 + len];
        if q == '"' && content.contains('\\') {
            out.diagnostics.push(Diagnostic::at(
                source,
                v_off,
                Problem::Shape {
                    format: "TOML",
                    expected: "containers.conf",
                    message: "escapes in `seccomp_profile` are not read".into(),
                },
            ));
            continue;
        }
        let at = Location::new(source, Span::new(v_off + 1, v_off + 1 + len));
        let seccomp = match content {
            "unconfined" => Seccomp::Unconfined,
            "" => continue,
            path => Seccomp::Profile {
                path: path.to_string(),
                base: source
                    .path
                    .parent()
                    .map(std::path::Path::to_path_buf)
                    .unwrap_or_default(),
            },
        };
        found = Some(Value::new(seccomp, at));
    }
    if let Some(seccomp) = found {
        out.daemons.push(Daemon {
            name: "Podman (`containers.conf`)".into(),
            at: Location::new(source, Span::new(0, 0)),
            seccomp: Some(seccomp),
        });
    }
}

/// Where a `#` comment starts on a line, outside strings.
fn comment_start(line: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '#') => return Some(i),
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_key_in_its_section() {
        let text = "[engine]\nseccomp_profile = \"unconfined\"\n\
                    [containers]\n# seccomp_profile = \"unconfined\"\n\
                    seccomp_profile = \"unconfined\" # the last one wins\n";
        let source = Source::new("containers.conf", text);
        let mut out = Parsed::default();
        read(&source, &mut out);
        let seccomp = out.daemons[0].seccomp.as_ref().unwrap();
        assert_eq!(seccomp.value, Seccomp::Unconfined);
        let (s, e) = source.region(seccomp.at.span);
        assert_eq!((s.line, s.column, e.line, e.column), (5, 20, 5, 30));
        assert_eq!(out.comments.len(), 2);
    }

    #[test]
    fn profile_paths_and_bad_values() {
        let source = Source::new(
            "conf/containers.conf",
            "[containers]\nseccomp_profile = 'profiles/p.json'\n",
        );
        let mut out = Parsed::default();
        read(&source, &mut out);
        assert!(matches!(
            &out.daemons[0].seccomp.as_ref().unwrap().value,
            Seccomp::Profile { path, .. } if path == "profiles/p.json"
        ));
        let source = Source::new(
            "containers.conf",
            "[containers]\nseccomp_profile = \"\"\"x\"\"\"\n",
        );
        let mut out = Parsed::default();
        read(&source, &mut out);
        assert!(out.daemons.is_empty());
        assert_eq!(out.diagnostics.len(), 1);
    }
}
