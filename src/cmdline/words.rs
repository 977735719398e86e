//! Shell word splitting that keeps every byte's place in the file.
//!
//! Our own, rather than tree-sitter-bash: DESIGN.md measured 65 MB/s against
//! 2 MB/s, no C build, and — what matters most — the splitter runs directly
//! over a byte range of the outer file (a Makefile recipe, a YAML block
//! scalar, a Dockerfile `RUN`), or over text whose every byte knows its file
//! offset (the string of `sh -c "…"`, a recipe after make has expanded its
//! variables), so every word knows where each of its bytes is written and a
//! finding lands on the value even inside quotes or another variable.
//!
//! What decides where commands and words start follows the POSIX Shell
//! Command Language (§2.3 token recognition, §2.6.3 command substitution,
//! §2.7 redirection, §2.7.4 here-documents) and the Bash Reference Manual
//! (§3.1.2 quoting incl. `$'…'`, §3.2.5 compound commands incl. `case`,
//! §3.4.2 special parameters, §3.5.3 parameter expansion, §3.5.4 command
//! substitution, §3.5.6 process substitution, §3.6 redirections incl. `&>`,
//! `<<<` and `{fd}>`, §6.7 arrays `NAME=(…)`):
//!
//! - quotes `'…'`, `"…"` (backslash escapes only `$ \` " \\` and newline),
//!   `$'…'` (C escapes), `$"…"`; backslash-newline continues a line — with
//!   CRLF line ends too (`\`, CR, LF), without moving any column;
//! - `#` comments at the start of a word; the separators `;` `&` `|` `&&`
//!   `||` `;;` newline, subshells `( … )`, `{ … }` groups, and `case`
//!   patterns (a `)` there ends a pattern, not a substitution);
//! - redirections are not words: `>f`, `2>&1`, `&>f`, `<f`, `<<<w`, `{fd}>f`
//!   and the target word after them; `<<DELIM` / `<<-DELIM` remember the
//!   delimiter and the body after the next newline is skipped as data;
//! - `$( … )`, backquotes and `<( … )` are command lists of their own: their
//!   commands are split once, as the text goes by, also when they hold
//!   here-documents or quotes. Nesting lives on an explicit stack (never the
//!   call stack) capped at [`MAX_DEPTH`] levels, as hcl-edit caps its own:
//!   deeper input is a positioned error and the rest of that line is skipped.
//!   A word keeps a substitution's text only when that substitution holds
//!   no other one (else `$(...)`), so memory stays linear in the input.
//! - `$NAME`, `${…}` and substitutions are recorded as [`Param`]s (their
//!   place in the word, quoted or not), which `vars` expands; `$((…))` is
//!   arithmetic, `$(NAME)` a make reference kept as written.
//!
//! An unterminated quote or substitution is an error at its opening; the
//! splitter then resumes on the line after it, at most [`MAX_RESTARTS`]
//! times per input so that the work stays linear.

use std::ops::Range;

use crate::source::Span;

/// Deepest nesting of quotes, `${`, `$(`, backquotes and subshells read.
pub const MAX_DEPTH: usize = 64;
/// Resumptions after an unterminated construct, per input.
const MAX_RESTARTS: u32 = 8;

/// One shell word: its text after quote removal, and where each byte of it
/// is written.
#[derive(Debug, Clone)]
pub struct Word {
    pub text: String,
    /// File offset of each byte of `text`.
    offsets: Vec<usize>,
    /// The word as written, quotes included (for a word that came out of a
    /// variable: the place it was expanded).
    pub raw: Span,
    /// What few words have, boxed so that a plain word stays small (a
    /// script of a million words holds a million of these).
    extra: Option<Box<Extra>>,
}

#[derive(Debug, Clone, Default)]
struct Extra {
    /// Quoted stretches of `text`, so that a span can include their quotes.
    quotes: Vec<Quoted>,
    /// Expansions left in `text` as written.
    params: Vec<Param>,
    /// Stretches of `text` that a variable brought in, and from where.
    vias: Vec<Via>,
    /// The elements of `NAME=(…)`.
    array: Option<Vec<Word>>,
}

impl Extra {
    fn boxed(self) -> Option<Box<Extra>> {
        let empty = self.quotes.is_empty()
            && self.params.is_empty()
            && self.vias.is_empty()
            && self.array.is_none();
        (!empty).then(|| Box::new(self))
    }
}

#[derive(Debug, Clone, Copy)]
struct Quoted {
    /// `text[start..end]` was inside the quotes.
    start: usize,
    end: usize,
    /// File offsets of the opening quote (`$` of `$'`) and the closing one.
    open: usize,
    close: usize,
}

/// An expansion inside a word, kept as written: `$OPTS`, `"${opts[@]}"`,
/// `$(cat image.txt)`.
#[derive(Debug, Clone)]
pub struct Param {
    /// Where it stands in the word's text.
    pub range: Range<usize>,
    /// Inside double quotes: no field splitting of its value.
    pub quoted: bool,
    pub kind: ParamKind,
    /// Where it is written in the file.
    pub at: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamKind {
    /// `$NAME`, `${NAME}`, `${NAME[@]}`, and the fallback forms
    /// `${NAME:-…}`, `${NAME-…}`, `${NAME:=…}`, `${NAME=…}` (the value of
    /// NAME when the file sets it).
    Var { name: String, index: Index },
    /// A value no static reading knows: a command substitution, arithmetic,
    /// `${#X}`, `${X/a/b}`, a make reference `$(NAME)`. `hint` is the name
    /// it reads, when there is one.
    Opaque { hint: String },
}

/// Which part of an array a parameter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    /// `$a`, `${a}`, `${a[0]}`: the scalar, or an array's first element.
    Scalar,
    /// `${a[@]}`: every element, each its own word when quoted.
    All,
    /// `${a[*]}`: every element, joined by spaces when quoted.
    Joined,
}

/// A stretch of a word's text that an expansion brought in.
#[derive(Debug, Clone)]
pub struct Via {
    pub range: Range<usize>,
    /// Where the expansion (`$OPTS`, `$(OPTS)`) is written.
    pub site: Span,
}

impl Word {
    /// An empty word standing where `raw` is written (built up by `vars`).
    pub fn empty(raw: Span) -> Word {
        Word {
            text: String::new(),
            offsets: Vec::new(),
            raw,
            extra: None,
        }
    }

    fn quotes(&self) -> &[Quoted] {
        self.extra.as_ref().map_or(&[], |e| &e.quotes)
    }

    fn extra_mut(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Box::default)
    }

    /// The file span of `text[start..end]`: the value itself, from its
    /// first to its last byte. Quotes that lie inside the value are part of
    /// it (`seccomp="unconfined"`); quotes around the whole value are not,
    /// as in every other format. When the range mixes bytes written in
    /// different places (`seccomp=$MODE`), the span is that of the part the
    /// range ends with — the value where it is written.
    pub fn span_of(&self, start: usize, end: usize) -> Span {
        let n = self.text.len();
        let end = ceil_boundary(&self.text, end.min(n));
        let start = floor_boundary(&self.text, start.min(end));
        if start >= end || self.offsets.len() != n {
            return self.raw;
        }
        let start = self.segment_start(start, end);
        let mut s = self.offsets[start];
        let mut e = self.offsets[end - 1] + 1;
        for q in self.quotes() {
            let inside = q.start <= start && end <= q.end;
            if inside || q.start == q.end || q.start < start || q.end > end {
                continue;
            }
            if q.start == start {
                s = s.min(q.open);
            }
            if q.end == end {
                e = e.max(q.close + 1);
            }
        }
        Span::new(s, e.max(s))
    }

    /// The span of the whole text.
    pub fn span(&self) -> Span {
        self.span_of(0, self.text.len())
    }

    /// Where the expansions that brought `text[start..end]` are written,
    /// outermost first (`$OPTS` in the command, then `$BASE` in OPTS).
    pub fn sites_of(&self, start: usize, end: usize) -> Vec<Span> {
        let end = end.min(self.text.len());
        if self.vias().is_empty() || start >= end {
            return Vec::new();
        }
        let mut vias: Vec<&Via> = self
            .vias()
            .iter()
            .filter(|v| v.range.contains(&(end - 1)))
            .collect();
        vias.sort_by_key(|v| std::cmp::Reverse(v.range.len()));
        vias.into_iter().map(|v| v.site).collect()
    }

    /// The start of the run of bytes, ending at `end`, that came in through
    /// the same expansions as the last one.
    fn segment_start(&self, start: usize, end: usize) -> usize {
        if self.vias().is_empty() {
            return start;
        }
        let key = |i: usize| {
            self.vias()
                .iter()
                .enumerate()
                .filter(|(_, v)| v.range.contains(&i))
                .fold(0u128, |k, (n, _)| k | (1u128 << (n % 128)))
        };
        let last = key(end - 1);
        let mut s = end - 1;
        while s > start && key(s - 1) == last {
            s -= 1;
        }
        s
    }

    /// The file offset of byte `i` of the text.
    pub fn offset(&self, i: usize) -> usize {
        match self.offsets.get(i) {
            Some(&o) => o,
            None => self.offsets.last().map_or(self.raw.end, |&o| o + 1),
        }
    }

    /// Stretches of the text that expansions brought in.
    pub fn vias(&self) -> &[Via] {
        self.extra.as_ref().map_or(&[], |e| &e.vias)
    }

    pub fn params(&self) -> &[Param] {
        self.extra.as_ref().map_or(&[], |e| &e.params)
    }

    /// The elements of an array assignment `NAME=(…)`.
    pub fn array(&self) -> Option<&[Word]> {
        self.extra.as_ref().and_then(|e| e.array.as_deref())
    }

    /// Nothing but expansions whose value is unknown here (`$IMAGE`,
    /// `"${OPTS[@]}"`, `$(cat tag)`).
    pub fn is_opaque(&self) -> bool {
        if self.params().is_empty() {
            return false;
        }
        let mut covered = 0;
        let mut ranges: Vec<&Range<usize>> = self.params().iter().map(|p| &p.range).collect();
        ranges.sort_by_key(|r| r.start);
        for r in ranges {
            if r.start > covered {
                return false;
            }
            covered = covered.max(r.end);
        }
        covered >= self.text.len()
    }

    /// Whether byte `i` of the text was written inside quotes.
    pub fn is_quoted(&self, i: usize) -> bool {
        self.quotes().iter().any(|q| q.start <= i && i < q.end)
    }

    /// Whether any part of the text was quoted.
    pub fn has_quotes(&self) -> bool {
        !self.quotes().is_empty()
    }

    /// `text[range]` as a word of its own, with its positions.
    pub fn slice(&self, range: Range<usize>) -> Word {
        let end = ceil_boundary(&self.text, range.end.min(self.text.len()));
        let start = floor_boundary(&self.text, range.start.min(end));
        let shift = |r: &Range<usize>| r.start.max(start) - start..r.end.min(end) - start;
        let extra = self.extra.as_ref().and_then(|e| {
            Extra {
                quotes: e
                    .quotes
                    .iter()
                    .filter(|q| q.start >= start && q.end <= end)
                    .map(|q| Quoted {
                        start: q.start - start,
                        end: q.end - start,
                        ..*q
                    })
                    .collect(),
                params: e
                    .params
                    .iter()
                    .filter(|p| p.range.start >= start && p.range.end <= end)
                    .map(|p| Param {
                        range: shift(&p.range),
                        ..p.clone()
                    })
                    .collect(),
                vias: e
                    .vias
                    .iter()
                    .filter(|v| v.range.start < end && v.range.end > start)
                    .map(|v| Via {
                        range: shift(&v.range),
                        site: v.site,
                    })
                    .collect(),
                array: None,
            }
            .boxed()
        });
        Word {
            text: self.text[start..end].to_string(),
            offsets: self.offsets.get(start..end).unwrap_or_default().to_vec(),
            raw: self.raw,
            extra,
        }
    }

    /// Appends `other`; `site`, when given, is the expansion that brought it.
    pub fn append(&mut self, other: &Word, site: Option<Span>) {
        let base = self.text.len();
        let shift = |r: &Range<usize>| r.start + base..r.end + base;
        self.text.push_str(&other.text);
        self.offsets.extend_from_slice(&other.offsets);
        if let Some(site) = site
            && !other.text.is_empty()
        {
            let end = self.text.len();
            self.extra_mut().vias.push(Via {
                range: base..end,
                site,
            });
        }
        let Some(o) = &other.extra else {
            return;
        };
        let e = self.extra_mut();
        e.vias.extend(o.vias.iter().map(|v| Via {
            range: shift(&v.range),
            site: v.site,
        }));
        e.quotes.extend(o.quotes.iter().map(|q| Quoted {
            start: q.start + base,
            end: q.end + base,
            ..*q
        }));
        e.params.extend(o.params.iter().map(|p| Param {
            range: shift(&p.range),
            ..p.clone()
        }));
    }

    /// Appends one ASCII byte that the file does not hold (the space
    /// between joined elements); it stands for the last byte before it, or
    /// for `at` in an empty word, so that spans stay on characters.
    pub fn push_byte(&mut self, byte: u8, at: usize) {
        if byte.is_ascii() {
            let at = self.offsets.last().copied().unwrap_or(at);
            self.text.push(byte as char);
            self.offsets.push(at);
        }
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// A word splitting problem (an unterminated quote, too deep nesting) at
/// this file offset.
#[derive(Debug, Clone)]
pub struct WordError {
    pub offset: usize,
    pub message: &'static str,
}

/// What splitting found: simple commands, problems, and comment spans.
#[derive(Debug, Default)]
pub struct Split {
    pub commands: Vec<Vec<Word>>,
    pub errors: Vec<WordError>,
    pub comments: Vec<Span>,
    /// Every here-document, with the command it is the input of; for
    /// readers that follow the body where the command sends it (a file
    /// written with `cat > f <<EOF`).
    pub heredocs: Vec<HereDoc>,
}

/// A here-document (POSIX §2.7.4) and the command that reads it.
#[derive(Debug, Clone)]
pub struct HereDoc {
    /// The body's lines, up to (not including) the delimiter line.
    pub body: Span,
    /// Whether any part of the delimiter was quoted: then the body is
    /// literal; otherwise the shell expands `$…` and `` `…` `` in it.
    pub quoted: bool,
    /// `<<-`: leading tabs are stripped from each line.
    pub strip_tabs: bool,
    /// The index in [`Split::commands`] of the command whose input it is
    /// (none for a redirection without a command).
    pub command: Option<usize>,
    /// That command's redirections: the operator (`>`, `>>`, `<`, …) and
    /// the target word, in order.
    pub redirects: Vec<(&'static str, Word)>,
}

/// Splits `text[start..end]` (a range of the file) into simple commands.
pub fn split(text: &str, start: usize, end: usize) -> Split {
    let end = floor_boundary(text, end.min(text.len()));
    let start = ceil_boundary(text, start.min(end));
    Splitter::new(text, start, end, Mapper::default()).run()
}

/// Splits text whose bytes come from elsewhere in the file: `map[i]` is the
/// file offset of byte `i`, and `vias` the stretches an expansion brought
/// in (see [`super::Mapped`]).
pub fn split_mapped(text: &str, map: &[usize], vias: &[Via]) -> Split {
    if map.len() != text.len() {
        return Split::default();
    }
    let mapper = Mapper {
        map: Some(map),
        vias,
    };
    Splitter::new(text, 0, text.len(), mapper).run()
}

/// Input positions to file offsets.
#[derive(Default, Clone, Copy)]
struct Mapper<'a> {
    map: Option<&'a [usize]>,
    vias: &'a [Via],
}

impl Mapper<'_> {
    fn at(&self, p: usize) -> usize {
        match self.map {
            None => p,
            Some(m) => m
                .get(p)
                .copied()
                .unwrap_or_else(|| m.last().map_or(0, |&o| o + 1)),
        }
    }

    fn outermost(&self, p: usize) -> Option<&Via> {
        self.vias
            .iter()
            .filter(|v| v.range.contains(&p))
            .max_by_key(|v| v.range.len())
    }

    fn start(&self, p: usize) -> usize {
        match self.outermost(p) {
            Some(v) => v.site.start,
            None => self.at(p),
        }
    }

    fn end(&self, e: usize) -> usize {
        if e == 0 {
            return self.at(0);
        }
        match self.outermost(e - 1) {
            Some(v) => v.site.end,
            None => self.at(e - 1) + 1,
        }
    }

    fn span(&self, s: usize, e: usize) -> Span {
        let a = self.start(s);
        Span::new(a, self.end(e).max(a))
    }
}

/// A word being read; positions are input positions until `finish`.
struct Builder {
    start: usize,
    text: String,
    pos: Vec<usize>,
    quotes: Vec<(usize, usize, usize, usize)>,
    params: Vec<(Range<usize>, bool, ParamKind, usize, usize)>,
    array: Option<Vec<Word>>,
}

impl Builder {
    fn new(start: usize) -> Builder {
        Builder {
            start,
            text: String::new(),
            pos: Vec::new(),
            quotes: Vec::new(),
            params: Vec::new(),
            array: None,
        }
    }

    /// Appends `src[from..to]`, each byte standing for itself.
    fn push(&mut self, src: &str, from: usize, to: usize) {
        if let Some(s) = src.get(from..to) {
            self.text.push_str(s);
            self.pos.extend(from..to);
        }
    }

    /// Appends an ASCII character decoded from an escape written at `at`.
    fn push_decoded(&mut self, c: u8, at: usize) {
        self.text.push(c as char);
        self.pos.push(at);
    }

    /// `NAME=`, `NAME+=`, `NAME[i]=`: what may precede an array's `(`.
    fn is_assignment_prefix(&self) -> bool {
        if !self.quotes.is_empty() || !self.params.is_empty() {
            return false;
        }
        let t = self.text.strip_suffix('=').unwrap_or("");
        let t = t.strip_suffix('+').unwrap_or(t);
        let name = match t.find('[') {
            Some(i) if t.ends_with(']') => &t[..i],
            Some(_) => return false,
            None => t,
        };
        is_name(name)
    }

    /// Digits or `{name}` right before `<`/`>`: a file descriptor.
    fn is_io_number(&self) -> bool {
        if !self.quotes.is_empty() || !self.params.is_empty() || self.text.is_empty() {
            return false;
        }
        self.text.bytes().all(|b| b.is_ascii_digit())
            || self
                .text
                .strip_prefix('{')
                .and_then(|t| t.strip_suffix('}'))
                .is_some_and(is_name)
    }

    fn finish(self, end: usize, m: &Mapper<'_>) -> Word {
        let vias = m
            .vias
            .iter()
            .filter_map(|v| {
                let lo = self.pos.partition_point(|&p| p < v.range.start);
                let hi = self.pos.partition_point(|&p| p < v.range.end);
                (lo < hi).then_some(Via {
                    range: lo..hi,
                    site: v.site,
                })
            })
            .collect();
        let offsets = match m.map {
            None => self.pos,
            Some(_) => self.pos.iter().map(|&p| m.at(p)).collect(),
        };
        let extra = Extra {
            quotes: self
                .quotes
                .into_iter()
                .map(|(start, end, open, close)| Quoted {
                    start,
                    end,
                    open: m.at(open),
                    close: m.at(close),
                })
                .collect(),
            params: self
                .params
                .into_iter()
                .map(|(range, quoted, kind, s, e)| Param {
                    range,
                    quoted,
                    kind,
                    at: m.span(s, e),
                })
                .collect(),
            vias,
            array: self.array,
        };
        Word {
            text: self.text,
            offsets,
            raw: m.span(self.start, end),
            extra: extra.boxed(),
        }
    }
}

pub(crate) fn is_name(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b) if b == b'_' || b.is_ascii_alphabetic())
        && bytes.all(|b| b == b'_' || b.is_ascii_alphanumeric())
}

/// What opened a command list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Top,
    /// `$( … )`
    Subst,
    /// `( … )`
    Subshell,
    /// `<( … )`, `>( … )`
    ProcSubst,
    /// `` ` … ` ``
    Backquote,
    /// `NAME=( … )`: the words are the elements, not a command.
    Array,
}

#[derive(Debug, Clone, Copy)]
enum Redirect {
    /// The operator, as written without a file descriptor number.
    File(&'static str),
    HereDoc {
        strip_tabs: bool,
    },
}

struct List {
    kind: Kind,
    open: usize,
    words: Vec<Word>,
    word: Option<Builder>,
    /// The next word is the target of this redirection.
    redirect: Option<Redirect>,
    /// The redirections and here-documents of the command being read
    /// (boxed: most commands have none, and a list is a stack frame).
    pending: Option<Box<Pending>>,
    /// Open `case … in` constructs, and whether a pattern is being read.
    case_depth: u32,
    pattern: bool,
    /// A substitution closed inside this list.
    nested: bool,
    /// How many commands and comments existed when it opened.
    marks: (usize, usize),
}

impl List {
    fn new(kind: Kind, open: usize, marks: (usize, usize)) -> List {
        List {
            kind,
            open,
            words: Vec::new(),
            word: None,
            redirect: None,
            pending: None,
            case_depth: 0,
            pattern: false,
            nested: false,
            marks,
        }
    }
}

/// What a command's redirections were, until the command is finished.
#[derive(Default)]
struct Pending {
    redirects: Vec<(&'static str, Word)>,
    /// Indices into `Split::heredocs`.
    heredocs: Vec<usize>,
}

enum Frame {
    List(List),
    /// `"…"`; `text_start` is where its text begins in the word.
    DQuote {
        open: usize,
        text_start: usize,
    },
    /// `${…}`
    Brace {
        open: usize,
        text_start: usize,
        quoted: bool,
    },
    /// `$(( … ))` or `(( … ))`
    Arith {
        open: usize,
        text_start: usize,
        depth: u32,
    },
}

impl Frame {
    fn open(&self) -> usize {
        match self {
            Frame::List(l) => l.open,
            Frame::DQuote { open, .. } | Frame::Brace { open, .. } | Frame::Arith { open, .. } => {
                *open
            }
        }
    }

    fn unterminated(&self) -> &'static str {
        match self {
            Frame::List(l) => match l.kind {
                Kind::Subst | Kind::ProcSubst => "unterminated command substitution",
                Kind::Backquote => "unterminated backquote",
                Kind::Array => "unterminated array",
                Kind::Subshell | Kind::Top => "unterminated `(`",
            },
            Frame::DQuote { .. } => "unterminated double quote",
            Frame::Brace { .. } => "unterminated `${`",
            Frame::Arith { .. } => "unterminated arithmetic `((`",
        }
    }
}

const WORD_SPECIAL: &[u8] = b" \t\r\n;&|()<>`\\'\"$";
const DQUOTE_SPECIAL: &[u8] = b"\"\\$`";
const BRACE_SPECIAL: &[u8] = b"}$\"'`\\";
const ARITH_SPECIAL: &[u8] = b"()";

struct Splitter<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    end: usize,
    mapper: Mapper<'a>,
    top: List,
    stack: Vec<Frame>,
    /// Here-documents whose bodies start after the next newline: the
    /// delimiter, `<<-`, and the index in `out.heredocs`.
    heredocs: Vec<(String, bool, usize)>,
    out: Split,
    restarts: u32,
}

impl<'a> Splitter<'a> {
    fn new(src: &'a str, start: usize, end: usize, mapper: Mapper<'a>) -> Self {
        Splitter {
            src,
            b: src.as_bytes(),
            pos: start,
            end,
            mapper,
            top: List::new(Kind::Top, start, (0, 0)),
            stack: Vec::new(),
            heredocs: Vec::new(),
            out: Split::default(),
            restarts: 0,
        }
    }

    fn run(mut self) -> Split {
        loop {
            while self.pos < self.end {
                match self.stack.last() {
                    None | Some(Frame::List(_)) => {
                        if self.list().word.is_some() {
                            self.in_word();
                        } else {
                            self.between();
                        }
                    }
                    Some(Frame::DQuote { .. }) => self.in_dquote(),
                    Some(Frame::Brace { .. }) => self.in_brace(),
                    Some(Frame::Arith { .. }) => self.in_arith(),
                }
            }
            match self.stack.first() {
                Some(f) => {
                    let (open, message) = (f.open(), f.unterminated());
                    self.fail(open, message);
                }
                None => break,
            }
        }
        self.end_word();
        self.finish_command();
        self.out
    }

    fn peek(&self, k: usize) -> Option<u8> {
        let i = self.pos + k;
        (i < self.end).then(|| self.b[i])
    }

    /// The innermost command list.
    fn list(&mut self) -> &mut List {
        let inner = self.stack.iter_mut().rev().find_map(|f| match f {
            Frame::List(l) => Some(l),
            _ => None,
        });
        match inner {
            Some(l) => l,
            None => &mut self.top,
        }
    }

    fn kind(&self) -> Kind {
        self.stack
            .iter()
            .rev()
            .find_map(|f| match f {
                Frame::List(l) => Some(l.kind),
                _ => None,
            })
            .unwrap_or(Kind::Top)
    }

    /// The word being read in the innermost list.
    fn builder(&mut self) -> &mut Builder {
        let start = self.pos;
        self.list().word.get_or_insert_with(|| Builder::new(start))
    }

    /// Inside double quotes, counting from the innermost list.
    fn inside_dquotes(&self) -> bool {
        for f in self.stack.iter().rev() {
            match f {
                Frame::DQuote { .. } => return true,
                Frame::Brace { quoted, .. } => return *quoted,
                Frame::List(_) => return false,
                Frame::Arith { .. } => {}
            }
        }
        false
    }

    fn push_frame(&mut self, frame: Frame) -> bool {
        if self.stack.len() >= MAX_DEPTH {
            self.fail(self.pos, "nesting deeper than 64 levels");
            return false;
        }
        self.stack.push(frame);
        true
    }

    fn marks(&self) -> (usize, usize) {
        (self.out.commands.len(), self.out.comments.len())
    }

    /// Reports `message` at input position `at`, drops what the open
    /// constructs had read, and resumes on the line after the outermost one.
    fn fail(&mut self, at: usize, message: &'static str) {
        self.out.errors.push(WordError {
            offset: self.mapper.start(at),
            message,
        });
        let resume = self.stack.first().map_or(at, Frame::open);
        let marks = self.stack.iter().find_map(|f| match f {
            Frame::List(l) => Some(l.marks),
            _ => None,
        });
        if let Some((commands, comments)) = marks {
            self.out.commands.truncate(commands);
            self.out.comments.truncate(comments);
            // Here-documents of the dropped commands, and those not yet
            // given a command, go with them.
            self.out
                .heredocs
                .retain(|h| h.command.is_some_and(|c| c < commands));
        }
        self.stack.clear();
        self.top.words.clear();
        self.top.word = None;
        self.top.redirect = None;
        self.top.pending = None;
        self.heredocs.clear();
        self.restarts += 1;
        self.pos = if self.restarts > MAX_RESTARTS {
            self.end
        } else {
            memchr::memchr(b'\n', &self.b[resume.min(self.end)..self.end])
                .map_or(self.end, |n| resume + n + 1)
        };
    }

    /// Bytes of a backslash-newline (CRLF too) at the current position.
    fn continuation(&self) -> usize {
        match (self.peek(1), self.peek(2)) {
            (Some(b'\n'), _) => 2,
            (Some(b'\r'), Some(b'\n')) => 3,
            _ => 0,
        }
    }

    /// Between words in a command list.
    fn between(&mut self) {
        let b = self.b[self.pos];
        let next = self.peek(1);
        match b {
            b' ' | b'\t' | b'\r' => self.pos += 1,
            b'\\' if self.continuation() > 0 => self.pos += self.continuation(),
            b'\n' => {
                self.pos += 1;
                self.finish_command();
                self.read_heredocs();
            }
            b'#' => self.comment(),
            b';' => {
                self.pos += 1;
                self.finish_command();
                if matches!(self.peek(0), Some(b';' | b'&')) {
                    self.pos += 1;
                    if self.peek(0) == Some(b'&') {
                        self.pos += 1;
                    }
                    let list = self.list();
                    list.pattern = list.case_depth > 0;
                }
            }
            b'&' if next == Some(b'>') => self.redirect_operator(),
            b'&' | b'|' => {
                self.pos += 1 + usize::from(matches!(next, Some(b'&' | b'|')));
                self.finish_command();
            }
            b'(' if next == Some(b'(') => self.start_word(),
            b'(' => {
                if self.list().pattern {
                    self.pos += 1;
                } else {
                    self.finish_command();
                    let list = List::new(Kind::Subshell, self.pos, self.marks());
                    if self.push_frame(Frame::List(list)) {
                        self.pos += 1;
                    }
                }
            }
            b')' => {
                let list = self.list();
                if list.pattern {
                    list.words.clear();
                    list.pattern = false;
                    self.pos += 1;
                } else if matches!(
                    list.kind,
                    Kind::Subst | Kind::Subshell | Kind::ProcSubst | Kind::Array
                ) {
                    self.close_list();
                } else {
                    self.pos += 1;
                    self.finish_command();
                }
            }
            b'`' if self.kind() == Kind::Backquote => self.close_list(),
            b'<' | b'>' if next == Some(b'(') => self.start_word(),
            b'<' | b'>' => self.redirect_operator(),
            b'{' | b'}'
                if matches!(
                    next,
                    None | Some(b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b')')
                ) =>
            {
                self.pos += 1;
                self.finish_command();
            }
            _ => self.start_word(),
        }
    }

    fn start_word(&mut self) {
        let start = self.pos;
        self.list().word = Some(Builder::new(start));
    }

    fn comment(&mut self) {
        let s = self.pos;
        let e = memchr::memchr(b'\n', &self.b[s..self.end]).map_or(self.end, |n| s + n);
        let ce = if e > s && self.b[e - 1] == b'\r' {
            e - 1
        } else {
            e
        };
        self.out.comments.push(self.mapper.span(s, ce));
        self.pos = e;
    }

    fn redirect_operator(&mut self) {
        let s = &self.b[self.pos..self.end];
        const TWO: &[&str] = &["&>", ">>", ">|", ">&", "<&", "<>"];
        let (len, kind) = if s.starts_with(b"<<<") {
            (3, Redirect::File("<<<"))
        } else if s.starts_with(b"<<-") {
            (3, Redirect::HereDoc { strip_tabs: true })
        } else if s.starts_with(b"<<") {
            (2, Redirect::HereDoc { strip_tabs: false })
        } else if s.starts_with(b"&>>") {
            (3, Redirect::File("&>>"))
        } else if let Some(op) = TWO.iter().find(|op| s.starts_with(op.as_bytes())) {
            (2, Redirect::File(op))
        } else if s.first() == Some(&b'<') {
            (1, Redirect::File("<"))
        } else {
            (1, Redirect::File(">"))
        };
        self.pos += len;
        self.list().redirect = Some(kind);
    }

    fn read_heredocs(&mut self) {
        for (delimiter, strip_tabs, index) in std::mem::take(&mut self.heredocs) {
            let body_start = self.pos;
            let mut body_end = self.end;
            while self.pos < self.end {
                let s = self.pos;
                let e = memchr::memchr(b'\n', &self.b[s..self.end]).map_or(self.end, |n| s + n);
                let mut line = &self.src[s..e];
                line = line.strip_suffix('\r').unwrap_or(line);
                if strip_tabs {
                    line = line.trim_start_matches('\t');
                }
                self.pos = (e + 1).min(self.end);
                if line == delimiter {
                    body_end = s;
                    break;
                }
            }
            if let Some(h) = self.out.heredocs.get_mut(index) {
                h.body = self.mapper.span(body_start, body_end.max(body_start));
            }
        }
    }

    fn finish_command(&mut self) {
        let list = self.list();
        list.redirect = None;
        let Pending {
            redirects,
            heredocs,
        } = list.pending.take().map(|p| *p).unwrap_or_default();
        if list.kind == Kind::Array {
            return;
        }
        if list.pattern {
            list.words.clear();
            return;
        }
        let mut command = None;
        if !list.words.is_empty() {
            let words = std::mem::take(&mut list.words);
            command = Some(self.out.commands.len());
            self.out.commands.push(words);
        }
        for i in heredocs {
            if let Some(h) = self.out.heredocs.get_mut(i) {
                h.command = command;
                h.redirects = redirects.clone();
            }
        }
    }

    fn end_word(&mut self) {
        let Some(builder) = self.list().word.take() else {
            return;
        };
        let word = builder.finish(self.pos, &self.mapper);
        let index = self.out.heredocs.len();
        let list = self.list();
        if let Some(redirect) = list.redirect.take() {
            match redirect {
                Redirect::HereDoc { strip_tabs } => {
                    list.pending.get_or_insert_default().heredocs.push(index);
                    self.out.heredocs.push(HereDoc {
                        body: Span::default(),
                        quoted: word.has_quotes() || word.raw.len() != word.text.len(),
                        strip_tabs,
                        command: None,
                        redirects: Vec::new(),
                    });
                    self.heredocs.push((word.text, strip_tabs, index));
                }
                Redirect::File(op) => list
                    .pending
                    .get_or_insert_default()
                    .redirects
                    .push((op, word)),
            }
            return;
        }
        if list.kind != Kind::Array && !word.has_quotes() {
            if list.pattern {
                if word.text == "esac" && list.case_depth > 0 {
                    list.case_depth -= 1;
                    list.pattern = false;
                }
                return;
            }
            if list.words.is_empty() && word.text == "esac" && list.case_depth > 0 {
                list.case_depth -= 1;
                return;
            }
            if word.text == "in" && list.words.len() == 2 && list.words[0].text == "case" {
                list.words.clear();
                list.case_depth += 1;
                list.pattern = true;
                return;
            }
        }
        list.words.push(word);
    }

    /// Closes the innermost list at its `)` or backquote.
    fn close_list(&mut self) {
        self.end_word();
        self.finish_command();
        let Some(Frame::List(list)) = self.stack.pop() else {
            self.pos += 1;
            return;
        };
        let close = self.pos;
        self.pos += 1;
        let src = self.src;
        match list.kind {
            Kind::Top | Kind::Subshell => {}
            Kind::Array => {
                let builder = self.builder();
                builder.push(src, close, close + 1);
                builder.array = Some(list.words);
            }
            Kind::Subst | Kind::ProcSubst | Kind::Backquote => {
                let quoted = self.inside_dquotes();
                self.list().nested = true;
                let opener = if list.kind == Kind::Backquote { 1 } else { 2 };
                let builder = self.builder();
                let ts = builder.text.len();
                if list.nested {
                    builder.push(src, list.open, list.open + opener);
                    // The dots stand for the opener's last (ASCII) byte, so
                    // that a span ending on them ends on a character.
                    for _ in 0..3 {
                        builder.push_decoded(b'.', list.open + opener - 1);
                    }
                    builder.push(src, close, close + 1);
                } else {
                    builder.push(src, list.open, close + 1);
                }
                let te = builder.text.len();
                // What the substitution runs names it (`$(cat image.txt)`).
                let body = &src[list.open + opener..close];
                let hint = body[..floor_boundary(body, body.len().min(64))].to_string();
                builder.params.push((
                    ts..te,
                    quoted,
                    ParamKind::Opaque { hint },
                    list.open,
                    close + 1,
                ));
            }
        }
    }

    /// Opens `$(`, `<(`/`>(` (opener of two bytes) or a backquote.
    fn open_subst(&mut self, kind: Kind) {
        let list = List::new(kind, self.pos, self.marks());
        if self.push_frame(Frame::List(list)) {
            self.pos += if kind == Kind::Backquote { 1 } else { 2 };
        }
    }

    /// Appends the run of ordinary bytes at the current position.
    fn literal_run(&mut self, special: &[u8]) {
        let s = self.pos;
        let mut e = s;
        while e < self.end && !special.contains(&self.b[e]) {
            e += 1;
        }
        if e == s {
            // A byte this context does not treat specially after all.
            e = s + 1;
        }
        let e = ceil_boundary(self.src, e);
        let src = self.src;
        self.builder().push(src, s, e);
        self.pos = e;
    }

    fn in_word(&mut self) {
        let b = self.b[self.pos];
        let src = self.src;
        match b {
            b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b')' => self.end_word(),
            b'(' => self.paren_in_word(),
            b'<' | b'>' if self.peek(1) == Some(b'(') => self.open_subst(Kind::ProcSubst),
            b'<' | b'>' => {
                let io_number = self.list().word.as_ref().is_some_and(Builder::is_io_number);
                if io_number {
                    self.list().word = None;
                    self.redirect_operator();
                } else {
                    self.end_word();
                }
            }
            b'`' if self.kind() == Kind::Backquote => self.end_word(),
            b'`' => self.open_subst(Kind::Backquote),
            b'\\' => {
                let n = self.continuation();
                if n > 0 {
                    self.pos += n;
                } else if self.pos + 1 < self.end {
                    let at = self.pos + 1;
                    let e = ceil_boundary(src, at + 1);
                    self.builder().push(src, at, e);
                    self.pos = e;
                } else {
                    self.pos += 1;
                }
            }
            b'\'' => self.single_quote(),
            b'"' => self.open_dquote(),
            b'$' => self.dollar(false),
            _ => self.literal_run(WORD_SPECIAL),
        }
    }

    fn paren_in_word(&mut self) {
        let src = self.src;
        let at = self.pos;
        let arith = self.peek(1) == Some(b'(');
        let Some(builder) = self.list().word.as_mut() else {
            return self.between();
        };
        if builder.is_assignment_prefix() {
            builder.push(src, at, at + 1);
            let list = List::new(Kind::Array, at, self.marks());
            if self.push_frame(Frame::List(list)) {
                self.pos += 1;
            }
        } else if builder.text.is_empty() && arith {
            let text_start = builder.text.len();
            builder.push(src, at, at + 2);
            if self.push_frame(Frame::Arith {
                open: at,
                text_start,
                depth: 0,
            }) {
                self.pos += 2;
            }
        } else {
            self.end_word();
        }
    }

    fn single_quote(&mut self) {
        let open = self.pos;
        match memchr::memchr(b'\'', &self.b[open + 1..self.end]) {
            Some(n) => {
                let close = open + 1 + n;
                let src = self.src;
                let builder = self.builder();
                let ts = builder.text.len();
                builder.push(src, open + 1, close);
                let te = builder.text.len();
                builder.quotes.push((ts, te, open, close));
                self.pos = close + 1;
            }
            None => self.fail(open, "unterminated single quote"),
        }
    }

    /// `$'…'`: C escapes decoded, each standing at the escaped letter.
    fn ansi_c(&mut self) {
        let open = self.pos;
        let src = self.src;
        let ts = self.builder().text.len();
        let mut i = open + 2;
        loop {
            if i >= self.end {
                return self.fail(open, "unterminated $'…' quote");
            }
            match self.b[i] {
                b'\'' => break,
                b'\\' if i + 1 < self.end => {
                    let decoded = match self.b[i + 1] {
                        b'n' => Some(b'\n'),
                        b't' => Some(b'\t'),
                        b'r' => Some(b'\r'),
                        b'a' => Some(7),
                        b'b' => Some(8),
                        b'f' => Some(12),
                        b'v' => Some(11),
                        b'e' | b'E' => Some(27),
                        c @ (b'\\' | b'\'' | b'"' | b'?') => Some(c),
                        _ => None,
                    };
                    match decoded {
                        Some(c) => {
                            self.builder().push_decoded(c, i + 1);
                            i += 2;
                        }
                        None => {
                            self.builder().push(src, i, i + 1);
                            i += 1;
                        }
                    }
                }
                _ => {
                    let e = ceil_boundary(src, i + 1);
                    self.builder().push(src, i, e);
                    i = e;
                }
            }
        }
        let builder = self.builder();
        let te = builder.text.len();
        builder.quotes.push((ts, te, open, i));
        self.pos = i + 1;
    }

    fn open_dquote(&mut self) {
        let text_start = self.builder().text.len();
        let open = self.pos;
        if self.push_frame(Frame::DQuote { open, text_start }) {
            self.pos += 1;
        }
    }

    fn in_dquote(&mut self) {
        let src = self.src;
        match self.b[self.pos] {
            b'"' => {
                if let Some(Frame::DQuote { open, text_start }) = self.stack.pop() {
                    let close = self.pos;
                    let builder = self.builder();
                    let te = builder.text.len();
                    builder.quotes.push((text_start, te, open, close));
                }
                self.pos += 1;
            }
            b'\\' => {
                let n = self.continuation();
                if n > 0 {
                    self.pos += n;
                } else if matches!(self.peek(1), Some(b'$' | b'`' | b'"' | b'\\')) {
                    let at = self.pos + 1;
                    self.builder().push(src, at, at + 1);
                    self.pos += 2;
                } else {
                    let at = self.pos;
                    self.builder().push(src, at, at + 1);
                    self.pos += 1;
                }
            }
            b'$' => self.dollar(true),
            b'`' => self.open_subst(Kind::Backquote),
            _ => self.literal_run(DQUOTE_SPECIAL),
        }
    }

    fn in_brace(&mut self) {
        let src = self.src;
        let quoted = matches!(self.stack.last(), Some(Frame::Brace { quoted: true, .. }));
        match self.b[self.pos] {
            b'}' => {
                let at = self.pos;
                self.pos += 1;
                if let Some(Frame::Brace {
                    open, text_start, ..
                }) = self.stack.pop()
                {
                    let builder = self.builder();
                    builder.push(src, at, at + 1);
                    let te = builder.text.len();
                    let inner = builder.text.get(text_start + 2..te - 1).unwrap_or_default();
                    let kind = brace_kind(inner);
                    builder
                        .params
                        .push((text_start..te, quoted, kind, open, at + 1));
                }
            }
            b'$' => self.dollar(quoted),
            b'"' => self.open_dquote(),
            b'\'' if !quoted => self.single_quote(),
            b'`' => self.open_subst(Kind::Backquote),
            b'\\' => {
                let at = self.pos;
                let e = ceil_boundary(src, (at + 2).min(self.end));
                self.builder().push(src, at, e);
                self.pos = e;
            }
            _ => self.literal_run(BRACE_SPECIAL),
        }
    }

    fn in_arith(&mut self) {
        let src = self.src;
        let at = self.pos;
        match self.b[at] {
            b'(' => {
                if let Some(Frame::Arith { depth, .. }) = self.stack.last_mut() {
                    *depth += 1;
                }
                self.builder().push(src, at, at + 1);
                self.pos += 1;
            }
            b')' => {
                let depth = match self.stack.last_mut() {
                    Some(Frame::Arith { depth, .. }) => depth,
                    _ => return self.pos += 1,
                };
                if *depth > 0 {
                    *depth -= 1;
                    self.builder().push(src, at, at + 1);
                    self.pos += 1;
                    return;
                }
                let len = if self.peek(1) == Some(b')') { 2 } else { 1 };
                self.pos += len;
                if let Some(Frame::Arith {
                    open, text_start, ..
                }) = self.stack.pop()
                {
                    let quoted = self.inside_dquotes();
                    let builder = self.builder();
                    builder.push(src, at, at + len);
                    let te = builder.text.len();
                    builder.params.push((
                        text_start..te,
                        quoted,
                        ParamKind::Opaque {
                            hint: String::new(),
                        },
                        open,
                        at + len,
                    ));
                }
            }
            _ => self.literal_run(ARITH_SPECIAL),
        }
    }

    /// `$` in a word, in double quotes (`quoted`) or in `${…}`.
    fn dollar(&mut self, quoted: bool) {
        let p = self.pos;
        let src = self.src;
        match self.peek(1) {
            Some(b'(') if self.peek(2) == Some(b'(') => {
                let builder = self.builder();
                let text_start = builder.text.len();
                builder.push(src, p, p + 3);
                if self.push_frame(Frame::Arith {
                    open: p,
                    text_start,
                    depth: 0,
                }) {
                    self.pos = p + 3;
                }
            }
            Some(b'(') => match simple_make_var(self.b, p + 2, self.end) {
                Some(close) => {
                    let builder = self.builder();
                    let ts = builder.text.len();
                    builder.push(src, p, close + 1);
                    let te = builder.text.len();
                    let hint = src[p + 2..close].to_string();
                    builder
                        .params
                        .push((ts..te, quoted, ParamKind::Opaque { hint }, p, close + 1));
                    self.pos = close + 1;
                }
                None => self.open_subst(Kind::Subst),
            },
            Some(b'{') => {
                let builder = self.builder();
                let text_start = builder.text.len();
                builder.push(src, p, p + 2);
                if self.push_frame(Frame::Brace {
                    open: p,
                    text_start,
                    quoted,
                }) {
                    self.pos = p + 2;
                }
            }
            Some(b'\'') if !quoted => self.ansi_c(),
            // `$"…"`: a translated string, read as a double-quoted one.
            Some(b'"') if !quoted => self.pos += 1,
            Some(c) if c == b'_' || c.is_ascii_alphanumeric() || b"@*#?$!-".contains(&c) => {
                let mut e = p + 2;
                if c == b'_' || c.is_ascii_alphabetic() {
                    while e < self.end && (self.b[e] == b'_' || self.b[e].is_ascii_alphanumeric()) {
                        e += 1;
                    }
                }
                let name = src[p + 1..e].to_string();
                let builder = self.builder();
                let ts = builder.text.len();
                builder.push(src, p, e);
                let te = builder.text.len();
                builder.params.push((
                    ts..te,
                    quoted,
                    ParamKind::Var {
                        name,
                        index: Index::Scalar,
                    },
                    p,
                    e,
                ));
                self.pos = e;
            }
            _ => {
                self.builder().push(src, p, p + 1);
                self.pos += 1;
            }
        }
    }
}

/// What `${inner}` reads.
fn brace_kind(inner: &str) -> ParamKind {
    let opaque = |hint: &str| ParamKind::Opaque {
        hint: hint.to_string(),
    };
    let name_len = match inner.bytes().next() {
        Some(b) if b == b'_' || b.is_ascii_alphabetic() => inner
            .bytes()
            .position(|b| !(b == b'_' || b.is_ascii_alphanumeric()))
            .unwrap_or(inner.len()),
        Some(b) if b.is_ascii_digit() => inner
            .bytes()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(inner.len()),
        Some(b'@' | b'*' | b'?' | b'$' | b'!' | b'-') if inner.len() == 1 => 1,
        _ => return opaque(inner),
    };
    let (name, mut rest) = inner.split_at(name_len);
    let mut index = Index::Scalar;
    if let Some(sub) = rest.strip_prefix('[') {
        let Some(close) = sub.find(']') else {
            return opaque(name);
        };
        index = match &sub[..close] {
            "@" => Index::All,
            "*" => Index::Joined,
            "0" => Index::Scalar,
            _ => return opaque(name),
        };
        rest = &sub[close + 1..];
    }
    let fallback = [":-", "-", ":=", "="].iter().any(|op| rest.starts_with(op));
    if rest.is_empty() || fallback {
        ParamKind::Var {
            name: name.to_string(),
            index,
        }
    } else {
        opaque(name)
    }
}

/// `NAME)` right after `$(`: the offset of the `)`.
fn simple_make_var(bytes: &[u8], start: usize, end: usize) -> Option<usize> {
    let mut i = start;
    while i < end && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
        i += 1;
    }
    (i > start && i < end && bytes[i] == b')').then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Vec<String>> {
        let s = split(text, 0, text.len());
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        s.commands
            .into_iter()
            .map(|c| c.into_iter().map(|w| w.text).collect())
            .collect()
    }

    fn first(text: &str, n: usize) -> Word {
        let s = split(text, 0, text.len());
        s.commands.into_iter().flatten().nth(n).unwrap()
    }

    #[test]
    fn quotes_separators_and_continuations() {
        assert_eq!(
            words("a 'b c' \"d\\\"e\" f\\ g && h; i | j\nk \\\n  l # m n\n"),
            vec![
                vec!["a", "b c", "d\"e", "f g"],
                vec!["h"],
                vec!["i"],
                vec!["j"],
                vec!["k", "l"]
            ]
        );
        assert_eq!(
            words("x=$(docker run y) `z w`"),
            vec![
                vec!["docker", "run", "y"],
                vec!["z", "w"],
                vec!["x=$(docker run y)", "`z w`"]
            ]
        );
        assert_eq!(words("a $'b\\'c' $\"d\""), vec![vec!["a", "b'c", "d"]]);
    }

    #[test]
    fn crlf_line_ends_are_line_ends() {
        let text = "docker run \\\r\n  --privileged \\\r\n  x\r\n# c\r\ny\r\n";
        assert_eq!(
            words(text),
            vec![vec!["docker", "run", "--privileged", "x"], vec!["y"]]
        );
        let w = first(text, 2);
        assert_eq!(&text[w.raw.range()], "--privileged");
        let s = split(text, 0, text.len());
        assert_eq!(&text[s.comments[0].range()], "# c");
        let text = "cat <<EOF\r\ndocker run --privileged x\r\nEOF\r\necho\r\n";
        assert_eq!(words(text), vec![vec!["cat"], vec!["echo"]]);
    }

    #[test]
    fn nested_substitutions_in_quotes_and_make_variables() {
        let cmds = words("R=\"$(cd \"$(dirname \"$0\")/..\" && pwd)\"\ndocker run x\n");
        assert!(cmds.contains(&vec!["R=$(...)".to_string()]));
        assert!(cmds.contains(&vec!["docker".into(), "run".into(), "x".into()]));
        // The substitution's own commands are read too, once each.
        assert!(cmds.contains(&vec!["pwd".to_string()]));
        assert!(cmds.contains(&vec!["dirname".to_string(), "$0".to_string()]));
        assert!(cmds.contains(&vec!["cd".to_string(), "$(dirname \"$0\")/..".to_string()]));
        assert_eq!(cmds.len(), 5);
        assert_eq!(
            words("$(DOCKER) run y"),
            vec![vec!["$(DOCKER)", "run", "y"]]
        );
    }

    #[test]
    fn heredoc_bodies_are_not_commands() {
        let text = "cat <<'EOF' > f\ndocker run --privileged x\nEOF\necho done\n";
        assert_eq!(words(text), vec![vec!["cat"], vec!["echo", "done"]]);
        let text = "cat <<-\"X\" <<Y\n\tdocker run a\n\tX\ndocker run b\nY\nls\n";
        assert_eq!(words(text), vec![vec!["cat"], vec!["ls"]]);
    }

    #[test]
    fn heredocs_know_their_command_body_and_redirections() {
        let text =
            "cat > a.yml <<EOF; tee -a b.json <<'X'\nbody $A\nEOF\n{}\nX\ncat <<\\E >>c\nz\nE\n";
        let split = super::split(text, 0, text.len());
        let h = &split.heredocs;
        assert_eq!(h.len(), 3);
        let body = |i: usize| &text[h[i].body.range()];
        assert_eq!(body(0), "body $A\n");
        assert_eq!(body(1), "{}\n");
        assert_eq!(body(2), "z\n");
        assert_eq!((h[0].quoted, h[1].quoted, h[2].quoted), (false, true, true));
        let cmd = |i: usize| split.commands[h[i].command.unwrap()][0].text.clone();
        assert_eq!(
            (cmd(0), cmd(1), cmd(2)),
            ("cat".into(), "tee".into(), "cat".into())
        );
        let redirects = |i: usize| -> Vec<(&str, String)> {
            h[i].redirects
                .iter()
                .map(|(op, w)| (*op, w.text.clone()))
                .collect()
        };
        assert_eq!(redirects(0), [(">", "a.yml".to_string())]);
        assert!(redirects(1).is_empty());
        assert_eq!(redirects(2), [(">>", "c".to_string())]);
        // A body without its delimiter runs to the end.
        let text = "cat >x <<EOF\nunfinished\n";
        let split = super::split(text, 0, text.len());
        assert_eq!(&text[split.heredocs[0].body.range()], "unfinished\n");
    }

    #[test]
    fn heredocs_inside_substitutions_and_backquotes() {
        let text = "x=$(cat <<EOF\n\"docker run ) --privileged ' x\nEOF\n)\ndocker run y\n";
        let cmds = words(text);
        assert_eq!(cmds.last().unwrap(), &vec!["docker", "run", "y"]);
        assert!(cmds.contains(&vec!["cat".to_string()]));
        assert!(!cmds.iter().flatten().any(|w| w == "--privileged"));
        let text = "x=`cat <<EOF\n\"docker run --privileged ' x\nEOF\n`\ndocker run y\n";
        let cmds = words(text);
        assert_eq!(cmds.last().unwrap(), &vec!["docker", "run", "y"]);
        assert!(!cmds.iter().flatten().any(|w| w == "--privileged"));
    }

    #[test]
    fn redirections_are_not_words() {
        assert_eq!(
            words(
                "docker run >out.log 2>/dev/null --privileged <in &>all 2>&1 img <<<w 3<>f {fd}>g x\n"
            ),
            vec![vec!["docker", "run", "--privileged", "img", "x"]]
        );
        assert_eq!(words("a 2 > f"), vec![vec!["a", "2"]]);
        assert_eq!(
            words("diff <(ls a) >(cat)"),
            vec![
                vec!["ls", "a"],
                vec!["cat"],
                vec!["diff", "<(ls a)", ">(cat)"]
            ]
        );
    }

    #[test]
    fn case_patterns_inside_substitutions() {
        let text = "x=$(case $1 in a|b) docker run --privileged i;; (c) echo;; esac)\nls\n";
        let cmds = words(text);
        assert!(cmds.contains(&vec![
            "docker".into(),
            "run".into(),
            "--privileged".into(),
            "i".into()
        ]));
        assert!(cmds.contains(&vec!["echo".to_string()]));
        assert_eq!(cmds.last().unwrap(), &vec!["ls"]);
    }

    #[test]
    fn arrays_and_parameters() {
        let w = first(
            "opts=(--security-opt \"seccomp=unconfined\" # c\n  -v a:b)",
            0,
        );
        let elements: Vec<_> = w.array().unwrap().iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            elements,
            ["--security-opt", "seccomp=unconfined", "-v", "a:b"]
        );
        let w = first("x \"${opts[@]}\"$A${B:-c}$(d)", 1);
        let kinds: Vec<_> = w.params().iter().map(|p| (&p.kind, p.quoted)).collect();
        assert_eq!(kinds.len(), 4);
        assert_eq!(
            kinds[0],
            (
                &ParamKind::Var {
                    name: "opts".into(),
                    index: Index::All
                },
                true
            )
        );
        assert!(w.is_opaque());
        assert!(first("x ${IMAGE}", 1).is_opaque());
        assert!(!first("x -${IMAGE}", 1).is_opaque());
        assert!(!first("x ${IMAGE}:1", 1).is_opaque());
    }

    #[test]
    fn spans_point_at_the_value() {
        let text = "run --security-opt \"seccomp=unconfined\"";
        let w = first(text, 2);
        assert_eq!(&text[w.span().range()], "seccomp=unconfined");
        let text = "--security-opt='seccomp=unconfined'";
        let w = first(text, 0);
        let eq = w.text.find('=').unwrap() + 1;
        assert_eq!(
            &text[w.span_of(eq, w.text.len()).range()],
            "seccomp=unconfined"
        );
        for text in [
            "seccomp=\"unconfined\"",
            "\"seccomp\"=unconfined",
            "uncon\"fined\"",
            "$'seccomp'=x",
        ] {
            assert_eq!(&text[first(text, 0).span().range()], text);
        }
        let text = "\"--security-opt=seccomp=unconfined\"";
        let w = first(text, 0);
        assert_eq!(
            &text[w.span_of(15, w.text.len()).range()],
            "seccomp=unconfined"
        );
    }

    #[test]
    fn unterminated_quote_is_reported_and_the_next_line_read() {
        let text = "echo 'oops\ndocker run --privileged x\n";
        let s = split(text, 0, text.len());
        assert_eq!(s.errors.len(), 1);
        assert_eq!(s.errors[0].offset, 5);
        assert_eq!(s.commands.last().unwrap()[0].text, "docker");
        let text = "echo \"$(oops\ndocker run --privileged x\n";
        let s = split(text, 0, text.len());
        assert_eq!(s.errors.len(), 1);
        assert_eq!(s.errors[0].offset, 5);
        assert_eq!(s.commands.len(), 1);
        assert_eq!(s.commands[0][0].text, "docker");
    }

    #[test]
    fn mapped_text_keeps_file_offsets() {
        let text = "sh -c \"docker run \\\"--privileged\\\" x\"";
        let outer = first(text, 2);
        let s = split_mapped(&outer.text, &outer.offsets, outer.vias());
        let w = &s.commands[0][2];
        assert_eq!(w.text, "--privileged");
        assert_eq!(&text[w.span().range()], "--privileged");
    }
}

#[cfg(test)]
mod fuzz_regressions {
    //! Inputs found by fuzzing: each once panicked, overflowed the stack or
    //! used memory quadratic in its length.
    use super::*;

    #[test]
    fn unterminated_substitution_before_a_multibyte_end() {
        let text = "seccomp \"$(\"$(é";
        let s = split(text, 0, text.len());
        assert_eq!(s.errors.len(), 1);
        assert_eq!(s.errors[0].offset, 8);
    }

    #[test]
    fn ten_thousand_nested_substitutions_end_in_a_diagnostic() {
        let text = format!("{}\ndocker run x\n", "\"$(".repeat(10_000));
        let s = split(&text, 0, text.len());
        assert_eq!(s.errors.len(), 1);
        assert_eq!(s.errors[0].message, "nesting deeper than 64 levels");
        assert_eq!(s.commands.len(), 1);
        assert_eq!(s.commands[0][0].text, "docker");
    }

    #[test]
    fn nested_substitutions_keep_memory_linear() {
        for n in [20, 5_000] {
            let text = format!("{}{}", "\"$(".repeat(n), ")\"".repeat(n));
            let s = split(&text, 0, text.len());
            let kept: usize = s.commands.iter().flatten().map(|w| w.text.len()).sum();
            assert!(kept <= 4 * text.len(), "{kept} bytes for {}", text.len());
        }
    }

    #[test]
    fn spans_of_a_word_ending_in_a_multibyte_character() {
        let text = "seccomp=é";
        let w = first_word(text);
        assert_eq!(&text[w.span().range()], "seccomp=é");
        assert_eq!(&text[w.span_of(8, 9).range()], "é");
        assert_eq!(&text[w.span_of(9, 10).range()], "é");
    }

    fn first_word(text: &str) -> Word {
        split(text, 0, text.len())
            .commands
            .into_iter()
            .flatten()
            .next()
            .unwrap()
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Text made of the pieces that steer the splitter, and multi-byte
    /// characters next to them.
    fn shellish() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("\""),
            Just("'"),
            Just("$("),
            Just(")"),
            Just("("),
            Just("`"),
            Just("${"),
            Just("}"),
            Just("\\"),
            Just("\n"),
            Just("\r\n"),
            Just(" "),
            Just("<<EOF\n"),
            Just("EOF\n"),
            Just("é"),
            Just("😀"),
            Just("a"),
            Just("="),
            Just("#"),
            Just(";;"),
            Just("|"),
            Just("$'"),
            Just("$(("),
            Just("2>"),
            Just("x=("),
            Just("case a in "),
            Just("esac"),
            Just("$X"),
            Just("${a[@]}"),
        ];
        proptest::collection::vec(piece, 0..48).prop_map(|v| v.concat())
    }

    fn check_span(text: &str, range: (usize, usize), span: Span) -> Result<(), TestCaseError> {
        prop_assert!(span.start <= span.end, "{span:?}");
        prop_assert!(
            range.0 <= span.start && span.end <= range.1,
            "{span:?} {range:?}"
        );
        prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        Ok(())
    }

    fn check_word(text: &str, range: (usize, usize), w: &Word) -> Result<(), TestCaseError> {
        check_span(text, range, w.raw)?;
        let bounds: Vec<usize> = (0..=w.text.len())
            .filter(|&i| w.text.is_char_boundary(i))
            .collect();
        for (k, &i) in bounds.iter().enumerate() {
            for &j in bounds.iter().skip(k).take(12) {
                check_span(text, range, w.span_of(i, j))?;
            }
        }
        for p in w.params() {
            check_span(text, range, p.at)?;
        }
        for e in w.array().unwrap_or_default() {
            check_word(text, range, e)?;
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn every_span_lies_inside_the_input_on_character_boundaries(
            body in shellish(),
            before in "[a-zé ]{0,3}",
        ) {
            let text = format!("{before}{body}\n# after");
            let range = (before.len(), before.len() + body.len());
            let s = split(&text, range.0, range.1);
            for c in &s.comments {
                check_span(&text, range, *c)?;
            }
            for e in &s.errors {
                prop_assert!(range.0 <= e.offset && e.offset <= range.1);
                prop_assert!(text.is_char_boundary(e.offset));
            }
            for w in s.commands.iter().flatten() {
                check_word(&text, range, w)?;
                // The same word read again as a script (`sh -c "…"`).
                let inner = split_mapped(&w.text, &w.offsets, w.vias());
                for v in inner.commands.iter().flatten() {
                    check_word(&text, range, v)?;
                }
                for c in &inner.comments {
                    check_span(&text, range, *c)?;
                }
            }
        }
    }
}
