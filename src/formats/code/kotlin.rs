//! Kotlin: the JVM libraries of [`super::java`], read by its calls, with
//! Kotlin's own literals: `"…"` with `$name` and `${…}` templates,
//! `"""…"""` raw strings over lines (templates, no escapes), `'…'`
//! characters, `` `names` `` in backquotes, and `/* */` comments that
//! nest.

use std::sync::Arc;

use super::launch::Code;
use super::lex::{self, Escapes, Holes, Opening, Syntax, Token};
use crate::model::Parsed;
use crate::source::Source;

pub(super) const SYNTAX: Syntax = Syntax {
    line_comment: b"//",
    block_comments: true,
    nested_comments: true,
    ident_extra: b"",
    string_at,
};

fn string_at(b: &[u8], i: usize, _: Option<&Token>, _: &str) -> Option<Opening> {
    let quote = |len, close: &'static [u8], escapes, holes, multiline| Opening {
        len,
        close,
        escapes,
        holes,
        multiline,
        regex: false,
    };
    match b[i] {
        b'"' if b[i..].starts_with(b"\"\"\"") => {
            Some(quote(3, b"\"\"\"", Escapes::Raw, Holes::Dollar, true))
        }
        b'"' => Some(quote(1, b"\"", Escapes::Kotlin, Holes::Dollar, false)),
        b'\'' => Some(quote(1, b"'", Escapes::Kotlin, Holes::None, false)),
        b'`' => Some(quote(1, b"`", Escapes::Raw, Holes::None, false)),
        _ => None,
    }
}

pub fn read(source: &Arc<Source>, out: &mut Parsed) {
    let code = Code::new(source, lex::lex(&source.text, &SYNTAX));
    super::java::read_calls(&code, out);
    code.finish(out);
}
