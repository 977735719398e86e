//! Compose's `${VAR}` interpolation, with the variables of the `.env` file.
//!
//! Compose substitutes from the shell environment first and the `.env` file
//! beside the Compose file second. A static scan must give the same answer on
//! every machine, so only `.env` and the defaults written in the file are
//! used: a value that depends on the caller's shell is "cannot be resolved",
//! which is never a finding.
//!
//! `.env` is read as compose-go's `dotenv` parser reads it
//! (`dotenv/parser.go`): statements start after blanks and `#` comment
//! lines; an optional `export`; a key of letters, digits, `_`, `.`, `-`,
//! `[`, `]` ended by `=` or `:` (a key alone on its line takes its value from
//! the shell: unknown here); an unquoted value runs to the end of the line,
//! cut at ` #`, trimmed, and has `${…}` expanded; a double-quoted value may
//! span lines, has `\n`-style escapes applied (`\$` stays a literal `$`) and
//! is expanded; a single-quoted value is literal (only `\'` is unescaped).
//! Expansion sees the variables defined above (`B=${A}`), through the same
//! [`interpolate`] as the Compose file, so a value remembers every `.env`
//! line it came from.

use std::collections::HashMap;
use std::sync::Arc;

use crate::source::{Location, Source, Span};

/// Variables from a `.env` file, each with where it is defined.
#[derive(Debug, Default, Clone)]
pub struct Env {
    vars: HashMap<String, Var>,
}

#[derive(Debug, Clone)]
struct Var {
    /// `None` when the value comes from the shell (or from a variable
    /// that does).
    value: Option<String>,
    /// The `KEY=value` statement.
    at: Location,
    /// The statements of the variables its value was expanded from.
    via: Vec<Location>,
}

/// Nested `${…:-${…}}` deeper than this is left unresolved.
const MAX_NESTING: usize = 16;

impl Env {
    pub fn parse(source: &Arc<Source>) -> Env {
        Env::default().parse_over(source)
    }

    /// These variables, then those of `source`, which may refer to them and
    /// win over them (an included project's `env_file` over its parent's).
    pub fn parse_over(self, source: &Arc<Source>) -> Env {
        let mut env = self;
        let text = source.text.as_str();
        let bytes = text.as_bytes();
        let mut i = 0;
        loop {
            // Blanks, line breaks and `#` comment lines before a statement.
            while i < bytes.len() && (bytes[i] as char).is_ascii_whitespace() {
                i += 1;
            }
            if i >= bytes.len() {
                break;
            }
            if bytes[i] == b'#' {
                i = line_end(text, i);
                continue;
            }
            if let Some(rest) = text[i..].strip_prefix("export")
                && rest.starts_with([' ', '\t'])
            {
                i += "export".len();
                while matches!(bytes.get(i), Some(b' ' | b'\t')) {
                    i += 1;
                }
            }
            let key_start = i;
            let Some(rel) = text[i..].find(['=', ':', '\n']) else {
                // A last line with a key alone: from the shell.
                env.insert(
                    text[key_start..].trim(),
                    None,
                    source,
                    key_start,
                    text.len(),
                    Vec::new(),
                );
                break;
            };
            let key_end = i + rel;
            let key = text[key_start..key_end].trim_end();
            let valid = !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '[' | ']'));
            if !valid {
                // Compose refuses the file here; what was read so far stands.
                break;
            }
            if bytes[key_end] == b'\n' {
                env.insert(key, None, source, key_start, key_end, Vec::new());
                i = key_end + 1;
                continue;
            }
            i = key_end + 1;
            while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\r')) {
                i += 1;
            }
            let mut via = Vec::new();
            let (value, end) = match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let Some((raw, end)) = quoted(text, i, q) else {
                        break;
                    };
                    let value = if q == b'"' {
                        expand(&unescape(&raw), &env, &mut via, 0)
                    } else {
                        Some(raw)
                    };
                    (value, end)
                }
                _ => {
                    let eol = line_end(text, i);
                    let line = &text[i..eol];
                    let value = line.split(" #").next().unwrap_or("").trim_end();
                    (expand(value, &env, &mut via, 0), i + value.len())
                }
            };
            env.insert(key, value, source, key_start, end.max(key_end), via);
            i = end.max(i);
        }
        env
    }

    fn insert(
        &mut self,
        key: &str,
        value: Option<String>,
        source: &Arc<Source>,
        start: usize,
        end: usize,
        via: Vec<Location>,
    ) {
        let at = Location::new(source, Span::new(start, end));
        self.vars.insert(key.to_string(), Var { value, at, via });
    }

    fn get(&self, name: &str) -> Option<&Var> {
        self.vars.get(name)
    }
}

/// The offset of the line break ending the line at `i`, or the end.
fn line_end(text: &str, i: usize) -> usize {
    text[i..].find('\n').map_or(text.len(), |n| i + n)
}

/// A quoted value starting at the quote `at`: its text with escaped quotes
/// unescaped (other backslashes kept for [`unescape`]), and the offset after
/// the closing quote. `None` when it is never closed (Compose refuses that).
fn quoted(text: &str, at: usize, quote: u8) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate().skip(at + 1) {
        if b == quote && !escaped {
            return Some((String::from_utf8_lossy(&out).into_owned(), i + 1));
        }
        if b == quote {
            out.push(b);
            escaped = false;
        } else if !escaped && b == b'\\' {
            escaped = true;
        } else {
            if escaped {
                out.push(b'\\');
                escaped = false;
            }
            out.push(b);
        }
    }
    None
}

/// The escapes of a double-quoted value (`\n`, `\t`, `\"`, `\\`, octal
/// `\0NNN`); `\$` becomes `$$`, a literal `$` to the expansion after it.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('a') => out.push('\u{7}'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some('$') => out.push_str("$$"),
            Some(c @ ('"' | '\\')) => out.push(c),
            Some('0') => {
                let mut code = 0u32;
                for _ in 0..3 {
                    match chars.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            code = code * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.extend(char::from_u32(code));
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
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
                out.push_str(&take(env.get(&input[i + 1..end])?, used)?);
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

/// A variable's value, with the `.env` lines it came from.
fn take(var: &Var, used: &mut Vec<Location>) -> Option<String> {
    let value = var.value.clone()?;
    used.push(var.at.clone());
    used.extend(var.via.iter().cloned());
    Some(value)
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
    // A variable that `.env` takes from the shell decides nothing here.
    if var.is_some_and(|v| v.value.is_none()) {
        return None;
    }
    let set = var.is_some();
    let non_empty = var.is_some_and(|v| v.value.as_ref().is_some_and(|s| !s.is_empty()));
    let take_var = |used: &mut Vec<Location>| take(var?, used);
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
    fn dotenv_as_compose_go_reads_it() {
        let e = env(concat!(
            "A=seccomp\n",
            "B=${A}=unconfined # comment\n",
            "C=\"${B}\"\n",
            "D='${B}'\n",
            "E=\"x\\$A\"\n",
            "export F: ${MISSING:-${A}}\n",
            "FROM_SHELL\n",
            "G=${FROM_SHELL}\n",
            "H=\"multi\nline\"\n",
            "I='it\\'s'\n",
            "   # indented comment\n",
            "dotted.key-1=v\n",
        ));
        let i = |s: &str| interpolate(s, &e).map(|(v, _)| v);
        assert_eq!(i("${B}").as_deref(), Some("seccomp=unconfined"));
        assert_eq!(i("${C}").as_deref(), Some("seccomp=unconfined"));
        assert_eq!(i("${D}").as_deref(), Some("${B}"));
        assert_eq!(i("${E}").as_deref(), Some("x$A"));
        assert_eq!(i("${F}").as_deref(), Some("seccomp"));
        assert_eq!(i("${FROM_SHELL:-x}"), None);
        assert_eq!(i("${G}"), None);
        assert_eq!(i("${H}").as_deref(), Some("multi\nline"));
        assert_eq!(i("${I}").as_deref(), Some("it's"));
        assert_eq!(i("${dotted.key-1}"), None);
        let (_, used) = interpolate("${C}", &e).unwrap();
        let lines: Vec<_> = used.iter().map(|l| l.text().to_string()).collect();
        assert_eq!(lines, ["C=\"${B}\"", "B=${A}=unconfined", "A=seccomp"]);
    }

    #[test]
    fn a_broken_dotenv_keeps_what_came_before() {
        let e = env("A=1\nB=\"never closed\nC=3\n");
        assert_eq!(
            interpolate("${A}", &e).map(|(v, _)| v).as_deref(),
            Some("1")
        );
        assert_eq!(interpolate("${C}", &e), None);
    }

    #[test]
    fn remembers_where_a_variable_is_defined() {
        let src = Source::new(".env", "# c\nSEC=seccomp=unconfined\n");
        let e = Env::parse(&src);
        let (_, used) = interpolate("${SEC}", &e).unwrap();
        assert_eq!(used[0].text(), "SEC=seccomp=unconfined");
    }
}
