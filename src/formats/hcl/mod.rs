//! HCL, as Terraform, Nomad and Bake read it: parsing (both syntaxes into
//! one tree, [`syntax`]), evaluation ([`eval`], [`functions`]), and the
//! container settings the tools write in it ([`containers`]).
//!
//! The native syntax is parsed with `hcl-edit` 0.10 (`parser::parse_body`),
//! chosen because, unlike `hcl-rs`'s `hcl::parse`, it keeps the byte span
//! of every expression, which marking the offending value needs.
//!
//! ## Where `hcl-edit` 0.10 and Terraform disagree
//!
//! Every `.tf` file of `GoogleCloudPlatform/cloud-foundation-fabric` and
//! `terraform-aws-modules/terraform-aws-eks` was parsed (README,
//! "Development"). The shapes Terraform accepts and `hcl-edit` 0.10 does
//! not, with what seccheck does about each:
//!
//! 1. **A line break inside the value of an object `for` expression**
//!    (`{ for k, v in x : k => cond\n ? a\n : b }`). HCL ignores line breaks
//!    throughout a `for` expression (hashicorp/hcl `hclsyntax/parser.go`,
//!    `finishParsingForExpr` pushes `PushIncludeNewlines(false)`);
//!    `hcl-edit` does so in a tuple `for` but not in an object one, and
//!    stops with "expected `}`". Workaround: when a file fails, seccheck
//!    retries with the line breaks inside every `{ for … }` (but not in an
//!    object constructor nested in it, where they separate attributes)
//!    replaced by spaces and the line comments there blanked, which keeps
//!    every byte offset. Upstream report text: "hcl-edit 0.10: `parse_body`
//!    rejects a newline inside the value expression of an object for
//!    expression (`a = { for k, v in m : k =>\n  x\n  ? 1\n  : 2 }`), which
//!    HCL accepts: hclsyntax parses the whole for expression with newlines
//!    ignored. The tuple form `[for … : x\n ? 1\n : 2]` parses."
//! 2. **A key repeated in an object constructor** (`{ a = 1, a = 2 }`).
//!    Terraform keeps the last value (`ObjectConsExpr.Value` assigns
//!    `vals[key]` in order, with no duplicate check); `hcl-edit` refuses
//!    "redefined object key". Workaround: retry with the later key's first
//!    letter replaced (same length), keeping the key as written in the file
//!    for evaluation, so the last value still wins. Upstream report text:
//!    "hcl-edit 0.10 rejects an object expression with a repeated key
//!    (`a = { k = 1\n k = 2 }`: 'invalid object item; expected unique object
//!    key'); hclsyntax accepts it and the last item wins. Note a quoted and
//!    a bare spelling of the same key (`"k" = 1`, `k = 2`) is accepted."
//! 3. **Deep nesting**: more than 64 nested brackets, blocks or templates,
//!    or more than 128 chained binary operators, which `hcl-edit` refuses on
//!    purpose (it parses recursively; the limits keep it off the end of the
//!    stack). Terraform has no such limit. No workaround: the file is a
//!    diagnostic that says seccheck could not read it, not that it is
//!    invalid.
//!
//! HCL1-only syntax (Nomad agent configuration, `nomad job run -hcl1`
//! jobs: quoted keys with `=` before a block, dotted bare keys) is not
//! HCL2 and is not read.

pub mod containers;
pub mod eval;
pub mod functions;
pub mod json;
pub mod syntax;

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Problem};
use crate::source::{Source, Span};

/// Repairs tried, one after another, on a file `hcl-edit` refuses.
const MAX_REPAIRS: usize = 32;

/// Parses native-syntax HCL, or says where and why it cannot.
pub fn parse(source: &Arc<Source>) -> Result<syntax::File, Diagnostic> {
    let text = source.text.as_str();
    let first = match hcl_edit::parser::parse_body(text) {
        Ok(body) => {
            return Ok(syntax::File {
                source: Arc::clone(source),
                body: syntax::lower_body(&body, text),
            });
        }
        Err(e) => e,
    };
    // Same-length repairs for shapes Terraform accepts (module doc).
    let mut repaired = join_for_lines(text);
    for _ in 0..MAX_REPAIRS {
        match hcl_edit::parser::parse_body(&repaired) {
            Ok(body) => {
                return Ok(syntax::File {
                    source: Arc::clone(source),
                    body: syntax::lower_body(&body, text),
                });
            }
            Err(e) if e.message().contains("redefined object key") => {
                let at = line_col_offset(&repaired, e.location().line(), e.location().column());
                if !rename_key(&mut repaired, at) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    let offset = line_col_offset(text, first.location().line(), first.location().column());
    let message = first.message().to_string();
    let problem =
        if message.contains("nesting depth") || message.contains("chained binary operators") {
            Problem::Unreadable(format!(
                "{message} (a limit of the HCL parser seccheck uses; Terraform has none)"
            ))
        } else {
            Problem::Syntax {
                format: "HCL",
                message,
            }
        };
    Err(Diagnostic::at(source, offset, problem))
}

/// `hcl-edit` reports 1-based line and column (in characters).
fn line_col_offset(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset
                + l.char_indices()
                    .nth(column.saturating_sub(1))
                    .map_or(l.len(), |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}

/// Replaces the identifier at `at` by one of the same length no other key
/// of the file is likely to spell, so that a repeated key parses.
fn rename_key(text: &mut String, at: usize) -> bool {
    let bytes = text.as_bytes();
    let Some(&first) = bytes.get(at) else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return false;
    }
    // Cycle the first letter through ones that keep it an identifier.
    let next = match first {
        b'_' => b'Q',
        b'z' => b'_',
        b'Z' => b'a',
        c => c + 1,
    };
    text.replace_range(at..at + 1, std::str::from_utf8(&[next]).unwrap_or("_"));
    true
}

/// The text with every line break inside an object `for` expression
/// (`{` followed by `for`) replaced by a space, and the line comments there
/// blanked; every byte keeps its offset. Strings, heredocs and comments
/// elsewhere are skipped as HCL reads them.
fn join_for_lines(text: &str) -> String {
    let mut out = text.as_bytes().to_vec();
    let bytes = text.as_bytes();
    // Open brackets: (kind, whether it opened an object `for`). A line
    // break counts where the innermost brace is a `for`'s: inside a nested
    // object constructor it separates attributes, and stays.
    let mut stack: Vec<(u8, bool)> = Vec::new();
    let inside_for = |stack: &[(u8, bool)]| {
        stack
            .iter()
            .rev()
            .find(|&&(kind, _)| kind == b'{')
            .is_some_and(|&(_, is_for)| is_for)
    };
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = skip_string(bytes, i + 1),
            b'#' => i = blank_comment(&mut out, bytes, i, inside_for(&stack)),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = blank_comment(&mut out, bytes, i, inside_for(&stack));
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
            }
            b'<' if text[i..].starts_with("<<") && heredoc_tag(&text[i + 2..]).is_some() => {
                // A heredoc's lines are its content: leave the whole region.
                return text.to_string();
            }
            b'{' => {
                let rest = text[i + 1..].trim_start();
                let is_for =
                    rest.starts_with("for") && rest[3..].starts_with(|c: char| c.is_whitespace());
                stack.push((b'{', is_for));
                i += 1;
            }
            b'[' | b'(' => {
                stack.push((bytes[i], false));
                i += 1;
            }
            b'}' | b']' | b')' => {
                stack.pop();
                i += 1;
            }
            b'\n' | b'\r' if inside_for(&stack) => {
                out[i] = b' ';
                i += 1;
            }
            _ => i += 1,
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// Past a quoted string (or a `${ … }` interpolation's nested strings)
/// starting after its opening quote.
fn skip_string(bytes: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'$' | b'%' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 2;
            }
            b'}' if depth > 0 => {
                depth -= 1;
                i += 1;
            }
            b'"' if depth > 0 => i = skip_string(bytes, i + 1).min(bytes.len()),
            b'"' | b'\n' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

fn blank_comment(out: &mut [u8], bytes: &[u8], start: usize, blank: bool) -> usize {
    let end = bytes[start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |n| start + n);
    if blank {
        // Multi-byte characters become spaces byte by byte: still UTF-8.
        out[start..end].fill(b' ');
    }
    end
}

fn heredoc_tag(rest: &str) -> Option<&str> {
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (len > 0).then(|| &rest[..len])
}

/// Comment spans (`#`, `//`, `/* */`), skipping string literals and
/// heredocs, for suppressions.
pub fn comments(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'<' if text[i..].starts_with("<<") => {
                let Some(tag) = heredoc_tag(&text[i + 2..]) else {
                    i += 2;
                    continue;
                };
                // Skip to the line holding only the tag.
                let mut pos = text[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
                while pos < bytes.len() {
                    let end = text[pos..].find('\n').map_or(bytes.len(), |n| pos + n);
                    if text[pos..end].trim() == tag {
                        break;
                    }
                    pos = end + 1;
                }
                i = pos;
            }
            b'#' => {
                let end = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                out.push(Span::new(i, end));
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                out.push(Span::new(i, end));
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                out.push(Span::new(i, end));
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_skip_strings_and_heredocs() {
        let src = "a = \"# not\" # yes\nb = <<EOT\n// not\nEOT\n/* c */ d = 1 // e\n";
        let found: Vec<&str> = comments(src).iter().map(|s| &src[s.range()]).collect();
        assert_eq!(found, ["# yes", "/* c */", "// e"]);
    }

    #[test]
    fn error_positions_map_to_offsets() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_col_offset(text, 2, 3), 5);
        assert_eq!(line_col_offset(text, 2, 4), 7);
        assert_eq!(line_col_offset(text, 9, 1), text.len());
    }

    #[test]
    fn object_for_with_line_breaks_parses_with_offsets_kept() {
        let text = "locals {\n  a = {\n    for k, v in var.m : k => # why\n    local.x\n    ? \"seccomp=unconfined\"\n    : \"b\"\n  }\n}\n";
        assert!(
            hcl_edit::parser::parse_body(text).is_err(),
            "the shape hcl-edit refuses"
        );
        let joined = join_for_lines(text);
        assert_eq!(joined.len(), text.len());
        assert!(!joined[10..].contains('#'));
        let file = parse(&Source::new("a.tf", text)).expect("parses after the repair");
        let value = &file.body.blocks[0].body.attrs[0].value;
        let syntax::ExprKind::For(f) = &value.kind else {
            panic!("a for expression: {value:?}")
        };
        let syntax::ExprKind::Conditional(c) = &f.value.kind else {
            panic!("a conditional")
        };
        assert_eq!(&text[c[1].span.range()], "seccomp=unconfined");
    }

    #[test]
    fn a_repeated_object_key_parses_and_keeps_its_name() {
        let text = "a = {\n  k = 1\n  k = 2\n}\n";
        let file = parse(&Source::new("a.tf", text)).expect("parses after the repair");
        let syntax::ExprKind::Object(items) = &file.body.attrs[0].value.kind else {
            panic!("an object")
        };
        let names: Vec<_> = items
            .iter()
            .map(|i| match &i.key {
                syntax::Key::Name(n) => n.as_str(),
                _ => "?",
            })
            .collect();
        assert_eq!(names, ["k", "k"]);
    }

    #[test]
    fn limits_are_not_called_invalid() {
        let deep = format!("a = {}{}\n", "[".repeat(80), "]".repeat(80));
        let d = parse(&Source::new("a.tf", deep)).expect_err("over hcl-edit's nesting limit");
        assert!(
            d.to_string().contains("seccheck could not read this file"),
            "{d}"
        );
        let broken = parse(&Source::new("a.tf", "a = \"x\n")).expect_err("invalid");
        assert!(d.to_string() != broken.to_string());
        assert!(broken.to_string().contains("not valid HCL"), "{broken}");
    }
}
