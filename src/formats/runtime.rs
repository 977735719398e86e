//! Runtime inventories: what `docker inspect` and `podman inspect` print
//! for containers, recognised by shape whatever the file is called (and
//! from `scan - --stdin-filename inspect.json`), so that the CIS 5.21
//! audit (`docker inspect $(docker ps -qa)`) can be judged with the same
//! rules as the files that declared the containers. `kubectl get -o
//! json|yaml` Lists are Kubernetes objects and go to the Kubernetes reader.
//!
//! The shape, from the engines' API types: a JSON array of objects, each
//! with `HostConfig` (moby `api/types/container/hostconfig.go`:
//! `Privileged bool`, `SecurityOpt []string`, `CapAdd`/`CapDrop`
//! `strslice.StrSlice`, any of them `null`), `Name` (moby
//! `ContainerJSONBase.Name`, with the leading `/` the daemon keeps; Podman's
//! `define.InspectContainerData.Name` without it) and the image by name in
//! `Config.Image` (Docker; the top-level `Image` is the image ID) or
//! `ImageName` (Podman). `docker image inspect` output has no `HostConfig`
//! and is not read.
//!
//! A security option means what it meant on the command line, with one
//! difference: the docker CLI reads a profile file and sends its compacted
//! JSON to the daemon (docker/cli `cli/command/container/opts.go`
//! `parseSecurityOpts`: `seccomp=` followed by the file's content unless it
//! is `unconfined` or `builtin`), so the inspected option holds the profile
//! itself, escaped inside a JSON string. It is read in place: the string is
//! unescaped into a copy of the file of the same length (each escape
//! becomes blanks followed by the character it stands for), the profile is
//! read from that copy, and its locations are moved back to the file, so a
//! permissive call is marked where it is written in the inspect output.
//!
//! The file is read through the YAML tree, as JSON is YAML; a file the tree
//! refuses is then checked as JSON, for a diagnostic in JSON's terms.

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Problem};
use crate::model::{
    Capability, Container, InlineProfile, Parsed, Platform, Seccomp, SecurityOpt, Value,
};
use crate::source::{Location, Source, Span};
use crate::yaml::YamlRef;

/// Whether a document is `docker inspect` / `podman inspect` output for
/// containers: an array whose objects have a `HostConfig` object.
pub fn is_inspect(root: YamlRef<'_>) -> bool {
    root.is_sequence()
        && root
            .items()
            .iter()
            .any(|i| i.is_mapping() && i.get("HostConfig").is_some_and(|h| h.is_mapping()))
}

/// Reads every inspected container.
pub fn read_inspect(source: &Arc<Source>, root: YamlRef<'_>, out: &mut Parsed) {
    let base = source
        .path
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    for item in root.items() {
        let Some(host) = item.get("HostConfig").filter(|h| h.is_mapping()) else {
            continue;
        };
        let at = |node: YamlRef<'_>| Location::new(source, node.span());
        let name = item
            .get("Name")
            .and_then(|n| Some((n, n.as_str()?.trim_start_matches('/'))))
            .filter(|(_, n)| !n.is_empty());
        let id = item.get("Id").and_then(|i| i.as_str()).unwrap_or("");
        let label = match name {
            Some((_, n)) => format!("container `{n}`"),
            None => format!("container `{}`", &id[..id.len().min(12)]),
        };
        let declared = name.map_or_else(
            || Location::new(source, Span::new(item.span().start, item.span().start + 1)),
            |(n, _)| at(n),
        );
        let mut container = Container::new(label, Platform::Engine, declared);
        container.image = item
            .get("Config")
            .and_then(|c| c.get("Image"))
            .or_else(|| item.get("ImageName"))
            .and_then(|i| Some(Value::new(i.as_str()?.to_string(), at(i))));
        container.privileged = host
            .get("Privileged")
            .and_then(|p| Some(Value::new(p.as_bool()?, at(p))));
        for opt in host
            .get("SecurityOpt")
            .map(|o| o.items())
            .unwrap_or_default()
        {
            let Some(text) = opt.as_str() else { continue };
            let seccomp = match SecurityOpt::parse(text) {
                SecurityOpt::SeccompUnconfined => Seccomp::Unconfined,
                SecurityOpt::SeccompProfile(content) if content.trim_start().starts_with('{') => {
                    match inline(source, opt, text.len() - content.len()) {
                        Ok(profile) => Seccomp::Inline(InlineProfile(Arc::new(profile))),
                        Err((offset, message)) => {
                            out.diagnostics.push(Diagnostic::at(
                                source,
                                offset,
                                Problem::Shape {
                                    format: "JSON",
                                    expected: "seccomp profile",
                                    message: format!("the inline seccomp profile: {message}"),
                                },
                            ));
                            continue;
                        }
                    }
                }
                other => match other.seccomp(&base) {
                    Some(seccomp) => seccomp,
                    None => continue,
                },
            };
            container.seccomp.push(Value::new(seccomp, at(opt)));
        }
        for (key, list) in [
            ("CapAdd", &mut container.capabilities.add),
            ("CapDrop", &mut container.capabilities.drop),
        ] {
            for cap in host.get(key).map(|l| l.items()).unwrap_or_default() {
                if let Some(c) = cap.as_str().and_then(Capability::parse) {
                    list.push(Value::new(c, at(cap)));
                }
            }
        }
        out.containers.push(container);
    }
}

/// The profile written inside the JSON string `opt` after `skip` bytes of
/// its value (`seccomp=`), read from a same-length copy of the file in
/// which only that JSON is left, unescaped in place; errors at file offsets.
fn inline(
    source: &Arc<Source>,
    opt: YamlRef<'_>,
    skip: usize,
) -> Result<crate::model::SeccompProfile, (usize, String)> {
    let span = opt.span();
    let raw = source.slice(span);
    // The value as written must be a double-quoted JSON string whose
    // prefix (`seccomp=`) has no escapes: then `skip` decoded bytes are
    // `skip` written ones.
    if !raw.is_char_boundary(skip.min(raw.len())) || raw[..skip.min(raw.len())].contains('\\') {
        return Err((span.start, "written with escapes before the profile".into()));
    }
    let mut copy: Vec<u8> = source
        .text
        .bytes()
        .map(|b| if b == b'\n' { b'\n' } else { b' ' })
        .collect();
    let start = span.start + skip;
    let unescaped = unescape_in_place(&source.text[start..span.end])
        .ok_or((start, "an escape sequence that is not JSON".to_string()))?;
    copy[start..span.end].copy_from_slice(unescaped.as_bytes());
    let text = String::from_utf8(copy).map_err(|_| (start, "not UTF-8 once unescaped".into()))?;
    let shadow = Source::new(&source.path, text);
    let mut profile = crate::formats::seccomp_profile::parse(&shadow)?;
    profile.relocate(source);
    Ok(profile)
}

/// A JSON string's content, decoded, with every character at its written
/// offset: each escape sequence becomes the character it stands for and
/// blanks. Blanks go where the inner JSON ignores them — before a
/// character between its tokens, after a string's closing quote — so that
/// `{\"a\":1}` reads as `{ "a" :1}`; inside the inner JSON's strings
/// they can only go into the string (after an escape of its own), which
/// changes nothing a profile's names and actions are written with. An
/// escape JSON does not have gives `None`.
fn unescape_in_place(raw: &str) -> Option<String> {
    let b = raw.as_bytes();
    let mut decoded: Vec<(char, usize)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            let c = raw[i..].chars().next()?;
            decoded.push((c, c.len_utf8()));
            i += c.len_utf8();
            continue;
        }
        let (c, len) = match *b.get(i + 1)? {
            e @ (b'"' | b'\\' | b'/') => (e as char, 2),
            // Whitespace between the inner JSON's tokens; inside one of its
            // strings a raw control character is not JSON anyway.
            b'n' | b't' | b'r' | b'b' | b'f' => (' ', 2),
            b'u' => {
                let hex = |at: usize| u32::from_str_radix(raw.get(at..at + 4)?, 16).ok();
                let first = hex(i + 2)?;
                if (0xD800..0xDC00).contains(&first)
                    && raw.get(i + 6..i + 8) == Some("\\u")
                    && let Some(second) = hex(i + 8)
                {
                    let code = 0x10000 + ((first - 0xD800) << 10) + second.wrapping_sub(0xDC00);
                    (char::from_u32(code)?, 12)
                } else {
                    let c = char::from_u32(first).unwrap_or(' ');
                    (if c.is_control() { ' ' } else { c }, 6)
                }
            }
            _ => return None,
        };
        decoded.push((c, len));
        i += len;
    }
    let blanks = |out: &mut String, n: usize| out.extend(std::iter::repeat_n(' ', n));
    let mut out = String::with_capacity(raw.len());
    let (mut inside, mut escaped, mut owed) = (false, false, 0);
    for (c, len) in decoded {
        let pad = len - c.len_utf8();
        if !inside {
            blanks(&mut out, pad);
            out.push(c);
            inside = c == '"';
        } else if escaped {
            out.push(c);
            blanks(&mut out, pad + owed);
            (escaped, owed) = (false, 0);
        } else if c == '\\' {
            out.push(c);
            (escaped, owed) = (true, pad);
        } else {
            out.push(c);
            blanks(&mut out, pad);
            inside = c != '"';
        }
    }
    blanks(&mut out, owed);
    (out.len() == raw.len()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::unescape_in_place;

    #[test]
    fn escapes_keep_their_length() {
        assert_eq!(
            unescape_in_place(r#"{\"a\":\"b\u003cc\"}"#).unwrap(),
            r#"{ "a" : "b<     c" }"#
        );
        // An escaped quote inside an inner string stays one escape.
        assert_eq!(unescape_in_place(r#"\"x\\\"y\""#).unwrap(), r#" "x\"  y" "#);
        let s = r#"\"x\ud83d\ude00y\""#;
        assert_eq!(unescape_in_place(s).unwrap().len(), s.len());
        assert_eq!(unescape_in_place(r"\q"), None);
    }
}
