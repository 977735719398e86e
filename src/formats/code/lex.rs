//! The one lexer under every language of `code/`: literals, comments,
//! brackets and names, nothing more.
//!
//! Each language describes itself in a [`Syntax`] (its comment markers
//! and a function that recognises where a string starts and how it
//! ends); the engine here does the rest the same way for all of them:
//!
//! - comments are skipped and their spans kept, for suppressions;
//! - strings become one [`Token`] whose [`Lit`] lists the stretches of
//!   text and the interpolations (`f"{x}"`, `` `${x}` ``, `"$x"`) in it;
//!   an interpolation holds code, which may hold strings with their own
//!   interpolations. That nesting lives on an explicit stack of frames
//!   (never the call stack), capped at [`MAX_FRAMES`]; tokens inside an
//!   interpolation are lexed to find its end but not kept, so no reader
//!   mistakes them for arguments of the call around the string.
//! - brackets are paired as they go by, on a stack capped at
//!   [`MAX_NESTING`]; deeper brackets stay unpaired (and are reported
//!   once), and a closing bracket that does not match the innermost open
//!   one closes the nearest that it matches, so one stray bracket costs
//!   one construct, not the rest of the file.
//!
//! A string that does not end before the end of the file is reported at
//! its opening; a string that may not span lines (a `"…"` in every
//! language read here) ends at the line's end without a word, since
//! JSX text (`<p>Don't</p>`) has such quotes and is valid.

use crate::diagnostic::Problem;
use crate::source::Span;

/// Deepest bracket nesting that is paired.
pub const MAX_NESTING: usize = 256;
/// Deepest nesting of strings inside interpolations inside strings.
pub const MAX_FRAMES: usize = 32;
/// Tokens a call's chain is followed back over (names, dots, calls
/// stepped over): every call of a file asks for its chain, so without a
/// bound a builder chain of n calls costs n² (found with a 20,000-call
/// Java chain: 6 s). Real chains are a few dozen calls long.
pub const MAX_CHAIN: usize = 256;

/// What a token is; its text is the file's bytes at its span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ident,
    /// A string literal: the index of its [`Lit`].
    Str(usize),
    Number,
    /// `(`, `[` or `{`.
    Open(u8),
    Close(u8),
    /// An operator or separator (`.`, `,`, `=`, `:=`, `...`, `->`, …).
    Punct,
}

#[derive(Debug, Clone, Copy)]
pub struct Token {
    pub kind: Kind,
    pub span: Span,
    /// For a bracket, the index of its partner.
    pub pair: Option<usize>,
}

/// How a language writes escapes inside its strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escapes {
    /// Raw strings: a backslash is a backslash.
    Raw,
    /// Python's raw strings: a backslash is kept, but still keeps the
    /// quote after it from ending the string.
    PythonRaw,
    Python,
    Go,
    Js,
    Java,
    Kotlin,
}

/// One piece of a string literal as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Text, escapes not yet undone.
    Text(Span),
    /// An interpolation: the code inside it, and the whole of it as
    /// written (`{x}`, `${x}`, `$x`).
    Hole { code: Span, written: Span },
}

#[derive(Debug, Clone)]
pub struct Lit {
    /// The whole literal, prefix and quotes included.
    pub span: Span,
    pub parts: Vec<Part>,
    pub escapes: Escapes,
}

/// How the interpolations of a string are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holes {
    None,
    /// Python f-strings: `{expr}`, with `{{` and `}}` for braces.
    Brace,
    /// JavaScript templates: `${expr}`.
    DollarBrace,
    /// Kotlin: `${expr}` and `$name`.
    Dollar,
}

/// Where a string starts, as a language's [`Syntax::string_at`] sees it.
#[derive(Debug, Clone, Copy)]
pub struct Opening {
    /// Bytes before the text: prefix and opening quote (`rb'`, `"""`).
    pub len: usize,
    /// What ends it.
    pub close: &'static [u8],
    pub escapes: Escapes,
    pub holes: Holes,
    /// Whether it may span lines.
    pub multiline: bool,
    /// A regular expression literal: `/` inside `[…]` does not end it.
    pub regex: bool,
}

/// What the engine needs to know about a language.
pub struct Syntax {
    /// Line comment markers (`#`, `//`).
    pub line_comment: &'static [u8],
    /// `/* … */` comments, and whether they nest (Kotlin).
    pub block_comments: bool,
    pub nested_comments: bool,
    /// Bytes that may continue a name besides ASCII letters, digits, `_`
    /// and non-ASCII characters (`$` in JavaScript and Java).
    pub ident_extra: &'static [u8],
    /// Whether a string starts at byte `i`, given the last token kept.
    pub string_at: fn(&[u8], usize, Option<&Token>, &str) -> Option<Opening>,
}

/// A file's tokens, string literals, comments and problems.
#[derive(Debug, Default)]
pub struct Tokens {
    pub list: Vec<Token>,
    pub lits: Vec<Lit>,
    pub comments: Vec<Span>,
    pub problems: Vec<(usize, Problem)>,
}

/// A string being read: the literal so far, and where its current text
/// started.
struct StrFrame {
    open: Opening,
    lit: Lit,
    text_from: usize,
}

enum Frame {
    Str(StrFrame),
    /// Code inside an interpolation: the string it belongs to is the frame
    /// below; `braces` counts `{` opened inside the code, `nest` every
    /// bracket; `opened` is where the interpolation starts (its `{` or
    /// `$`). `spec` is set for a Python replacement field, whose format
    /// spec follows a `:` outside brackets, and says whether the string
    /// may span lines.
    Hole {
        opened: usize,
        from: usize,
        braces: u32,
        nest: u32,
        spec: Option<bool>,
    },
}

struct Engine<'a> {
    text: &'a str,
    b: &'a [u8],
    syntax: &'a Syntax,
    out: Tokens,
    frames: Vec<Frame>,
    open: Vec<usize>,
    /// Opening brackets past [`MAX_NESTING`] not yet closed.
    overflow: usize,
    /// Whether the last token kept may end an operand (decides `/`).
    last: Option<Token>,
}

/// Lexes `text` as `syntax` describes it.
pub fn lex(text: &str, syntax: &Syntax) -> Tokens {
    let mut e = Engine {
        text,
        b: text.as_bytes(),
        syntax,
        out: Tokens::default(),
        frames: Vec::new(),
        open: Vec::new(),
        overflow: 0,
        last: None,
    };
    e.run();
    e.out
}

fn is_ident_byte(b: u8, extra: &[u8]) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80 || extra.contains(&b)
}

/// Operators of more than one byte that change what a reader sees
/// (`==` is not `=`, `:=` is not `:`); any other byte is one token.
const OPERATORS: &[&str] = &[
    "...", "===", "!==", "**=", ":=", "==", "!=", "<=", ">=", "=>", "->", "::", "**", "+=", "-=",
    "*=", "|=", "&&", "||", "?.", "??", "!!", "<-", "<<", ">>",
];

impl Engine<'_> {
    fn run(&mut self) {
        let mut i = 0;
        let n = self.b.len();
        while i < n {
            i = match self.frames.last() {
                Some(Frame::Str(_)) => self.string_text(i),
                _ => self.code(i),
            };
        }
        if let Some(frame) = self.frames.iter().find_map(|f| match f {
            Frame::Str(s) => Some(s.lit.span.start),
            Frame::Hole { .. } => None,
        }) {
            self.out.problems.push((
                frame,
                Problem::Unreadable(
                    "a string that starts here does not end before the end of the file".into(),
                ),
            ));
        }
    }

    /// Whether tokens are kept: only outside every string.
    fn top_level(&self) -> bool {
        self.frames.is_empty()
    }

    fn push(&mut self, kind: Kind, start: usize, end: usize) {
        let token = Token {
            kind,
            span: Span::new(start, end),
            pair: None,
        };
        self.last = Some(token);
        if self.top_level() {
            self.out.list.push(token);
        }
    }

    fn code(&mut self, i: usize) -> usize {
        let b = self.b;
        let c = b[i];
        if c.is_ascii_whitespace() {
            return i + 1;
        }
        let syntax = self.syntax;
        if b[i..].starts_with(syntax.line_comment) {
            let end = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |k| i + k);
            let end = if end > i && b[end - 1] == b'\r' {
                end - 1
            } else {
                end
            };
            if self.top_level() {
                self.out.comments.push(Span::new(i, end));
            }
            return end.max(i + 1);
        }
        if syntax.block_comments && b[i..].starts_with(b"/*") {
            return self.block_comment(i);
        }
        if let Some(open) = (syntax.string_at)(b, i, self.last.as_ref(), self.text) {
            if self.frames.len() >= MAX_FRAMES {
                self.out.problems.push((
                    i,
                    Problem::Limit(format!(
                        "strings nest inside interpolations more than {MAX_FRAMES} levels deep; \
                         the rest of the file is not read"
                    )),
                ));
                return b.len();
            }
            self.frames.push(Frame::Str(StrFrame {
                open,
                lit: Lit {
                    span: Span::new(i, i),
                    parts: Vec::new(),
                    escapes: open.escapes,
                },
                text_from: i + open.len,
            }));
            return i + open.len;
        }
        if is_ident_byte(c, syntax.ident_extra) && !c.is_ascii_digit() {
            let mut j = i + 1;
            while j < b.len() && is_ident_byte(b[j], syntax.ident_extra) {
                j += 1;
            }
            self.push(Kind::Ident, i, j);
            return j;
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let mut j = i + 1;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'.') {
                // `1..2` (Kotlin ranges): the second dot is an operator.
                if b[j] == b'.' && b.get(j + 1) == Some(&b'.') {
                    break;
                }
                j += 1;
            }
            self.push(Kind::Number, i, j);
            return j;
        }
        if c == b':'
            && let Some(&Frame::Hole {
                nest: 0,
                spec: Some(multiline),
                ..
            }) = self.frames.last()
        {
            return self.format_spec(i + 1, multiline);
        }
        match c {
            b'(' | b'[' | b'{' => {
                if let Some(Frame::Hole { braces, nest, .. }) = self.frames.last_mut() {
                    *nest += 1;
                    if c == b'{' {
                        *braces += 1;
                    }
                }
                self.open_bracket(c, i);
                i + 1
            }
            b')' | b']' | b'}' => {
                if let Some(Frame::Hole { nest, braces, .. }) = self.frames.last_mut()
                    && (c != b'}' || *braces > 0)
                {
                    *nest = nest.saturating_sub(1);
                }
                if c == b'}'
                    && let Some(Frame::Hole {
                        opened,
                        from,
                        braces,
                        ..
                    }) = self.frames.last_mut()
                {
                    if *braces == 0 {
                        let (opened, from) = (*opened, *from);
                        self.frames.pop();
                        if let Some(Frame::Str(s)) = self.frames.last_mut() {
                            s.lit.parts.push(Part::Hole {
                                code: Span::new(from, i),
                                written: Span::new(opened, i + 1),
                            });
                            s.text_from = i + 1;
                        }
                        return i + 1;
                    }
                    *braces -= 1;
                }
                self.close_bracket(c, i);
                i + 1
            }
            _ => {
                let rest = &self.text[i..];
                let len = OPERATORS
                    .iter()
                    .find(|op| rest.starts_with(**op))
                    .map_or_else(
                        || rest.chars().next().map_or(1, char::len_utf8),
                        |op| op.len(),
                    );
                self.push(Kind::Punct, i, i + len);
                i + len
            }
        }
    }

    /// Steps over a Python format spec (`{x:#x}`, `{v:>{width}}`) up to
    /// the `}` that ends its replacement field: the spec is text, not
    /// code (PEP 498, PEP 701), so its `#` starts no comment and its
    /// quotes no string.
    fn format_spec(&self, mut j: usize, multiline: bool) -> usize {
        let b = self.b;
        let mut depth = 0u32;
        while j < b.len() {
            match b[j] {
                b'{' => depth += 1,
                b'}' if depth == 0 => return j,
                b'}' => depth -= 1,
                b'\n' if !multiline => return j,
                _ => {}
            }
            j += 1;
        }
        b.len()
    }

    fn block_comment(&mut self, i: usize) -> usize {
        let b = self.b;
        let mut depth = 0usize;
        let mut j = i;
        while j < b.len() {
            if b[j..].starts_with(b"/*") && (depth == 0 || self.syntax.nested_comments) {
                depth += 1;
                j += 2;
            } else if b[j..].starts_with(b"*/") {
                depth -= 1;
                j += 2;
                if depth == 0 {
                    if self.top_level() {
                        self.out.comments.push(Span::new(i, j));
                    }
                    return j;
                }
            } else {
                j += 1;
            }
        }
        self.out.problems.push((
            i,
            Problem::Unreadable(
                "a comment that starts here does not end before the end of the file".into(),
            ),
        ));
        b.len()
    }

    fn open_bracket(&mut self, c: u8, i: usize) {
        self.push(Kind::Open(c), i, i + 1);
        if !self.top_level() {
            return;
        }
        if self.open.len() >= MAX_NESTING {
            if self.overflow == 0 {
                self.out.problems.push((
                    i,
                    Problem::Limit(format!(
                        "brackets nest more than {MAX_NESTING} levels deep; \
                         what is inside them is not read"
                    )),
                ));
            }
            self.overflow += 1;
            return;
        }
        self.open.push(self.out.list.len() - 1);
    }

    fn close_bracket(&mut self, c: u8, i: usize) {
        self.push(Kind::Close(c), i, i + 1);
        if !self.top_level() {
            return;
        }
        if self.overflow > 0 {
            self.overflow -= 1;
            return;
        }
        let opener = match c {
            b')' => b'(',
            b']' => b'[',
            _ => b'{',
        };
        let list = &self.out.list;
        let Some(k) = self
            .open
            .iter()
            .rposition(|&o| list[o].kind == Kind::Open(opener))
        else {
            return;
        };
        let o = self.open[k];
        self.open.truncate(k);
        let close = self.out.list.len() - 1;
        self.out.list[o].pair = Some(close);
        self.out.list[close].pair = Some(o);
    }

    /// Reads string text from `i` up to the end of the string, or the
    /// start of an interpolation.
    fn string_text(&mut self, i: usize) -> usize {
        let b = self.b;
        let Some(Frame::Str(frame)) = self.frames.last() else {
            return i + 1;
        };
        let open = frame.open;
        let mut j = i;
        let mut in_class = false;
        while j < b.len() {
            let c = b[j];
            if c == b'\\' && open.escapes != Escapes::Raw {
                j += 2;
                continue;
            }
            if c == b'\n' && !open.multiline {
                // Ends with the line: the text so far is the string.
                return self.end_string(j, j);
            }
            if open.regex {
                match c {
                    b'[' => in_class = true,
                    b']' => in_class = false,
                    b'/' if !in_class => {
                        // Flags are part of the literal.
                        let mut k = j + 1;
                        while k < b.len() && b[k].is_ascii_alphabetic() {
                            k += 1;
                        }
                        return self.end_string(j, k);
                    }
                    _ => {}
                }
                j += 1;
                continue;
            }
            if b[j..].starts_with(open.close) {
                return self.end_string(j, j + open.close.len());
            }
            let hole = match open.holes {
                Holes::None => None,
                Holes::Brace if c == b'{' => {
                    if b.get(j + 1) == Some(&b'{') {
                        j += 2;
                        continue;
                    }
                    Some(1)
                }
                Holes::Brace if c == b'}' && b.get(j + 1) == Some(&b'}') => {
                    j += 2;
                    continue;
                }
                Holes::DollarBrace | Holes::Dollar if c == b'$' && b.get(j + 1) == Some(&b'{') => {
                    Some(2)
                }
                Holes::Dollar
                    if c == b'$'
                        && b.get(j + 1)
                            .is_some_and(|&n| n.is_ascii_alphabetic() || n == b'_') =>
                {
                    // `$name`: the name is the whole interpolation.
                    let mut k = j + 1;
                    while k < b.len() && (b[k].is_ascii_alphanumeric() || b[k] == b'_') {
                        k += 1;
                    }
                    if let Some(Frame::Str(f)) = self.frames.last_mut() {
                        push_text(&mut f.lit, f.text_from, j);
                        f.lit.parts.push(Part::Hole {
                            code: Span::new(j + 1, k),
                            written: Span::new(j, k),
                        });
                        f.text_from = k;
                    }
                    j = k;
                    continue;
                }
                _ => None,
            };
            if let Some(len) = hole {
                if self.frames.len() >= MAX_FRAMES {
                    self.out.problems.push((
                        j,
                        Problem::Limit(format!(
                            "strings nest inside interpolations more than {MAX_FRAMES} levels \
                             deep; the rest of the file is not read"
                        )),
                    ));
                    self.frames.clear();
                    return b.len();
                }
                if let Some(Frame::Str(f)) = self.frames.last_mut() {
                    push_text(&mut f.lit, f.text_from, j);
                }
                self.frames.push(Frame::Hole {
                    opened: j,
                    from: j + len,
                    braces: 0,
                    nest: 0,
                    spec: (open.holes == Holes::Brace).then_some(open.multiline),
                });
                return j + len;
            }
            j += 1;
        }
        b.len()
    }

    /// Ends the innermost string: its text stops at `text_end`, the
    /// literal at `end`.
    fn end_string(&mut self, text_end: usize, end: usize) -> usize {
        let Some(Frame::Str(mut frame)) = self.frames.pop() else {
            return end;
        };
        push_text(&mut frame.lit, frame.text_from, text_end);
        frame.lit.span.end = end;
        let start = frame.lit.span.start;
        if self.top_level() {
            let index = self.out.lits.len();
            self.out.lits.push(frame.lit);
            self.push(Kind::Str(index), start, end);
        } else {
            self.push(Kind::Str(usize::MAX), start, end);
        }
        end.max(start + 1)
    }
}

fn push_text(lit: &mut Lit, from: usize, to: usize) {
    if to > from {
        lit.parts.push(Part::Text(Span::new(from, to)));
    }
}

impl Tokens {
    pub fn text<'a>(&self, file: &'a str, i: usize) -> &'a str {
        self.list
            .get(i)
            .and_then(|t| file.get(t.span.range()))
            .unwrap_or("")
    }

    /// Whether token `i` is the name or operator `s`.
    pub fn is(&self, file: &str, i: usize, s: &str) -> bool {
        self.list
            .get(i)
            .is_some_and(|t| matches!(t.kind, Kind::Ident | Kind::Punct))
            && self.text(file, i) == s
    }

    pub fn ident<'a>(&self, file: &'a str, i: usize) -> Option<&'a str> {
        (self.list.get(i)?.kind == Kind::Ident).then(|| self.text(file, i))
    }

    /// The literal of token `i`, when it is a string.
    pub fn lit(&self, i: usize) -> Option<&Lit> {
        match self.list.get(i)?.kind {
            Kind::Str(k) => self.lits.get(k),
            _ => None,
        }
    }

    /// The items between the bracket at `open` and its partner, split at
    /// the commas outside inner brackets; empty items (a trailing comma)
    /// are left out.
    pub fn items(&self, file: &str, open: usize) -> Vec<std::ops::Range<usize>> {
        let Some(close) = self.list.get(open).and_then(|t| t.pair) else {
            return Vec::new();
        };
        let mut items = Vec::new();
        let mut start = open + 1;
        let mut i = open + 1;
        while i < close {
            let t = &self.list[i];
            match t.kind {
                Kind::Open(_) => i = t.pair.filter(|&p| p > i && p < close).unwrap_or(i) + 1,
                Kind::Punct if self.text(file, i) == "," => {
                    if i > start {
                        items.push(start..i);
                    }
                    i += 1;
                    start = i;
                }
                _ => i += 1,
            }
        }
        if close > start {
            items.push(start..close);
        }
        items
    }

    /// The parts of `range` between top-level occurrences of the operator
    /// `op` (`a + b + c`).
    pub fn split(
        &self,
        file: &str,
        range: std::ops::Range<usize>,
        op: &str,
    ) -> Vec<std::ops::Range<usize>> {
        let mut parts = Vec::new();
        let mut start = range.start;
        let mut i = range.start;
        while i < range.end {
            let t = &self.list[i];
            match t.kind {
                Kind::Open(_) => {
                    i = t.pair.filter(|&p| p > i && p < range.end).unwrap_or(i) + 1;
                }
                Kind::Punct if self.text(file, i) == op => {
                    parts.push(start..i);
                    i += 1;
                    start = i;
                }
                _ => i += 1,
            }
        }
        parts.push(start..range.end);
        parts
    }

    /// The file span of tokens `range`.
    pub fn span(&self, range: std::ops::Range<usize>) -> Span {
        match (
            self.list.get(range.start),
            range.end.checked_sub(1).and_then(|e| self.list.get(e)),
        ) {
            (Some(a), Some(z)) if range.end > range.start => Span::new(a.span.start, z.span.end),
            _ => Span::default(),
        }
    }

    /// The names of the call whose `(` is at `open`, last first:
    /// `docker.from_env().containers.run(` gives `run`, `containers`,
    /// `from_env`, `docker`. Calls and subscripts on the way are stepped
    /// over; the walk stops at anything else.
    pub fn callee<'f>(&self, file: &'f str, open: usize) -> Vec<&'f str> {
        self.chain(file, open).0
    }

    /// [`Self::callee`], with the index of the chain's first token and the
    /// `(` of each call stepped over (nearest first): `A("x").b().c(`
    /// gives the opens of `b(` and `A(`.
    pub fn chain<'f>(&self, file: &'f str, open: usize) -> (Vec<&'f str>, usize, Vec<usize>) {
        let mut names = Vec::new();
        let mut calls = Vec::new();
        let mut start = open;
        let mut i = open;
        let mut budget = MAX_CHAIN;
        while i > 0 && budget > 0 {
            budget -= 1;
            i -= 1;
            let t = &self.list[i];
            match t.kind {
                Kind::Ident => {
                    names.push(self.text(file, i));
                    start = i;
                    if i == 0 || !(self.is(file, i - 1, ".") || self.is(file, i - 1, "?.")) {
                        break;
                    }
                    i -= 1;
                    // Step back over calls and subscripts before the dot.
                    while i > 0 && matches!(self.list[i - 1].kind, Kind::Close(b')' | b']')) {
                        if budget == 0 {
                            return (names, start, calls);
                        }
                        budget -= 1;
                        match self.list[i - 1].pair {
                            Some(p) if p < i - 1 => {
                                if self.list[i - 1].kind == Kind::Close(b')') {
                                    calls.push(p);
                                }
                                i = p;
                                start = p;
                            }
                            _ => return (names, start, calls),
                        }
                    }
                }
                Kind::Punct if names.is_empty() && self.text(file, i) == ">" => {
                    // `<…>` of a generic call: back to its `<`.
                    let mut depth = 0;
                    let mut k = i;
                    loop {
                        match self.text(file, k) {
                            ">" => depth += 1,
                            "<" => depth -= 1,
                            _ => {}
                        }
                        if depth == 0 || k == 0 || i - k > 32 {
                            break;
                        }
                        k -= 1;
                    }
                    if depth != 0 {
                        break;
                    }
                    i = k;
                }
                _ => break,
            }
        }
        (names, start, calls)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c_like(b: &[u8], i: usize, _: Option<&Token>, _: &str) -> Option<Opening> {
        let (close, holes, multiline): (&'static [u8], _, _) = match b[i] {
            b'"' => (b"\"", Holes::None, false),
            b'`' => (b"`", Holes::DollarBrace, true),
            _ => return None,
        };
        Some(Opening {
            len: 1,
            close,
            escapes: Escapes::Js,
            holes,
            multiline,
            regex: false,
        })
    }

    const C: Syntax = Syntax {
        line_comment: b"//",
        block_comments: true,
        nested_comments: false,
        ident_extra: b"$",
        string_at: c_like,
    };

    #[test]
    fn brackets_pair_and_strings_hide_their_interpolations() {
        let text = r#"f(a, `x${g("y", {z})}w`, [1]) // c"#;
        let t = lex(text, &C);
        let kinds: Vec<&str> = (0..t.list.len()).map(|i| t.text(text, i)).collect();
        assert_eq!(
            kinds,
            [
                "f",
                "(",
                "a",
                ",",
                "`x${g(\"y\", {z})}w`",
                ",",
                "[",
                "1",
                "]",
                ")"
            ]
        );
        assert_eq!(t.list[1].pair, Some(9));
        assert_eq!(t.comments, [Span::new(30, 34)]);
        let lit = t.lit(4).unwrap();
        assert_eq!(
            lit.parts,
            [
                Part::Text(Span::new(6, 7)),
                Part::Hole {
                    code: Span::new(9, 20),
                    written: Span::new(7, 21),
                },
                Part::Text(Span::new(21, 22)),
            ]
        );
        assert_eq!(t.items(text, 1).len(), 3);
        assert_eq!(t.callee(text, 1), ["f"]);
    }

    #[test]
    fn a_stray_bracket_costs_one_construct() {
        let text = "a(b]) c(d)";
        let t = lex(text, &C);
        assert_eq!(t.list[1].pair, Some(4));
        assert_eq!(t.list[6].pair, Some(8));
    }

    #[test]
    fn deep_nesting_is_a_limit_not_a_crash() {
        let text = "(".repeat(100_000) + &")".repeat(100_000);
        let t = lex(&text, &C);
        assert_eq!(t.problems.len(), 1);
        assert_eq!(t.list[0].pair, Some(199_999));
        let text = "`${".repeat(10_000);
        let t = lex(&text, &C);
        assert!(matches!(t.problems[0].1, Problem::Limit(_)));
    }

    #[test]
    fn unterminated_strings_are_reported_at_their_opening() {
        let text = "x = `abc\n";
        let t = lex(text, &C);
        assert_eq!(t.problems[0].0, 4);
        let text = "x = \"abc\ny";
        let t = lex(text, &C);
        assert!(t.problems.is_empty());
        assert_eq!(t.text(text, 3), "y");
    }

    #[test]
    fn a_chain_is_followed_back_a_bounded_way() {
        let text = "x".to_string() + &".f()".repeat(10_000) + ".run(y)";
        let t = lex(&text, &C);
        let open = t.list.len() - 3;
        let (names, start, calls) = t.chain(&text, open);
        assert_eq!(names[0], "run");
        assert!(names.len() + calls.len() <= MAX_CHAIN);
        assert!(start > 0);
    }

    #[test]
    fn callee_steps_over_calls() {
        let text = "docker.from_env().containers.run(x)";
        let t = lex(text, &C);
        let open = t
            .list
            .iter()
            .rposition(|t| t.kind == Kind::Open(b'('))
            .unwrap();
        assert_eq!(
            t.callee(text, open),
            ["run", "containers", "from_env", "docker"]
        );
        let text = "new GenericContainer<>(x)";
        let t = lex(text, &C);
        let open = t
            .list
            .iter()
            .position(|t| t.kind == Kind::Open(b'('))
            .unwrap();
        assert_eq!(t.callee(text, open), ["GenericContainer"]);
    }
}
