//! Compose's `${VAR}` interpolation, with the variables of the `.env` file.
//!
//! Compose substitutes from the shell environment first and the `.env` file
//! beside the Compose file second. A static scan must give the same answer on
//! every machine, so only `.env` and the defaults written in the file are
//! used: a value that depends on the caller's shell is "cannot be resolved",
//! which is never a finding.

use std::collections::HashMap;
use std::sync::Arc;

use crate::source::{Location, Source, Span};

/// Variables from a `.env` file, each with where it is defined.
#[derive(Debug, Default, Clone)]
pub struct Env {
    vars: HashMap<String, (String, Location)>,
}

/// Nested `${…:-${…}}` deeper than this is left unresolved.
const MAX_NESTING: usize = 16;

impl Env {
    /// Parses dotenv syntax: `KEY=value`, `export KEY=value`, quoted values,
    /// `#` comments (inline only after whitespace, outside quotes).
    pub fn parse(source: &Arc<Source>) -> Env {
        let mut vars = HashMap::new();
        let text = &source.text;
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let line_start = offset;
            offset += line.len();
            let trimmed = line.trim_start();
            let lead = line.len() - trimmed.len();
            let body = trimmed.strip_prefix("export ").unwrap_or(trimmed);
            let lead = lead + (trimmed.len() - body.len());
            if body.starts_with('#') {
                continue;
            }
            let Some((key, raw)) = body.split_once('=') else {
                continue;
            };
            let key = key.trim();
            if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let raw = raw.trim_end_matches(['\n', '\r']);
            let value = unquote_env_value(raw.trim());
            let span = Span::new(line_start + lead, line_start + lead + body.trim_end().len());
            vars.insert(key.to_string(), (value, Location::new(source, span)));
        }
        Env { vars }
    }

    fn get(&self, name: &str) -> Option<&(String, Location)> {
        self.vars.get(name)
    }
}

fn unquote_env_value(raw: &str) -> String {
    if let Some(inner) = raw.strip_prefix('"').and_then(|r| r.rsplit_once('"')) {
        return inner.0.replace("\\n", "\n").replace("\\\"", "\"");
    }
    if let Some(inner) = raw.strip_prefix('\'').and_then(|r| r.rsplit_once('\'')) {
        return inner.0.to_string();
    }
    match raw.find(" #") {
        Some(i) => raw[..i].trim_end().to_string(),
        None => raw.to_string(),
    }
}

/// The interpolated text and the `.env` lines it drew on; `None` when any
/// variable cannot be resolved from `.env` or a default.
pub fn interpolate(input: &str, env: &Env) -> Option<(String, Vec<Location>)> {
    let mut used = Vec::new();
    let out = expand(input, env, &mut used, 0)?;
    Some((out, used))
}

fn expand(input: &str, env: &Env, used: &mut Vec<Location>, depth: usize) -> Option<String> {
    if depth > MAX_NESTING {
        return None;
    }
    if !input.contains('$') {
        return Some(input.to_string());
    }
    let bytes = input.as_bytes();
    let mut out = String::with_capacity(input.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            let next = input[i..].find('$').map_or(input.len(), |n| i + n);
            out.push_str(&input[i..next]);
            i = next;
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'$') => {
                out.push('$');
                i += 2;
            }
            Some(b'{') => {
                let close = matching_brace(input, i + 1)?;
                let inner = &input[i + 2..close];
                out.push_str(&braced(inner, env, used, depth)?);
                i = close + 1;
            }
            Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
                let end = input[i + 1..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map_or(input.len(), |n| i + 1 + n);
                let (value, at) = env.get(&input[i + 1..end])?;
                used.push(at.clone());
                out.push_str(value);
                i = end;
            }
            _ => {
                out.push('$');
                i += 1;
            }
        }
    }
    Some(out)
}

fn matching_brace(input: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in input.bytes().enumerate().skip(open) {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// `NAME`, `NAME:-default`, `NAME-default`, `NAME:?err`, `NAME?err`,
/// `NAME:+alt`, `NAME+alt`.
fn braced(inner: &str, env: &Env, used: &mut Vec<Location>, depth: usize) -> Option<String> {
    let name_end = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    let (name, op) = inner.split_at(name_end);
    if name.is_empty() {
        return None;
    }
    let var = env.get(name);
    let set = var.is_some();
    let non_empty = var.is_some_and(|(v, _)| !v.is_empty());
    let take_var = |used: &mut Vec<Location>| {
        let (v, at) = var?;
        used.push(at.clone());
        Some(v.clone())
    };
    let (flavour, arg) = if let Some(a) = op.strip_prefix(":-") {
        (":-", a)
    } else if let Some(a) = op.strip_prefix(":?") {
        (":?", a)
    } else if let Some(a) = op.strip_prefix(":+") {
        (":+", a)
    } else if let Some(a) = op.strip_prefix('-') {
        ("-", a)
    } else if let Some(a) = op.strip_prefix('?') {
        ("?", a)
    } else if let Some(a) = op.strip_prefix('+') {
        ("+", a)
    } else if op.is_empty() {
        ("", "")
    } else {
        return None;
    };
    match flavour {
        "" | ":?" | "?" => take_var(used),
        ":-" if non_empty => take_var(used),
        "-" if set => take_var(used),
        ":-" | "-" => expand(arg, env, used, depth + 1),
        ":+" if non_empty => expand(arg, env, used, depth + 1),
        "+" if set => expand(arg, env, used, depth + 1),
        _ => Some(String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(text: &str) -> Env {
        Env::parse(&Source::new(".env", text))
    }

    #[test]
    fn compose_forms() {
        let e = env("SEC=seccomp=unconfined\nEMPTY=\nexport Q='a b' # c\nX=\"y\" \n");
        let i = |s: &str| interpolate(s, &e).map(|(v, _)| v);
        assert_eq!(i("${SEC}").as_deref(), Some("seccomp=unconfined"));
        assert_eq!(i("$SEC").as_deref(), Some("seccomp=unconfined"));
        assert_eq!(
            i("${NOPE:-seccomp:unconfined}").as_deref(),
            Some("seccomp:unconfined")
        );
        assert_eq!(i("${EMPTY:-d}").as_deref(), Some("d"));
        assert_eq!(i("${EMPTY-d}").as_deref(), Some(""));
        assert_eq!(i("${NOPE-${SEC}}").as_deref(), Some("seccomp=unconfined"));
        assert_eq!(i("${SEC:+alt}").as_deref(), Some("alt"));
        assert_eq!(i("${NOPE:+alt}").as_deref(), Some(""));
        assert_eq!(i("$$SEC").as_deref(), Some("$SEC"));
        assert_eq!(i("${Q}").as_deref(), Some("a b"));
        assert_eq!(i("${X}").as_deref(), Some("y"));
        assert_eq!(i("${NOPE}"), None);
        assert_eq!(i("${NOPE:?must be set}"), None);
        assert_eq!(i("${unterminated"), None);
    }

    #[test]
    fn remembers_where_a_variable_is_defined() {
        let src = Source::new(".env", "# c\nSEC=seccomp=unconfined\n");
        let e = Env::parse(&src);
        let (_, used) = interpolate("${SEC}", &e).unwrap();
        assert_eq!(used[0].text(), "SEC=seccomp=unconfined");
    }
}
