//! JSON and JSONC with positions, read the way each engine reads them.
//!
//! Two passes. First a grammar check of our own (RFC 8259, plus comments
//! and trailing commas where the engine allows them): one loop with an
//! explicit stack, so any nesting depth costs no native stack, and it names
//! the first byte that is not JSON. Then `jsonc-parser` 0.34 `parse_to_ast`
//! (DESIGN.md crate notes: a byte range for every value and comment, no
//! dependencies) builds the tree, with everything JSON does not allow
//! switched off (its defaults take single quotes, hex numbers, missing
//! commas and bare words as keys). The check exists because with those
//! options `jsonc-parser` still takes an empty or whitespace-only document,
//! form feeds and other Unicode spaces between tokens, and raw tab, newline
//! and control characters inside strings (nst/JSONTestSuite, run in
//! `tests/conformance`). What the check accepts and `jsonc-parser` refuses
//! (lone surrogate escapes such as `"\ud800"`, which Go decodes to U+FFFD;
//! nesting past its 512 levels, where Go's decoder stops at 10,000) is a
//! limit of seccheck's, reported as such.
//!
//! The engines, from their sources:
//! - Go's `encoding/json` reads seccomp profiles (Docker, Podman, runc) and
//!   `docker inspect` output; HCL's JSON syntax (`hashicorp/hcl` `json/`:
//!   whitespace is space, tab, CR and LF, no comment token) reads bake and
//!   Terraform JSON. Both are strict RFC 8259: [`Dialect::Strict`].
//! - dockerd's `daemon.json` (moby `daemon/config.getConflictFreeConfiguration`)
//!   is decoded by its byte-order mark (UTF-8 or UTF-16), trimmed with
//!   `bytes.TrimSpace`, and an empty result is an empty configuration;
//!   the rest goes to `json.Unmarshal`: [`Dialect::DaemonConfig`].
//! - devcontainer.json: the devcontainer CLI (`configContainer.ts`
//!   `readDevContainerConfigFile`) calls npm `jsonc-parser`'s `parse` without
//!   asking for its errors, so comments, trailing commas and even broken
//!   syntax are read past; only a result that is not an object is refused.
//!   seccheck reads JSONC (comments, trailing commas) and says that it
//!   could not read anything beyond: [`Dialect::Devcontainer`].
//!
//! Duplicate keys: Go's decoder, JavaScript's and npm `jsonc-parser` keep
//! the last value of a repeated key, so the tree keeps only the last
//! property of each name (`{"seccomp-profile": "x", "seccomp-profile":
//! "unconfined"}` is unconfined, not `x`).

use jsonc_parser::ast::{ObjectProp, Value};
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions};

use crate::diagnostic::Problem;
use crate::source::{LineIndex, Span};

/// How the engine that reads a file reads JSON; see the module doc.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// RFC 8259: Go's `encoding/json`, HCL's JSON syntax.
    Strict,
    /// dockerd's `daemon.json`: a file of whitespace only is an empty
    /// configuration, and whitespace around the value may be any Unicode
    /// space.
    DaemonConfig,
    /// devcontainer.json: comments and trailing commas.
    Devcontainer,
}

impl Dialect {
    fn comments_and_trailing_commas(self) -> bool {
        self == Dialect::Devcontainer
    }

    fn name(self) -> &'static str {
        match self {
            Dialect::Devcontainer => "JSONC",
            Dialect::Strict | Dialect::DaemonConfig => "JSON",
        }
    }
}

/// A parsed document: the root value (none for an empty `daemon.json`) and
/// the comment spans.
pub struct Json<'a> {
    pub root: Option<Value<'a>>,
    pub comments: Vec<Span>,
}

/// Why the text could not be read: the offset of the first byte that could
/// not be accepted, and a message.
#[derive(Debug)]
pub struct JsonError {
    pub offset: usize,
    pub message: String,
    /// The engine may well read the file: a limit of seccheck's.
    pub limit: bool,
}

impl JsonError {
    fn at(offset: usize, message: impl Into<String>) -> JsonError {
        JsonError {
            offset,
            message: message.into(),
            limit: false,
        }
    }

    /// The diagnostic: "not valid" only when the engine refuses the file too.
    pub fn problem(&self, dialect: Dialect) -> Problem {
        if self.limit {
            Problem::Unreadable(self.message.clone())
        } else {
            Problem::Syntax {
                format: dialect.name(),
                message: self.message.clone(),
            }
        }
    }
}

/// [`parse`], with a failure recorded as a positioned diagnostic in `out`:
/// what every JSON format does with a file it cannot read.
pub fn parse_or_report<'a>(
    source: &'a crate::source::Source,
    dialect: Dialect,
    out: &mut crate::model::Parsed,
) -> Option<Json<'a>> {
    match parse(&source.text, dialect) {
        Ok(doc) => Some(doc),
        Err(e) => {
            out.diagnostics.push(crate::diagnostic::Diagnostic::at(
                source,
                e.offset,
                e.problem(dialect),
            ));
            None
        }
    }
}

/// Reads `text` as the engine of `dialect` would.
pub fn parse(text: &str, dialect: Dialect) -> Result<Json<'_>, JsonError> {
    let jsonc = dialect.comments_and_trailing_commas();
    let checked = if dialect == Dialect::DaemonConfig {
        let start = text.len() - text.trim_start().len();
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Ok(Json {
                root: None,
                comments: Vec::new(),
            });
        }
        check_grammar(text, start..start + trimmed.len(), jsonc)
    } else {
        check_grammar(text, 0..text.len(), jsonc)
    };
    if let Err(mut e) = checked {
        if dialect == Dialect::Devcontainer && e.message != NO_VALUE {
            // The devcontainer CLI reads past syntax errors; seccheck does not.
            e.message = format!(
                "{} (the devcontainer CLI reads past syntax errors; seccheck stops here)",
                e.message
            );
            e.limit = true;
        }
        return Err(e);
    }
    let options = ParseOptions {
        allow_comments: jsonc,
        allow_loose_object_property_names: false,
        allow_trailing_commas: jsonc,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let collect = CollectOptions {
        comments: if jsonc {
            CommentCollectionStrategy::Separate
        } else {
            CommentCollectionStrategy::Off
        },
        tokens: false,
    };
    let mut result = jsonc_parser::parse_to_ast(text, &collect, &options).map_err(|e| {
        // The text is valid JSON for its engine (checked above).
        JsonError {
            offset: e.range().start,
            message: e.kind().to_string(),
            limit: true,
        }
    })?;
    if let Some(root) = result.value.as_mut() {
        keep_last_of_each_key(root);
    }
    let mut comments: Vec<Span> = result
        .comments
        .iter()
        .flat_map(|map| map.values())
        .flat_map(|list| list.iter())
        .map(|c| {
            use jsonc_parser::common::Ranged;
            let r = c.range();
            Span::new(r.start, r.end)
        })
        .collect();
    comments.sort_by_key(|s| s.start);
    comments.dedup();
    Ok(Json {
        root: result.value,
        comments,
    })
}

/// The span of a value; for a string, the content inside the quotes, which
/// is what a finding marks.
pub fn span(value: &Value<'_>) -> Span {
    use jsonc_parser::common::Ranged;
    let r = value.range();
    match value {
        Value::StringLit(_) if r.end >= r.start + 2 => Span::new(r.start + 1, r.end - 1),
        _ => Span::new(r.start, r.end),
    }
}

/// Drops every property that a later one of the same name overrides.
fn keep_last_of_each_key(root: &mut Value<'_>) {
    let mut stack = vec![root];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(object) => {
                drop_overridden(&mut object.properties);
                stack.extend(object.properties.iter_mut().map(|p| &mut p.value));
            }
            Value::Array(array) => stack.extend(array.elements.iter_mut()),
            _ => {}
        }
    }
}

fn drop_overridden(properties: &mut Vec<ObjectProp<'_>>) {
    if properties.len() < 2 {
        return;
    }
    let mut seen = std::collections::HashSet::new();
    let keep: Vec<bool> = properties
        .iter()
        .rev()
        .map(|p| seen.insert(p.name.as_str().to_string()))
        .collect();
    let mut keep = keep.into_iter().rev();
    properties.retain(|_| keep.next().unwrap_or(true));
}

/// Whitespace and comments only: every engine refuses that (the devcontainer
/// CLI too: "must contain a JSON object literal"), except dockerd.
const NO_VALUE: &str = "no JSON value";

/// What the grammar check expects next.
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    Value,
    /// After `[` (or, in JSONC, after a comma in an array).
    ValueOrClose,
    /// After `{` (or, in JSONC, after a comma in an object).
    KeyOrClose,
    Key,
    Colon,
    CommaOrClose,
    End,
}

/// Checks `text[range]` against JSON's grammar (RFC 8259), with comments and
/// trailing commas when `jsonc`; the error is at the first byte that does not
/// fit. `text` outside `range` is ignored (trimmed whitespace).
fn check_grammar(text: &str, range: std::ops::Range<usize>, jsonc: bool) -> Result<(), JsonError> {
    let b = &text.as_bytes()[..range.end];
    let mut i = range.start;
    // The offset of each open `[` or `{`.
    let mut open: Vec<usize> = Vec::new();
    let mut expect = Expect::Value;
    let opened_at = |at: usize| {
        let p = LineIndex::new(text).position(text, at);
        format!("line {}, column {}", p.line, p.column)
    };
    loop {
        // Whitespace, and comments where allowed.
        while let Some(&c) = b.get(i) {
            match c {
                b' ' | b'\t' | b'\n' | b'\r' => i += 1,
                b'/' if jsonc && b.get(i + 1) == Some(&b'/') => {
                    i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
                }
                b'/' if jsonc && b.get(i + 1) == Some(&b'*') => {
                    match memchr::memmem::find(&b[i + 2..], b"*/") {
                        Some(n) => i += 2 + n + 2,
                        None => {
                            return Err(JsonError::at(
                                b.len(),
                                format!("the comment opened at {} is not closed", opened_at(i)),
                            ));
                        }
                    }
                }
                _ => break,
            }
        }
        let Some(&c) = b.get(i) else {
            return match (expect, open.last()) {
                (Expect::End, _) => Ok(()),
                (_, Some(&at)) => Err(JsonError::at(
                    b.len(),
                    format!(
                        "`{}` opened at {} is not closed",
                        b[at] as char,
                        opened_at(at)
                    ),
                )),
                _ => Err(JsonError::at(b.len(), NO_VALUE)),
            };
        };
        match expect {
            Expect::End => {
                let why = if c == b'/' {
                    "comments are not allowed in JSON"
                } else {
                    "text after the JSON value"
                };
                return Err(JsonError::at(i, why));
            }
            Expect::Colon => {
                if c != b':' {
                    return Err(JsonError::at(i, "expected `:` after the key"));
                }
                i += 1;
                expect = Expect::Value;
                continue;
            }
            Expect::CommaOrClose => {
                let top = b[*open.last().unwrap_or(&0)];
                match (c, top) {
                    (b',', b'[') => {
                        expect = if jsonc {
                            Expect::ValueOrClose
                        } else {
                            Expect::Value
                        }
                    }
                    (b',', _) => {
                        expect = if jsonc {
                            Expect::KeyOrClose
                        } else {
                            Expect::Key
                        }
                    }
                    (b']', b'[') | (b'}', b'{') => {
                        open.pop();
                        expect = after_value(&open);
                    }
                    (_, b'[') => return Err(JsonError::at(i, "expected `,` or `]`")),
                    _ => return Err(JsonError::at(i, "expected `,` or `}`")),
                }
                i += 1;
                continue;
            }
            Expect::KeyOrClose if c == b'}' => {
                open.pop();
                i += 1;
                expect = after_value(&open);
                continue;
            }
            Expect::ValueOrClose if c == b']' => {
                open.pop();
                i += 1;
                expect = after_value(&open);
                continue;
            }
            Expect::KeyOrClose | Expect::Key => {
                if c != b'"' {
                    let why = if c == b'}' {
                        "expected a key after `,` (JSON allows no trailing comma)"
                    } else {
                        "expected a string key"
                    };
                    return Err(JsonError::at(i, why));
                }
                i = string_end(b, i)?;
                expect = Expect::Colon;
                continue;
            }
            Expect::Value | Expect::ValueOrClose => {}
        }
        // A value.
        match c {
            b'{' | b'[' => {
                open.push(i);
                i += 1;
                expect = if c == b'{' {
                    Expect::KeyOrClose
                } else {
                    Expect::ValueOrClose
                };
                continue;
            }
            b'"' => i = string_end(b, i)?,
            b'-' | b'0'..=b'9' => i = number_end(b, i)?,
            b't' | b'f' | b'n' => {
                let word: &[u8] = match c {
                    b't' => b"true",
                    b'f' => b"false",
                    _ => b"null",
                };
                for (k, &w) in word.iter().enumerate() {
                    if b.get(i + k) != Some(&w) {
                        return Err(JsonError::at(i + k, "expected `true`, `false` or `null`"));
                    }
                }
                i += word.len();
            }
            b']' if open.last().is_some_and(|&at| b[at] == b'[') => {
                return Err(JsonError::at(
                    i,
                    "expected a value after `,` (JSON allows no trailing comma)",
                ));
            }
            b'/' if !jsonc => return Err(JsonError::at(i, "comments are not allowed in JSON")),
            _ => return Err(JsonError::at(i, "expected a value")),
        }
        expect = after_value(&open);
    }
}

fn after_value(open: &[usize]) -> Expect {
    if open.is_empty() {
        Expect::End
    } else {
        Expect::CommaOrClose
    }
}

/// The offset just past the string that starts at `start` (its `"`).
fn string_end(b: &[u8], start: usize) -> Result<usize, JsonError> {
    let mut i = start + 1;
    loop {
        let Some(&c) = b.get(i) else {
            return Err(JsonError::at(b.len(), "the string is not closed"));
        };
        match c {
            b'"' => return Ok(i + 1),
            b'\\' => match b.get(i + 1) {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                Some(b'u') => {
                    for k in 2..6 {
                        if !b.get(i + k).is_some_and(u8::is_ascii_hexdigit) {
                            return Err(JsonError::at(
                                i + k,
                                "`\\u` needs four hexadecimal digits",
                            ));
                        }
                    }
                    i += 6;
                }
                Some(_) => return Err(JsonError::at(i + 1, "not a JSON escape")),
                None => return Err(JsonError::at(b.len(), "the string is not closed")),
            },
            0..=0x1f => {
                return Err(JsonError::at(
                    i,
                    "a control character inside a string must be escaped",
                ));
            }
            _ => i += 1,
        }
    }
}

/// The offset just past the number that starts at `start`:
/// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn number_end(b: &[u8], start: usize) -> Result<usize, JsonError> {
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let digits = |mut i: usize| -> Result<usize, JsonError> {
        if !digit(i) {
            return Err(JsonError::at(i, "expected a digit"));
        }
        while digit(i) {
            i += 1;
        }
        Ok(i)
    };
    let mut i = start;
    if b[i] == b'-' {
        i += 1;
    }
    i = if b.get(i) == Some(&b'0') {
        i + 1
    } else {
        digits(i)?
    };
    if b.get(i) == Some(&b'.') {
        i = digits(i + 1)?;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(i)?;
    }
    Ok(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_at(text: &str, dialect: Dialect) -> (usize, String, bool) {
        let e = parse(text, dialect)
            .err()
            .unwrap_or_else(|| panic!("accepted {text:?}"));
        (e.offset, e.message, e.limit)
    }

    #[test]
    fn errors_point_at_the_first_byte_not_accepted() {
        // (text, the text from the expected offset on)
        let cases: &[(&str, &str)] = &[
            ("[1,]", "]"),
            ("{\"a\":1,}", "}"),
            ("{\"a\" 1}", "1}"),
            ("[01]", "1]"),
            ("[1.]", "]"),
            ("[-x]", "x]"),
            ("[1e+]", "]"),
            ("[tru]", "]"),
            ("[nulx]", "x]"),
            ("[\"a\tb\"]", "\tb\"]"),
            ("[\"\\x\"]", "x\"]"),
            ("[\"\\u12g4\"]", "g4\"]"),
            ("{\"a\":1} x", "x"),
            ("[1] // c", "// c"),
            ("\u{c}[]", "\u{c}[]"),
            ("[\u{a0}1]", "\u{a0}1]"),
            ("{'a':1}", "'a':1}"),
            ("[1 2]", "2]"),
        ];
        for (text, rest) in cases {
            let (offset, message, limit) = error_at(text, Dialect::Strict);
            assert_eq!(&text[offset..], *rest, "{text:?}: {message}");
            assert!(!limit);
        }
    }

    #[test]
    fn unclosed_things_are_reported_at_the_end_with_where_they_opened() {
        let text = "{\n  \"a\": [1,\n";
        let (offset, message, _) = error_at(text, Dialect::Strict);
        assert_eq!(offset, text.len());
        assert_eq!(message, "`[` opened at line 2, column 8 is not closed");
        let (offset, message, _) = error_at("{\"a\": \"b", Dialect::Strict);
        assert_eq!((offset, message.as_str()), (8, "the string is not closed"));
        let (_, message, _) = error_at("{/* x", Dialect::Devcontainer);
        assert!(message.starts_with("the comment opened at line 1, column 2 is not closed"));
    }

    #[test]
    fn empty_documents_per_engine() {
        for text in ["", " \n\t", "\u{feff}"] {
            if text.contains('\u{feff}') {
                continue; // Source takes the byte-order mark off before parsing.
            }
            assert_eq!(error_at(text, Dialect::Strict).1, "no JSON value");
            assert_eq!(
                error_at(text, Dialect::Devcontainer),
                (text.len(), NO_VALUE.into(), false)
            );
            let doc = parse(text, Dialect::DaemonConfig).unwrap();
            assert!(doc.root.is_none());
        }
        // dockerd trims Unicode spaces around the value (bytes.TrimSpace).
        assert!(parse("\u{c}{\"debug\": true}\u{a0}\n", Dialect::DaemonConfig).is_ok());
        assert!(parse("\u{c}{\"debug\": true}", Dialect::Strict).is_err());
    }

    #[test]
    fn jsonc_allows_comments_and_trailing_commas_only_for_devcontainer() {
        let text = "// top\n{\n  \"a\": [1, 2,], /* b */\n  \"c\": 1,\n}\n";
        let doc = parse(text, Dialect::Devcontainer).unwrap();
        assert_eq!(doc.comments.len(), 2);
        assert_eq!(&text[doc.comments[1].range()], "/* b */");
        assert_eq!(error_at(text, Dialect::Strict).0, 0);
        assert_eq!(error_at(text, Dialect::DaemonConfig).0, 0);
        // Broken JSONC: the CLI reads past it, so it is our limit.
        let (offset, message, limit) = error_at("{\"a\": 1 \"b\": 2}", Dialect::Devcontainer);
        assert_eq!((offset, limit), (8, true));
        assert!(message.contains("devcontainer CLI"), "{message}");
        assert!(
            JsonError::at(0, "x")
                .problem(Dialect::Devcontainer)
                .to_string()
                .starts_with("not valid JSONC")
        );
    }

    #[test]
    fn what_go_reads_but_jsonc_parser_does_not_is_our_limit() {
        // A lone surrogate escape: Go decodes it to U+FFFD.
        let (offset, _, limit) = error_at("[\"\\ud800\"]", Dialect::Strict);
        assert!(limit);
        assert!(offset <= 3);
        // Nesting past jsonc-parser's 512 levels (Go reads up to 10,000).
        let deep = format!("{}{}", "[".repeat(600), "]".repeat(600));
        let (_, _, limit) = error_at(&deep, Dialect::Strict);
        assert!(limit);
        // Deeper than anything is still an error, not a crash.
        let deeper = "[".repeat(1_000_000);
        let (offset, message, limit) = error_at(&deeper, Dialect::Strict);
        assert_eq!((offset, limit), (deeper.len(), false));
        assert!(message.ends_with("is not closed"));
    }

    #[test]
    fn the_last_of_duplicate_keys_wins_as_in_go_and_javascript() {
        let text = "{\"seccomp-profile\": \"x.json\", \"a\": {\"k\": 1, \"k\": 2}, \"seccomp-profile\": \"unconfined\"}";
        let doc = parse(text, Dialect::DaemonConfig).unwrap();
        let root = doc.root.as_ref().and_then(Value::as_object).unwrap();
        let p = root.get("seccomp-profile").unwrap();
        assert_eq!(&text[span(&p.value).range()], "unconfined");
        let inner = root.get("a").and_then(|p| p.value.as_object()).unwrap();
        assert_eq!(inner.properties.len(), 1);
        assert_eq!(&text[span(&inner.get("k").unwrap().value).range()], "2");
    }
}
