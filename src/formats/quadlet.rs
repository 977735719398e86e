//! Podman Quadlet container units (`*.container`), systemd unit syntax.
//!
//! A small reader of our own: systemd's format is line-based (`[Section]`,
//! `Key=Value`, `#`/`;` comments, a trailing `\` continues a line), and a
//! crate would not keep byte offsets. Read: `SeccompProfile=` in
//! `[Container]`, which Quadlet turns into `--security-opt seccomp=VALUE`,
//! `AddCapability=`/`DropCapability=` (space-separated, `--cap-add`/`--cap-drop`),
//! and `PodmanArgs=`, whose flags go through the shared command-line reader
//! (`unconfined` disables the filter; anything else is a profile path,
//! resolved against the unit's directory). The last assignment wins, as in
//! systemd; an empty assignment resets to the default.
//!
//! A unit that starts with a UTF-8 byte-order mark is refused by Podman's
//! unit parser (`pkg/systemd/parser/unitfile.go`: `strings.TrimSpace` keeps
//! U+FEFF, so line 1 is neither a `[section]`, a comment nor a key): that is
//! a diagnostic, and the unit is still read as it will be once the mark is
//! gone.

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Problem};
use crate::model::{Capability, Container, Parsed, Platform, Seccomp, Value};
use crate::source::{Location, Source, Span};

pub fn read(source: &Arc<Source>, out: &mut Parsed) {
    if source.bom {
        out.diagnostics.push(Diagnostic::at(
            source,
            0,
            Problem::Syntax {
                format: "Quadlet unit",
                message: "Podman's Quadlet generator refuses a unit that starts with a UTF-8 \
                          byte-order mark (line 1 is then neither a section nor a comment); \
                          read here as it will be without the mark"
                    .into(),
            },
        ));
    }
    let text = source.text.as_str();
    let name = source
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut container = Container::new(
        format!("Quadlet unit `{name}`"),
        Platform::Engine,
        Location::new(source, Span::new(0, 0)),
    );
    let base = source
        .path
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let mut section = "";
    let mut in_container_section = false;
    let mut seccomp: Option<Value<Seccomp>> = None;
    let mut offset = 0;
    let mut continued = false;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let was_continued = continued;
        continued = body.ends_with('\\');
        if was_continued {
            continue;
        }
        let trimmed = body.trim_start();
        let lead = body.len() - trimmed.len();
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            out.comments.push(Location::new(
                source,
                Span::new(start + lead, start + body.len()),
            ));
            continued = false;
            continue;
        }
        if let Some(s) = trimmed.strip_prefix('[') {
            section = s.split(']').next().unwrap_or("");
            in_container_section |= section == "Container";
            continue;
        }
        if section != "Container" {
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=') else {
            continue;
        };
        if key.trim() == "PodmanArgs" {
            // Flags passed to `podman run` as written, continuation lines included.
            let value_start = start + lead + key.len() + 1;
            let mut end = offset;
            let mut last = body;
            let mut rest = &text[offset..];
            while last.ends_with('\\') && !rest.is_empty() {
                let next = rest.split_inclusive('\n').next().unwrap_or(rest);
                end += next.len();
                last = next.trim_end_matches(['\n', '\r']);
                rest = &rest[next.len()..];
            }
            let split = crate::cmdline::words::split(text, value_start, end);
            let words: Vec<_> = split.commands.into_iter().flatten().collect();
            crate::cmdline::apply_run_flags(source, &words, &base, &mut container);
            continue;
        }
        let value_start = start + lead + key.len() + 1;
        if let Some(list) = match key.trim() {
            "AddCapability" => Some(&mut container.capabilities.add),
            "DropCapability" => Some(&mut container.capabilities.drop),
            _ => None,
        } {
            // A space-separated list; the key may repeat, and an empty
            // assignment resets it, as for systemd's list settings.
            if value.trim().is_empty() {
                list.clear();
            }
            let mut at = value_start;
            for word in value.split_inclusive(char::is_whitespace) {
                let name = word.trim_end();
                if let Some(cap) = Capability::parse(name) {
                    let span = Span::new(at, at + name.len());
                    list.push(Value::new(cap, Location::new(source, span)));
                }
                at += word.len();
            }
            continue;
        }
        if key.trim() == "Image" {
            let v = value.trim();
            let v_start = value_start + (value.len() - value.trim_start().len());
            let span = Span::new(v_start, v_start + v.len());
            container.image =
                (!v.is_empty()).then(|| Value::new(v.to_string(), Location::new(source, span)));
            continue;
        }
        if key.trim() != "SeccompProfile" {
            continue;
        }
        let v = value.trim_start();
        let v_start = value_start + (value.len() - v.len());
        let v = v.trim_end();
        if v.is_empty() {
            seccomp = None;
            continue;
        }
        let at = Location::new(source, Span::new(v_start, v_start + v.len()));
        let setting = if v == "unconfined" {
            Seccomp::Unconfined
        } else {
            Seccomp::Profile {
                path: v.to_string(),
                base: base.clone(),
            }
        };
        seccomp = Some(Value::new(setting, at));
    }
    container.seccomp.extend(seccomp);
    // A unit with a `[Container]` section is a container even when it sets
    // nothing: it runs on the default profile, and an inventory lists it.
    if in_container_section {
        out.containers.push(container);
    }
}
