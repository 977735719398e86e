//! JSON and JSONC with positions, through `jsonc-parser` 0.34.
//!
//! Chosen (DESIGN.md crate notes) because `parse_to_ast` gives a byte range
//! for every value and every comment, with no dependencies. Its defaults
//! accept much more than JSON (single quotes, hex numbers, missing commas,
//! bare words as keys): all of that is switched off here, so that a file
//! Docker's or VS Code's parser would reject is a diagnostic, not a guess.
//! Only comments and trailing commas are allowed, and only for JSONC.

use jsonc_parser::ast::Value;
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions};

use crate::source::Span;

/// A parsed document: the root value and the comment spans.
pub struct Json<'a> {
    pub root: Option<Value<'a>>,
    pub comments: Vec<Span>,
}

/// Why the text is not JSON: byte offset and message.
pub struct JsonError {
    pub offset: usize,
    pub message: String,
}

/// [`parse`], with a failure recorded as a positioned diagnostic in `out`:
/// what every JSON format does with a file it cannot read.
pub fn parse_or_report<'a>(
    source: &'a crate::source::Source,
    jsonc: bool,
    out: &mut crate::model::Parsed,
) -> Option<Json<'a>> {
    match parse(&source.text, jsonc) {
        Ok(doc) => Some(doc),
        Err(e) => {
            out.diagnostics.push(crate::diagnostic::Diagnostic::at(
                source,
                e.offset,
                crate::diagnostic::Problem::Syntax {
                    format: if jsonc { "JSONC" } else { "JSON" },
                    message: e.message,
                },
            ));
            None
        }
    }
}

/// Strict JSON (`jsonc == false`) or JSON with comments and trailing commas.
pub fn parse(text: &str, jsonc: bool) -> Result<Json<'_>, JsonError> {
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
    let result = jsonc_parser::parse_to_ast(text, &collect, &options).map_err(|e| JsonError {
        offset: e.range().start,
        message: e.kind().to_string(),
    })?;
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
