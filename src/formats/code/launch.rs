//! What the language readers find, turned into the model: literal values
//! (with every byte at its place in the file), container settings written
//! as SDK arguments, and argument lists and shell strings handed to the
//! shared command-line reader.
//!
//! An argument list (`["docker", "run", …]`) becomes the text a shell
//! would need to produce exactly those words: each literal element one
//! single-quoted word ([`Mapped::push_quoted`], as a Dockerfile's exec
//! form is read), so the reader sees the program's argv, wrappers
//! (`sh -c "…"`, `sudo`) included. What is not a literal stays unknown
//! and named as the code names it: an element `image` becomes the word
//! `"${image}"` (one word, value unknown: the image the container runs),
//! a spread `*opts` / `...opts` / `opts...` the unquoted `${opts}` (any
//! number of words; [`cmdline`](crate::cmdline) takes a name like
//! `opts`/`args` for options), and an interpolation inside a literal
//! (`f"--security-opt={x}"`) that part of the word. Those synthetic bytes
//! stand for the code they replace, so a value found in them is marked
//! there.

use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use super::lex::{Escapes, Kind, Lit, Part, Tokens};
use crate::cmdline::{self, Mapped};
use crate::diagnostic::Diagnostic;
use crate::model::{Capability, Container, Parsed, Platform, Seccomp, SecurityOpt, Value};
use crate::source::{Location, Source, Span};

/// A piece of a value written in code.
#[derive(Debug, Clone)]
pub enum Piece {
    /// Literal text, escapes undone, each byte at its file offset.
    Text(Mapped),
    /// Code whose value is unknown here: the code, and where it is
    /// written with its delimiters (`{x}` of an f-string).
    Hole { code: Span, written: Span },
}

/// One value as the code writes it: literal pieces and unknown ones.
#[derive(Debug, Clone)]
pub struct Arg {
    pub pieces: Vec<Piece>,
    pub span: Span,
}

impl Arg {
    /// The text, when the whole value is literal.
    pub fn literal(&self) -> Option<&Mapped> {
        match self.pieces.as_slice() {
            [Piece::Text(m)] => Some(m),
            _ => None,
        }
    }

    fn push(&mut self, piece: Piece) {
        if let (Some(Piece::Text(last)), Piece::Text(m)) = (self.pieces.last_mut(), &piece) {
            last.push_mapped(m, 0..m.len());
            return;
        }
        self.pieces.push(piece);
    }
}

/// An element of an argument list.
#[derive(Debug, Clone)]
pub enum Item {
    Word(Arg),
    /// Any number of words from code (`*args`, `...args`, `args...`).
    Spread(Span),
}

/// One file being read: its tokens and what the readers share.
/// What [`Code::once`] keeps: a range of tokens, or none.
type Found = Option<Range<usize>>;

pub struct Code<'a> {
    pub source: &'a Arc<Source>,
    pub file: &'a str,
    pub t: Tokens,
    base: PathBuf,
    /// Innermost enclosing bracket of each token, computed on first use.
    parents: std::cell::OnceCell<Vec<Option<usize>>>,
    /// Answers about one bracket that many constructs ask for (the image
    /// of the object or call around them): each is worked out once, so
    /// that n of them inside one bracket cost n, not n².
    memo: std::cell::RefCell<HashMap<(usize, &'static str), Found>>,
}

impl<'a> Code<'a> {
    pub fn new(source: &'a Arc<Source>, t: Tokens) -> Code<'a> {
        Code {
            source,
            file: &source.text,
            t,
            base: source.path.parent().map(PathBuf::from).unwrap_or_default(),
            parents: std::cell::OnceCell::new(),
            memo: std::cell::RefCell::new(HashMap::new()),
        }
    }

    /// Comments for suppressions, and problems as diagnostics.
    pub fn finish(mut self, out: &mut Parsed) {
        out.comments.extend(
            self.t
                .comments
                .iter()
                .map(|&c| Location::new(self.source, c)),
        );
        for (offset, problem) in std::mem::take(&mut self.t.problems) {
            out.diagnostics
                .push(Diagnostic::at(self.source, offset, problem));
        }
    }

    pub fn text(&self, i: usize) -> &'a str {
        self.t.text(self.file, i)
    }

    pub fn is(&self, i: usize, s: &str) -> bool {
        self.t.is(self.file, i, s)
    }

    /// The number of tokens.
    pub fn len(&self) -> usize {
        self.t.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.t.list.is_empty()
    }

    pub fn kind(&self, i: usize) -> Option<Kind> {
        self.t.list.get(i).map(|t| t.kind)
    }

    pub fn pair(&self, i: usize) -> Option<usize> {
        self.t.list.get(i).and_then(|t| t.pair)
    }

    pub fn items(&self, open: usize) -> Vec<Range<usize>> {
        self.t.items(self.file, open)
    }

    pub fn callee(&self, open: usize) -> Vec<&'a str> {
        self.t.callee(self.file, open)
    }

    /// The name of the call whose `(` is at `open`, and its token, also
    /// behind generic arguments (`new GenericContainer<>(`).
    pub fn call_name(&self, open: usize) -> Option<(&'a str, usize)> {
        let before = open.checked_sub(1)?;
        if let Some(name) = self.t.ident(self.file, before) {
            return Some((name, before));
        }
        if !self.is(before, ">") {
            return None;
        }
        let (names, _, _) = self.t.chain(self.file, open);
        let name = *names.first()?;
        let at = (before.saturating_sub(40)..before)
            .rev()
            .find(|&k| self.kind(k) == Some(Kind::Ident) && self.text(k) == name)?;
        Some((name, at))
    }

    pub fn span(&self, range: Range<usize>) -> Span {
        self.t.span(range)
    }

    /// `find()` for the bracket at `open`, worked out on the first ask.
    pub fn once(
        &self,
        open: usize,
        what: &'static str,
        find: impl FnOnce() -> Option<Range<usize>>,
    ) -> Option<Range<usize>> {
        if let Some(found) = self.memo.borrow().get(&(open, what)) {
            return found.clone();
        }
        let found = find();
        self.memo.borrow_mut().insert((open, what), found.clone());
        found
    }

    /// The innermost bracket around token `i`.
    pub fn parent(&self, i: usize) -> Option<usize> {
        let parents = self.parents.get_or_init(|| {
            let mut stack: Vec<usize> = Vec::new();
            let mut parents = Vec::with_capacity(self.t.list.len());
            for (k, t) in self.t.list.iter().enumerate() {
                if let Kind::Close(_) = t.kind
                    && let Some(open) = t.pair
                    && let Some(at) = stack.iter().rposition(|&o| o == open)
                {
                    stack.truncate(at);
                }
                parents.push(stack.last().copied());
                if let (Kind::Open(_), Some(_)) = (t.kind, t.pair) {
                    stack.push(k);
                }
            }
            parents
        });
        parents.get(i).copied().flatten()
    }

    /// `name = value` (Python) or `name: value` (objects, Go literals):
    /// the name and the value's tokens.
    pub fn keyed(&self, item: &Range<usize>, sep: &str) -> Option<(&'a str, Range<usize>)> {
        if item.len() < 3 || !self.is(item.start + 1, sep) {
            return None;
        }
        let key = match self.kind(item.start)? {
            Kind::Ident => self.text(item.start),
            Kind::Str(_) => {
                let lit = self.t.lit(item.start)?;
                match lit.parts.as_slice() {
                    [Part::Text(s)] => self.file.get(s.range())?,
                    _ => return None,
                }
            }
            _ => return None,
        };
        Some((key, item.start + 2..item.end))
    }

    /// The value of keyword `name` among a call's items.
    pub fn keyword(&self, items: &[Range<usize>], name: &str, sep: &str) -> Option<Range<usize>> {
        items.iter().find_map(|i| match self.keyed(i, sep) {
            Some((k, v)) if k == name => Some(v),
            _ => None,
        })
    }

    /// `true`/`True`/`false`/`False`, alone.
    pub fn boolean(&self, range: &Range<usize>) -> Option<(bool, Span)> {
        if range.len() != 1 {
            return None;
        }
        let v = match self.text(range.start) {
            "true" | "True" => true,
            "false" | "False" => false,
            _ => return None,
        };
        (self.kind(range.start) == Some(Kind::Ident)).then(|| (v, self.t.list[range.start].span))
    }

    /// The elements of a collection written in place: `[…]`, `(…)`,
    /// `[]string{…}`, `strslice.StrSlice{…}`, `List.of(…)`,
    /// `Arrays.asList(…)`, `new String[]{…}`, `listOf(…)`, `arrayOf(…)`.
    /// Anything else (a variable, a call to some function) is not.
    pub fn collection(&self, range: &Range<usize>) -> Option<Vec<Range<usize>>> {
        const WORDS: &[&str] = &[
            "Arrays",
            "asList",
            "List",
            "of",
            "Collections",
            "singletonList",
            "ImmutableList",
            "Set",
            "listOf",
            "arrayOf",
            "mutableListOf",
            "setOf",
            "new",
            "String",
            "string",
            "strslice",
            "StrSlice",
            "list",
            "tuple",
            "Array",
            "Capability",
        ];
        let last = range.end.checked_sub(1)?;
        let mut i = range.start;
        while i < last {
            match self.kind(i)? {
                Kind::Open(_) if self.pair(i) == Some(last) => return Some(self.items(i)),
                Kind::Open(_) => i = self.pair(i).filter(|&p| p > i && p < last)? + 1,
                Kind::Ident if WORDS.contains(&self.text(i)) => i += 1,
                Kind::Punct if matches!(self.text(i), "." | "<" | ">" | "::") => i += 1,
                _ => return None,
            }
        }
        None
    }

    /// The `{` of an object literal that is the whole of `range`.
    pub fn object(&self, range: &Range<usize>) -> Option<usize> {
        (range.len() >= 2
            && self.kind(range.start) == Some(Kind::Open(b'{'))
            && self.pair(range.start) == Some(range.end - 1))
        .then_some(range.start)
    }

    /// A value as the code writes it: string literals (adjacent ones, and
    /// ones joined by `+`, concatenate) with their interpolations, and
    /// anything else as unknown.
    pub fn arg(&self, range: &Range<usize>) -> Arg {
        let mut arg = Arg {
            pieces: Vec::new(),
            span: self.span(range.clone()),
        };
        for operand in self.t.split(self.file, range.clone(), "+") {
            let strings = operand
                .clone()
                .all(|i| matches!(self.kind(i), Some(Kind::Str(_))));
            if operand.is_empty() || !strings {
                let span = self.span(operand);
                arg.push(Piece::Hole {
                    code: span,
                    written: span,
                });
                continue;
            }
            for i in operand {
                if let Some(lit) = self.t.lit(i) {
                    for piece in decode(self.file, lit) {
                        arg.push(piece);
                    }
                }
            }
        }
        if arg.pieces.is_empty() {
            // `""`: an empty word, written where the literal is.
            arg.pieces.push(Piece::Text(Mapped::new()));
        }
        arg
    }

    /// The literal text of `range`, when it is all literal.
    pub fn literal(&self, range: &Range<usize>) -> Option<Mapped> {
        let arg = self.arg(range);
        arg.literal().filter(|m| !m.is_empty()).cloned()
    }

    pub fn container(&self, name: String, at: Span) -> Container {
        Container::new(name, Platform::Engine, Location::new(self.source, at))
    }

    pub fn image(&self, container: &mut Container, range: &Range<usize>) {
        if let Some(m) = self.literal(range) {
            let text = m.text().to_string();
            container.name = format!("{} of {text}", container.name);
            container.image = Some(Value::new(
                text,
                Location::new(self.source, m.span(0, m.len())),
            ));
        }
    }

    pub fn privileged(&self, container: &mut Container, range: &Range<usize>) {
        if let Some((v, span)) = self.boolean(range) {
            container.privileged = Some(Value::new(v, Location::new(self.source, span)));
        }
    }

    /// A privileged mode written without a value (`withPrivilegedMode()`):
    /// the call itself is what turns it on.
    pub fn privileged_at(&self, container: &mut Container, span: Span) {
        container.privileged = Some(Value::new(true, Location::new(self.source, span)));
    }

    /// Security options given to an engine API (not a command line): only
    /// `seccomp=unconfined` is judged. A profile path means nothing there:
    /// Docker's daemon reads the value as the profile's JSON (moby
    /// `daemon/seccomp_linux.go` `WithSeccomp` → `seccomp.LoadProfile`,
    /// the CLI reads the file first), and Podman reads it as a path on the
    /// machine that runs the container — neither is a file of this
    /// repository.
    pub fn security_opts(&self, container: &mut Container, range: &Range<usize>) {
        let items = self
            .collection(range)
            .unwrap_or_else(|| vec![range.clone()]);
        for item in items {
            let Some(m) = self.literal(&item) else {
                continue;
            };
            if SecurityOpt::parse(m.text()) == SecurityOpt::SeccompUnconfined {
                container.seccomp.push(Value::new(
                    Seccomp::Unconfined,
                    Location::new(self.source, m.span(0, m.len())),
                ));
            }
        }
    }

    /// Capabilities: a collection, or one value; each a string or an enum
    /// constant (`Capability.SYS_ADMIN`).
    pub fn capabilities(&self, container: &mut Container, range: &Range<usize>, add: bool) {
        let items = self
            .collection(range)
            .unwrap_or_else(|| vec![range.clone()]);
        for item in items {
            let (text, span) = match self.literal(&item) {
                Some(m) => (m.text().to_string(), m.span(0, m.len())),
                None => {
                    let last = item.end - 1;
                    let constant = item.len() >= 3
                        && self.kind(last) == Some(Kind::Ident)
                        && (self.is(last - 1, ".") || self.is(last - 1, "::"))
                        && self.text(last - 2) == "Capability";
                    if !constant {
                        continue;
                    }
                    (self.text(last).to_string(), self.t.list[last].span)
                }
            };
            if let Some(cap) = Capability::parse(&text) {
                let list = if add {
                    &mut container.capabilities.add
                } else {
                    &mut container.capabilities.drop
                };
                list.push(Value::new(cap, Location::new(self.source, span)));
            }
        }
    }

    /// The Engine API's container settings written as an object (dockerode,
    /// aiodocker, Go's `container.HostConfig`): `Privileged`,
    /// `SecurityOpt`, `CapAdd`, `CapDrop`, as moby's `HostConfig` names
    /// them.
    pub fn api_fields(&self, container: &mut Container, items: &[Range<usize>], sep: &str) {
        for item in items {
            let Some((key, value)) = self.keyed(item, sep) else {
                continue;
            };
            match key {
                "Privileged" => self.privileged(container, &value),
                "SecurityOpt" => self.security_opts(container, &value),
                "CapAdd" => self.capabilities(container, &value, true),
                "CapDrop" => self.capabilities(container, &value, false),
                _ => {}
            }
        }
    }

    /// Every `HostConfig: {…}` entry of an object literal (JavaScript
    /// objects, Python dicts): one container each, named after the call
    /// that receives the object around it, with that object's `Image`.
    pub fn host_config_objects(&self, out: &mut Parsed) {
        for i in 0..self.len() {
            let key = match self.kind(i) {
                Some(Kind::Ident) => self.text(i) == "HostConfig",
                Some(Kind::Str(_)) => {
                    let t = self.text(i);
                    // An unterminated string ends at the line, maybe
                    // on a wide character: not cut blindly.
                    t.get(1..t.len().saturating_sub(1)) == Some("HostConfig")
                }
                _ => false,
            };
            if !key || !self.is(i + 1, ":") || self.kind(i + 2) != Some(Kind::Open(b'{')) {
                continue;
            }
            let mark = out.mark();
            let at = self.t.list[i].span;
            let mut name = "`HostConfig`".to_string();
            let outer = self
                .parent(i)
                .filter(|&o| self.kind(o) == Some(Kind::Open(b'{')));
            if let Some(call) = outer
                .and_then(|o| self.parent(o))
                .filter(|&p| self.kind(p) == Some(Kind::Open(b'(')))
            {
                let callee = self.callee(call);
                name = match callee.as_slice() {
                    [] => name,
                    [one] => format!("`{one}`"),
                    [last, before, ..] => format!("`{before}.{last}`"),
                };
            }
            let mut container = self.container(name, at);
            // Once per object around: an object of n `HostConfig` keys
            // would otherwise be split into its items n times.
            let image = outer.and_then(|o| {
                self.once(o, "image", || {
                    self.keyword(&self.items(o), "Image", ":").or_else(|| {
                        // dockerode's `docker.run(image, cmd, streams,
                        // createOptions)`.
                        let call = self.parent(o)?;
                        (self.callee(call).first() == Some(&"run"))
                            .then(|| self.items(call).into_iter().next())?
                    })
                })
            });
            if let Some(image) = image {
                self.image(&mut container, &image);
            }
            self.api_fields(&mut container, &self.items(i + 2), ":");
            out.containers.push(container);
            out.within(mark, at.start);
        }
    }

    /// The elements of an argument list written as a collection (or as
    /// collections and other lists joined by `+`).
    pub fn list_items(&self, range: &Range<usize>) -> Option<Vec<Item>> {
        let mut items = Vec::new();
        let operands = self.t.split(self.file, range.clone(), "+");
        let mut any = false;
        for operand in operands {
            match self.collection(&operand) {
                Some(elements) => {
                    any = true;
                    items.extend(elements.iter().map(|e| self.item(e)));
                }
                None if operand.is_empty() => {}
                None => items.push(Item::Spread(self.span(operand))),
            }
        }
        any.then_some(items)
    }

    /// One argument of a call or element of a list: a spread (`*x`,
    /// `...x`, `x...`) of a collection written in place gives its
    /// elements' words; of anything else, unknown words.
    pub fn item(&self, range: &Range<usize>) -> Item {
        let (inner, spread) = if matches!(self.text(range.start), "*" | "...")
            && self.kind(range.start) == Some(Kind::Punct)
        {
            (range.start + 1..range.end, true)
        } else if range.len() > 1 && self.is(range.end - 1, "...") {
            (range.start..range.end - 1, true)
        } else {
            (range.clone(), false)
        };
        if !spread {
            return Item::Word(self.arg(range));
        }
        Item::Spread(self.span(inner))
    }

    /// Items, with spreads of collections written in place opened.
    pub fn flatten(&self, items: &[Range<usize>]) -> Vec<Item> {
        let mut out = Vec::new();
        for range in items {
            let spread_of = if self.is(range.start, "*") || self.is(range.start, "...") {
                Some(range.start + 1..range.end)
            } else if range.len() > 1 && self.is(range.end - 1, "...") {
                Some(range.start..range.end - 1)
            } else {
                None
            };
            match spread_of.as_ref().and_then(|r| self.collection(r)) {
                Some(elements) => out.extend(elements.iter().map(|e| self.item(e))),
                None => out.push(self.item(range)),
            }
        }
        out
    }

    /// Hands an argument list to the command-line reader.
    pub fn run_argv(&self, items: &[Item], out: &mut Parsed) {
        if items.is_empty() {
            return;
        }
        let mut script = Mapped::new();
        for (k, item) in items.iter().enumerate() {
            let span = match item {
                Item::Word(a) => a.span,
                Item::Spread(s) => *s,
            };
            if k > 0 {
                script.push_synthetic(" ", span.start);
            }
            match item {
                Item::Word(arg) => self.push_word(&mut script, arg),
                Item::Spread(s) => push_hole(&mut script, &self.hint(*s), *s),
            }
        }
        cmdline::read_mapped(self.source, &script, &self.base, out);
    }

    /// Hands a string to the command-line reader as the script a shell
    /// runs (`shell=True`, `os.system`, `exec`, `sh -c`).
    pub fn run_shell(&self, arg: &Arg, out: &mut Parsed) {
        let mut script = Mapped::new();
        for piece in &arg.pieces {
            match piece {
                Piece::Text(m) => script.push_mapped(m, 0..m.len()),
                Piece::Hole { code, written } => {
                    push_hole(&mut script, &self.hint(*code), *written);
                }
            }
        }
        cmdline::read_mapped(self.source, &script, &self.base, out);
    }

    /// Hands a string split at whitespace to the reader, each field one
    /// word (Python's `str.split()`, Java's `Runtime.exec(String)`, which
    /// uses a `StringTokenizer`: no quotes, no expansions).
    pub fn run_fields(&self, arg: &Arg, out: &mut Parsed) {
        let Some(m) = arg.literal() else { return };
        let text = m.text();
        let mut items = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
            match (c.is_whitespace(), start) {
                (true, Some(s)) => {
                    let field = m.slice(s..i);
                    items.push(Item::Word(Arg {
                        span: field.span(0, field.len()),
                        pieces: vec![Piece::Text(field)],
                    }));
                    start = None;
                }
                (false, None) => start = Some(i),
                _ => {}
            }
        }
        self.run_argv(&items, out);
    }

    fn push_word(&self, script: &mut Mapped, arg: &Arg) {
        match arg.literal() {
            Some(m) if m.is_empty() => script.push_synthetic("''", arg.span.start),
            Some(m) => script.push_quoted(m),
            None => {
                script.push_synthetic("\"", arg.span.start);
                for piece in &arg.pieces {
                    match piece {
                        Piece::Text(m) => {
                            for (i, c) in m.text().char_indices() {
                                if matches!(c, '$' | '`' | '"' | '\\') {
                                    script.push_synthetic("\\", m.offset(i));
                                }
                                script.push_mapped(m, i..i + c.len_utf8());
                            }
                        }
                        Piece::Hole { code, written } => {
                            push_hole(script, &self.hint(*code), *written);
                        }
                    }
                }
                let end = script.offset(script.len().saturating_sub(1));
                script.push_synthetic("\"", end);
            }
        }
    }

    /// A shell name for the code at `span`: `self.image` → `self_image`,
    /// so that the reader can tell options from an image by the name
    /// (`opts`, `args` → options), as it does for shell variables.
    fn hint(&self, span: Span) -> String {
        let code = self.file.get(span.range()).unwrap_or("");
        let chain = code.split('.').all(|part| {
            let mut b = part.bytes();
            b.next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_' || c == b'$')
                && b.all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'$')
        });
        if chain {
            return code.replace(['.', '$'], "_").trim_matches('_').to_string();
        }
        // Otherwise the last name in it (`cfg["image"]` → `image`).
        let names: Vec<&str> = code
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| {
                w.bytes()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
            })
            .collect();
        names
            .last()
            .map_or_else(|| "value".to_string(), |n| n.to_string())
    }
}

/// `${hint}` standing for the code at `span`: its first byte at the
/// code's start, the others at the code's last byte (so that a span over
/// it ends on a character).
fn push_hole(script: &mut Mapped, hint: &str, span: Span) {
    let last = if span.end > span.start {
        span.end - 1
    } else {
        span.start
    };
    script.push_synthetic("$", span.start);
    script.push_synthetic(&format!("{{{hint}}}"), last);
}

/// A literal's pieces with its escapes undone.
pub fn decode(file: &str, lit: &Lit) -> Vec<Piece> {
    lit.parts
        .iter()
        .map(|part| match *part {
            Part::Hole { code, written } => Piece::Hole { code, written },
            Part::Text(s) => {
                let mut m = Mapped::new();
                unescape(file, s, lit.escapes, &mut m);
                Piece::Text(m)
            }
        })
        .collect()
}

/// Undoes the escapes of `file[span]` as `escapes` says (Python's
/// lexical analysis §2.4.1, the Go spec's rune and string literals,
/// ECMAScript's string literal escapes, JLS §3.10.7, Kotlin's escapes).
/// An escape a language does not define is kept as written (Python,
/// Go, Java, Kotlin) or stands for its character (JavaScript).
fn unescape(file: &str, span: Span, escapes: Escapes, m: &mut Mapped) {
    let b = file.as_bytes();
    let end = span.end.min(b.len());
    let mut i = span.start;
    let char_len = |i: usize| file[i..].chars().next().map_or(1, char::len_utf8);
    while i < end {
        if b[i] != b'\\' || matches!(escapes, Escapes::Raw | Escapes::PythonRaw) || i + 1 >= end {
            let len = char_len(i);
            m.push_file(file, i..i + len);
            i += len;
            continue;
        }
        let e = b[i + 1];
        // A line continued inside the literal: neither byte is text.
        if e == b'\n' && !matches!(escapes, Escapes::Go | Escapes::Kotlin) {
            i += 2;
            continue;
        }
        if e == b'\r' && !matches!(escapes, Escapes::Go | Escapes::Kotlin) {
            i += if b.get(i + 2) == Some(&b'\n') { 3 } else { 2 };
            continue;
        }
        let simple = match (escapes, e) {
            (_, b'n') => Some('\n'),
            (_, b't') => Some('\t'),
            (_, b'r') => Some('\r'),
            (_, b'b') => Some('\u{8}'),
            (Escapes::Python | Escapes::Go | Escapes::Js | Escapes::Java, b'f') => Some('\u{c}'),
            (Escapes::Python | Escapes::Go | Escapes::Js, b'v') => Some('\u{b}'),
            (Escapes::Python | Escapes::Go, b'a') => Some('\u{7}'),
            (Escapes::Java, b's') => Some(' '),
            (Escapes::Js, b'0') if !b.get(i + 2).is_some_and(u8::is_ascii_digit) => Some('\0'),
            _ => None,
        };
        if let Some(c) = simple {
            m.push_synthetic(c.encode_utf8(&mut [0; 4]), i);
            i += 2;
            continue;
        }
        if matches!(e, b'\\' | b'\'' | b'"') || (escapes == Escapes::Kotlin && e == b'$') {
            // The character itself, where it is written.
            m.push_file(file, i + 1..i + 2);
            i += 2;
            continue;
        }
        let (digits, radix, skip) = match (escapes, e) {
            (Escapes::Python | Escapes::Go | Escapes::Js, b'x') => (2, 16, 2),
            (Escapes::Js, b'u') if i + 2 < end && b[i + 2] == b'{' => {
                let close = b[i + 3..end]
                    .iter()
                    .position(|&c| c == b'}')
                    .map(|k| i + 3 + k);
                match close.and_then(|c| {
                    u32::from_str_radix(&file[i + 3..c], 16)
                        .ok()
                        .map(|v| (v, c))
                }) {
                    Some((v, c)) => {
                        let ch = char::from_u32(v).unwrap_or('\u{fffd}');
                        m.push_synthetic(ch.encode_utf8(&mut [0; 4]), i);
                        i = c + 1;
                    }
                    None => {
                        m.push_file(file, i..i + 2);
                        i += 2;
                    }
                }
                continue;
            }
            (_, b'u') => (4, 16, 2),
            (Escapes::Python | Escapes::Go, b'U') => (8, 16, 2),
            (Escapes::Go, b'0'..=b'7') => (3, 8, 1),
            (Escapes::Python | Escapes::Java, b'0'..=b'7') => {
                let n = b[i + 1..end.min(i + 4)]
                    .iter()
                    .take_while(|c| (b'0'..=b'7').contains(c))
                    .count();
                (n, 8, 1)
            }
            _ => (0, 0, 0),
        };
        let from = i + skip;
        let value = (digits > 0 && from + digits <= end)
            .then(|| file.get(from..from + digits))
            .flatten()
            .and_then(|d| u32::from_str_radix(d, radix).ok())
            .and_then(char::from_u32);
        match value {
            Some(c) => {
                m.push_synthetic(c.encode_utf8(&mut [0; 4]), i);
                i = from + digits;
            }
            None => {
                let len = char_len(i + 1);
                if escapes == Escapes::Js {
                    m.push_file(file, i + 1..i + 1 + len);
                } else {
                    m.push_file(file, i..i + 1 + len);
                }
                i += 1 + len;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unescaped(text: &str, escapes: Escapes) -> (String, Vec<usize>) {
        let mut m = Mapped::new();
        unescape(text, Span::new(0, text.len()), escapes, &mut m);
        let offsets = (0..m.len()).map(|i| m.offset(i)).collect();
        (m.text().to_string(), offsets)
    }

    #[test]
    fn escapes_are_undone_as_each_language_defines_them() {
        assert_eq!(unescaped(r#"a\"b"#, Escapes::Go).0, "a\"b");
        assert_eq!(unescaped(r#"a\"b"#, Escapes::Go).1, [0, 2, 3]);
        assert_eq!(unescaped(r"\x41\u00e9\101", Escapes::Python).0, "Aé\u{41}");
        assert_eq!(unescaped(r"\101", Escapes::Go).0, "A");
        assert_eq!(unescaped(r"\q", Escapes::Python).0, r"\q");
        assert_eq!(unescaped(r"\q", Escapes::Js).0, "q");
        assert_eq!(unescaped(r"\u{1F600}", Escapes::Js).0, "😀");
        assert_eq!(unescaped(r"\$x", Escapes::Kotlin).0, "$x");
        assert_eq!(unescaped("a\\\nb", Escapes::Python).0, "ab");
        assert_eq!(unescaped(r"a\nb", Escapes::Raw).0, r"a\nb");
        assert_eq!(unescaped(r"\s", Escapes::Java).0, " ");
        // Cut short: kept as written, never a panic.
        assert_eq!(unescaped(r"\x4", Escapes::Python).0, r"\x4");
        assert_eq!(unescaped("\\", Escapes::Python).0, "\\");
        assert_eq!(unescaped("\\é", Escapes::Go).0, "\\é");
    }
}
