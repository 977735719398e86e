//! Flags held in variables: shell assignments and arrays, and make
//! variables, defined in the same file as the command that expands them.
//!
//! The reading is flow-insensitive and simple on purpose: every definition
//! of a name counts, wherever it stands, and a command that expands a name
//! defined in several places (`if …; then OPTS=--privileged; else OPTS=;
//! fi`) is read once per definition, so a flag on any branch is found. What
//! is followed, with the engines' rules:
//!
//! - Shell (Bash Reference Manual §3.4 parameters, §3.5.3 parameter
//!   expansion, §3.5.7 word splitting, §4.2 `declare`/`local`/`readonly`,
//!   §6.7 arrays): `NAME=value`, `NAME+=value`, `NAME=(…)`, `NAME+=(…)`,
//!   `NAME[i]=value`, also after `local`, `declare`, `typeset`, `export`,
//!   `readonly` (with their options); assignments standing alone as a
//!   command — a prefix assignment (`OPTS=x docker run $OPTS`) sets the
//!   program's environment, not the expansion. Expansions `$NAME`,
//!   `${NAME}`, `${NAME[@]}`, `${NAME[*]}`, `${NAME[0]}` and the fallback
//!   forms `${NAME:-…}`/`${NAME-…}`/`${NAME:=…}`: unquoted values are split
//!   on blanks (no quote removal inside the value, as bash does), quoted
//!   ones are one word, `"${a[@]}"` is one word per element. A definition's
//!   own expansions (`OPTS="$BASE --rm"`) are followed up to
//!   [`MAX_DEPTH`] levels; a name inside its own definition
//!   (`OPTS="$OPTS --privileged"`) stands for nothing, so that each
//!   definition is read on its own.
//! - make (GNU make manual §6.1 references, §6.2 flavors, §6.5 setting,
//!   §6.6 appending, §6.7 `override`, §6.10 environment/`export`, §6.11
//!   target-specific values): `=`, `:=`, `::=`, `:::=`, `?=` define, `+=`
//!   appends with a space; `override`/`export`/`private` prefixes and
//!   target-specific definitions count everywhere; `!=` runs a shell and is
//!   unknown. A recipe is expanded textually before the shell splits it,
//!   as make does: `$(NAME)`/`${NAME}` become the value (recursively),
//!   `$$` becomes `$`; `#` ends a value and backslash-newline joins its
//!   lines with a space.
//!
//! Not followed: functions' arguments (`"$@"` of a function called with
//! flags), values read from files, the environment or the command line
//! (`make OPTS=…`), `eval`-built names, make functions (`$(call …)`,
//! `$(if …)`) and `define` blocks used as values. Those stay as written
//! and are unknown, never guessed.
//!
//! Every expanded byte keeps the file offset where it is written, and the
//! words know the expansion sites they came through: a finding is reported
//! on the value in the definition, with `$OPTS` as a related location.
//! Budgets keep a crafted file linear: [`MAX_VARIANTS`] readings per
//! command, [`MAX_DEPTH`] levels, and a cap on the bytes and lookups one
//! command may expand to (past it, the command is read unexpanded and a
//! diagnostic says so).

use std::collections::HashMap;
use std::ops::Range;

use super::Mapped;
use super::words::{Index, Param, ParamKind, Word, is_name};

/// Readings of one command with different definitions of its variables.
pub const MAX_VARIANTS: usize = 16;
/// Levels of variables inside variables.
pub const MAX_DEPTH: usize = 8;
/// Bytes one command may expand to.
const MAX_BYTES: usize = 256 * 1024;
/// Variable lookups one command may make.
const MAX_LOOKUPS: usize = 4096;

/// A command (or recipe line) after expansion: one reading per combination
/// of definitions worth reading, and whether a budget cut it short.
#[derive(Debug)]
pub struct Expanded<T> {
    pub variants: Vec<T>,
    pub limited: bool,
}

/// Appends kept per name (distinct values; more is no real file).
const MAX_APPENDS: usize = 256;

/// The ways a name may be set, as indices into its definitions: each plain
/// definition with the appends after it (all appends when there is none).
/// Definitions with the same text count once, so a name set in a loop or
/// on a thousand lines costs what one definition does, and at most
/// [`MAX_VARIANTS`] plain definitions and [`MAX_APPENDS`] appends are kept.
fn alternatives(defs: &[(bool, String)]) -> Vec<Vec<usize>> {
    let mut seen = std::collections::HashSet::new();
    let (mut bases, mut appends) = (Vec::new(), Vec::new());
    for (i, (append, key)) in defs.iter().enumerate() {
        if !seen.insert((*append, key.as_str())) {
            continue;
        }
        if *append && appends.len() < MAX_APPENDS {
            appends.push(i);
        } else if !*append && bases.len() < MAX_VARIANTS {
            bases.push(i);
        }
    }
    if bases.is_empty() {
        return vec![appends];
    }
    bases
        .iter()
        .map(|&b| {
            std::iter::once(b)
                .chain(appends.iter().copied().filter(|&a| a > b))
                .collect()
        })
        .collect()
}

/// Which definitions each reading takes: the first of every name, then
/// each other definition of one name at a time (linear, not a product).
fn choices<'n>(names: &[(&'n str, usize)]) -> Vec<HashMap<&'n str, usize>> {
    let mut out = vec![HashMap::new()];
    for &(name, count) in names {
        for k in 1..count {
            if out.len() >= MAX_VARIANTS {
                return out;
            }
            out.push(HashMap::from([(name, k)]));
        }
    }
    out
}

// ---------------------------------------------------------------- shell

/// Shell variables defined in one script.
#[derive(Debug, Default)]
pub struct ShellVars {
    defs: HashMap<String, Vec<ShellDef>>,
    /// [`alternatives`] of each name, computed once.
    alts: HashMap<String, Vec<Vec<usize>>>,
}

#[derive(Debug)]
struct ShellDef {
    append: bool,
    value: ShellValue,
}

#[derive(Debug)]
enum ShellValue {
    Scalar(Word),
    Array(Vec<Word>),
}

impl ShellValue {
    /// The value as written, to tell definitions apart.
    fn key(&self) -> String {
        match self {
            ShellValue::Scalar(w) => w.text.clone(),
            ShellValue::Array(ws) => {
                let mut k = String::from("(");
                for w in ws {
                    k.push_str(&w.text);
                    k.push('\0');
                }
                k
            }
        }
    }
}

/// Reserved words that may stand before a simple command.
const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "do", "while", "until", "!", "{",
];

/// Builtins whose arguments are assignments.
const DECLARATIONS: &[&str] = &["local", "declare", "typeset", "export", "readonly"];

impl ShellVars {
    pub fn collect<'c>(commands: impl IntoIterator<Item = &'c [Word]>) -> ShellVars {
        let mut vars = ShellVars::default();
        for command in commands {
            // Reserved words before the command (`then O=…`, `{ O=…`).
            let skip = command
                .iter()
                .take_while(|w| RESERVED.contains(&w.text.as_str()) && !w.has_quotes())
                .count();
            let command = &command[skip..];
            let Some(first) = command.first() else {
                continue;
            };
            if DECLARATIONS.contains(&first.text.as_str()) && !first.has_quotes() {
                for w in &command[1..] {
                    vars.assign(w);
                }
            } else if command.iter().all(|w| assignment(w).is_some()) {
                for w in command {
                    vars.assign(w);
                }
            }
        }
        vars.alts = vars
            .defs
            .iter()
            .map(|(name, defs)| {
                let keys: Vec<(bool, String)> =
                    defs.iter().map(|d| (d.append, d.value.key())).collect();
                (name.clone(), alternatives(&keys))
            })
            .collect();
        vars
    }

    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    fn assign(&mut self, w: &Word) {
        let Some((name, eq, append, element)) = assignment(w) else {
            return;
        };
        let value = match w.array() {
            Some(elements) => ShellValue::Array(elements.to_vec()),
            None => {
                let v = w.slice(eq + 1..w.text.len());
                if element {
                    ShellValue::Array(vec![v])
                } else {
                    ShellValue::Scalar(v)
                }
            }
        };
        self.defs
            .entry(name.to_string())
            .or_default()
            .push(ShellDef {
                append: append || element,
                value,
            });
    }

    /// The command's words as the shell passes them on, once per reading;
    /// `None` when it expands nothing defined here.
    pub fn expand(&self, words: &[Word]) -> Option<Expanded<Vec<Word>>> {
        if self.defs.is_empty() {
            return None;
        }
        let mut names: Vec<(&str, usize)> = Vec::new();
        for p in words.iter().flat_map(|w| w.params()) {
            if let ParamKind::Var { name, .. } = &p.kind
                && !names.iter().any(|(n, _)| n == name)
                && let Some(alts) = self.alts.get(name)
            {
                names.push((name.as_str(), alts.len()));
            }
        }
        if names.is_empty() {
            return None;
        }
        let mut limited = false;
        let variants = choices(&names)
            .into_iter()
            .map(|choice| {
                let mut ex = ShellExpander {
                    vars: self,
                    choice: &choice,
                    bytes: 0,
                    lookups: 0,
                    active: Vec::new(),
                    limited: false,
                };
                let out: Vec<Word> = words.iter().flat_map(|w| ex.fields(w, 0)).collect();
                limited |= ex.limited;
                if ex.limited { words.to_vec() } else { out }
            })
            .collect();
        Some(Expanded { variants, limited })
    }
}

/// Whether a command only sets variables (`A=1 B=2`, `local O=…`,
/// `export O`): it runs no program, so there is nothing to expand.
pub fn only_assigns(command: &[Word]) -> bool {
    let skip = command
        .iter()
        .take_while(|w| RESERVED.contains(&w.text.as_str()) && !w.has_quotes())
        .count();
    let command = &command[skip..];
    match command.first() {
        None => false,
        Some(first) if DECLARATIONS.contains(&first.text.as_str()) && !first.has_quotes() => true,
        Some(_) => command.iter().all(|w| assignment(w).is_some()),
    }
}

/// `NAME=`, `NAME+=`, `NAME[i]=` written unquoted at the start of `w`:
/// the name, the offset of `=`, whether it appends, whether it sets one
/// element.
fn assignment(w: &Word) -> Option<(&str, usize, bool, bool)> {
    let eq = w.text.find('=')?;
    if (0..=eq).any(|i| w.is_quoted(i)) || w.params().iter().any(|p| p.range.start < eq) {
        return None;
    }
    let lhs = &w.text[..eq];
    let (lhs, append) = match lhs.strip_suffix('+') {
        Some(l) => (l, true),
        None => (lhs, false),
    };
    let (name, element) = match lhs.find('[') {
        Some(i) if lhs.ends_with(']') => (&lhs[..i], true),
        Some(_) => return None,
        None => (lhs, false),
    };
    is_name(name).then_some((name, eq, append, element))
}

struct ShellExpander<'v> {
    vars: &'v ShellVars,
    choice: &'v HashMap<&'v str, usize>,
    bytes: usize,
    lookups: usize,
    /// Names being expanded (a name inside its own definition is empty).
    active: Vec<String>,
    limited: bool,
}

impl ShellExpander<'_> {
    /// NAME's value as elements (a scalar is one), or `None` when unknown.
    fn value(&mut self, name: &str, depth: usize) -> Option<Vec<Word>> {
        self.lookups += 1;
        if self.lookups > MAX_LOOKUPS || self.bytes > MAX_BYTES {
            self.limited = true;
            return None;
        }
        let alts = self.vars.alts.get(name)?;
        let defs = self.vars.defs.get(name)?;
        if depth > MAX_DEPTH || self.active.iter().any(|a| a == name) {
            return Some(Vec::new());
        }
        let k = self.choice.get(name).copied().unwrap_or(0);
        let chosen = alts.get(k).or(alts.first())?;
        self.active.push(name.to_string());
        let mut elements: Vec<Word> = Vec::new();
        for def in chosen.iter().filter_map(|&i| defs.get(i)) {
            match &def.value {
                ShellValue::Scalar(w) => {
                    let v = self.joined(w, depth + 1);
                    match elements.first_mut() {
                        Some(first) if def.append => first.append(&v, None),
                        _ => elements = vec![v],
                    }
                }
                ShellValue::Array(ws) => {
                    let mut new = Vec::new();
                    for e in ws {
                        new.extend(self.fields(e, depth + 1));
                    }
                    if def.append {
                        elements.extend(new);
                    } else {
                        elements = new;
                    }
                }
            }
        }
        self.active.pop();
        self.bytes += elements.iter().map(|e| e.text.len()).sum::<usize>();
        Some(elements)
    }

    /// A word in an assignment: expansions joined, never split.
    fn joined(&mut self, w: &Word, depth: usize) -> Word {
        let parts = self.parts(w, depth, false);
        let mut out = Word::empty(w.raw);
        for (k, p) in parts.iter().enumerate() {
            if k > 0 {
                out.push_byte(b' ', p.offset(0));
            }
            out.append(p, None);
        }
        out
    }

    /// A word as an argument: unquoted expansions split on blanks.
    fn fields(&mut self, w: &Word, depth: usize) -> Vec<Word> {
        self.parts(w, depth, true)
    }

    fn parts(&mut self, w: &Word, depth: usize, split: bool) -> Vec<Word> {
        let mut params: Vec<&Param> = w
            .params()
            .iter()
            .filter(|p| matches!(&p.kind, ParamKind::Var { name, .. } if self.vars.defs.contains_key(name)))
            .collect();
        if params.is_empty() {
            return vec![w.clone()];
        }
        params.sort_by_key(|p| (p.range.start, std::cmp::Reverse(p.range.end)));
        let mut fields = Vec::new();
        let mut cur = Word::empty(w.raw);
        let mut keep = false;
        let mut cursor = 0;
        let new_field = |fields: &mut Vec<Word>, cur: &mut Word| {
            fields.push(std::mem::replace(cur, Word::empty(w.raw)));
        };
        for p in params {
            if p.range.start < cursor {
                continue;
            }
            if cursor < p.range.start {
                let lit = w.slice(cursor..p.range.start);
                keep |= !lit.text.is_empty() || lit.has_quotes();
                cur.append(&lit, None);
            }
            cursor = p.range.end;
            let ParamKind::Var { name, index } = &p.kind else {
                continue;
            };
            let Some(mut elements) = self.value(name, depth) else {
                cur.append(&w.slice(p.range.clone()), None);
                keep = true;
                continue;
            };
            if *index == Index::Scalar {
                elements.truncate(1);
            }
            let site = Some(p.at);
            if p.quoted || !split {
                if *index == Index::All && split {
                    for (k, e) in elements.iter().enumerate() {
                        if k > 0 {
                            new_field(&mut fields, &mut cur);
                        }
                        cur.append(e, site);
                        keep = true;
                    }
                } else {
                    for (k, e) in elements.iter().enumerate() {
                        if k > 0 {
                            cur.push_byte(b' ', e.offset(0));
                        }
                        cur.append(e, site);
                    }
                    keep = true;
                }
                continue;
            }
            for (k, e) in elements.iter().enumerate() {
                let (pieces, lead, trail) = blank_split(&e.text, &opaque_ranges(e));
                if (k > 0 || lead) && (keep || !cur.text.is_empty()) {
                    new_field(&mut fields, &mut cur);
                    keep = false;
                }
                for (j, r) in pieces.into_iter().enumerate() {
                    if j > 0 {
                        new_field(&mut fields, &mut cur);
                    }
                    cur.append(&e.slice(r), site);
                    keep = true;
                }
                if trail && keep {
                    new_field(&mut fields, &mut cur);
                    keep = false;
                }
            }
        }
        if cursor < w.text.len() {
            let lit = w.slice(cursor..w.text.len());
            keep |= !lit.text.is_empty() || lit.has_quotes();
            cur.append(&lit, None);
        }
        if keep || !cur.text.is_empty() {
            fields.push(cur);
        }
        fields
    }
}

/// Where a value holds expansions no static reading knows (`$(date +"%F
/// %T")`, `$((…))`): bash splits what they produce, which is unknown, not
/// the text that produces it, so each stays whole inside one field.
fn opaque_ranges(w: &Word) -> Vec<Range<usize>> {
    w.params()
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::Opaque { .. }))
        .map(|p| p.range.clone())
        .collect()
}

/// Field splitting on the default IFS: the fields, and whether the text
/// starts and ends with a blank. Bytes inside `whole` never split.
fn blank_split(text: &str, whole: &[Range<usize>]) -> (Vec<Range<usize>>, bool, bool) {
    let blank_at = |i: usize, b: u8| {
        matches!(b, b' ' | b'\t' | b'\n') && !whole.iter().any(|r| r.contains(&i))
    };
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && blank_at(i, bytes[i]) {
            i += 1;
        }
        let s = i;
        while i < bytes.len() && !blank_at(i, bytes[i]) {
            i += 1;
        }
        if i > s {
            pieces.push(s..i);
        }
    }
    let lead = bytes.first().is_some_and(|&b| blank_at(0, b));
    let trail = bytes.last().is_some_and(|&b| blank_at(bytes.len() - 1, b));
    (pieces, lead, trail)
}

// ----------------------------------------------------------------- make

/// Make variables defined in one makefile.
#[derive(Debug, Default)]
pub struct MakeVars {
    defs: HashMap<String, Vec<MakeDef>>,
    /// [`alternatives`] of each name, kept up to date by `define`.
    alts: HashMap<String, Vec<Vec<usize>>>,
}

#[derive(Debug)]
struct MakeDef {
    append: bool,
    value: Mapped,
}

impl MakeVars {
    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    /// Records the definition of `name` whose value starts at `value` (the
    /// operator ends right before it) and whose logical line ends at `end`.
    pub fn define(&mut self, text: &str, name: &str, value: usize, end: usize) {
        let Some(op) = text.get(..value) else {
            return;
        };
        if op.ends_with("!=") || name.is_empty() || name.contains(['$', ' ', '\t']) {
            return;
        }
        let append = op.ends_with("+=");
        let value = make_value(text, value, end);
        let defs = self.defs.entry(name.to_string()).or_default();
        let key = (append, value.text().to_string());
        if defs
            .iter()
            .any(|d| (d.append, d.value.text()) == (key.0, key.1.as_str()))
        {
            return;
        }
        defs.push(MakeDef { append, value });
        let keys: Vec<(bool, String)> = defs
            .iter()
            .map(|d| (d.append, d.value.text().to_string()))
            .collect();
        self.alts.insert(name.to_string(), alternatives(&keys));
    }

    /// The recipe line as the shell gets it after make has expanded the
    /// variables defined here, once per reading; `None` when make would
    /// change nothing that is known (no `$$`, no defined name).
    pub fn expand(&self, line: &Mapped) -> Option<Expanded<Mapped>> {
        let text = line.text();
        if !text.contains('$') {
            return None;
        }
        let mut names: Vec<(&str, usize)> = Vec::new();
        let mut dollars = false;
        for (_, r) in references(text) {
            match r {
                Reference::Dollar => dollars = true,
                Reference::Name(range) => {
                    let name = &text[range];
                    if !names.iter().any(|(n, _)| *n == name)
                        && let Some(alts) = self.alts.get(name)
                    {
                        names.push((name, alts.len()));
                    }
                }
                Reference::Other(_) => {}
            }
        }
        if names.is_empty() && !dollars {
            return None;
        }
        let mut limited = false;
        let variants = choices(&names)
            .into_iter()
            .map(|choice| {
                let mut ex = MakeExpander {
                    vars: self,
                    choice: &choice,
                    lookups: 0,
                    active: Vec::new(),
                    limited: false,
                };
                let mut out = Mapped::new();
                ex.emit(line, &mut out, 0);
                limited |= ex.limited;
                if ex.limited { line.clone() } else { out }
            })
            .collect();
        Some(Expanded { variants, limited })
    }
}

/// A make value as make stores it: from its first non-blank byte to an
/// unescaped `#`, backslash-newline (and the blanks around it) read as one
/// space, trailing blanks dropped.
fn make_value(text: &str, start: usize, end: usize) -> Mapped {
    let b = text.as_bytes();
    let end = end.min(text.len());
    let mut i = start;
    while i < end && matches!(b[i], b' ' | b'\t') {
        i += 1;
    }
    let mut m = Mapped::new();
    let mut run = i;
    while i < end {
        match b[i] {
            b'\\' if matches!(b.get(i + 1), Some(b'#')) => {
                m.push_file(text, run..i);
                run = i + 1;
                i += 2;
            }
            b'#' => break,
            b'\\' if matches!(b.get(i + 1), Some(b'\n' | b'\r')) => {
                m.push_file(text, run..i);
                let mut j = i + 1;
                while j < end && matches!(b[j], b'\r' | b'\n' | b' ' | b'\t') {
                    j += 1;
                }
                m.push_synthetic(" ", i);
                i = j;
                run = j;
            }
            _ => i += 1,
        }
    }
    m.push_file(text, run..i.min(end));
    let keep = m.text().trim_end_matches([' ', '\t', '\r', '\n']).len();
    m.slice(0..keep)
}

enum Reference {
    /// `$$`
    Dollar,
    /// `$(NAME)` / `${NAME}`: the name's range.
    Name(Range<usize>),
    /// Anything else that starts with `$`: its length.
    Other(usize),
}

/// The `$` references of a make text, in order, with their offsets.
fn references(text: &str) -> Vec<(usize, Reference)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(n) = memchr::memchr(b'$', &b[i..]) {
        let d = i + n;
        let (reference, len) = match b.get(d + 1) {
            Some(b'$') => (Reference::Dollar, 2),
            Some(&open @ (b'(' | b'{')) => {
                let close = if open == b'(' { b')' } else { b'}' };
                let mut depth = 0usize;
                let mut j = d + 1;
                let mut end = None;
                while j < b.len() {
                    if b[j] == open {
                        depth += 1;
                    } else if b[j] == close {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(j);
                            break;
                        }
                    }
                    j += 1;
                }
                match end {
                    Some(e) => {
                        let inner = &text[d + 2..e];
                        let simple = !inner.is_empty()
                            && inner
                                .bytes()
                                .all(|c| c.is_ascii_alphanumeric() || b"_.-".contains(&c));
                        if simple {
                            (Reference::Name(d + 2..e), e + 1 - d)
                        } else {
                            (Reference::Other(e + 1 - d), e + 1 - d)
                        }
                    }
                    None => (Reference::Other(b.len() - d), b.len() - d),
                }
            }
            Some(_) => {
                let l = text[d + 1..].chars().next().map_or(1, char::len_utf8);
                (Reference::Other(1 + l), 1 + l)
            }
            None => (Reference::Other(1), 1),
        };
        out.push((d, reference));
        i = d + len;
        if i >= b.len() {
            break;
        }
    }
    out
}

struct MakeExpander<'v> {
    vars: &'v MakeVars,
    choice: &'v HashMap<&'v str, usize>,
    lookups: usize,
    active: Vec<String>,
    limited: bool,
}

impl MakeExpander<'_> {
    /// Appends `src` to `out` with make's expansion applied.
    fn emit(&mut self, src: &Mapped, out: &mut Mapped, depth: usize) {
        let text = src.text();
        let mut i = 0;
        for (d, r) in references(text) {
            if self.limited {
                return;
            }
            out.push_mapped(src, i..d);
            match r {
                Reference::Dollar => {
                    out.push_mapped(src, d..d + 1);
                    i = d + 2;
                }
                Reference::Other(len) => {
                    out.push_mapped(src, d..d + len);
                    i = d + len;
                }
                Reference::Name(range) => {
                    let end = range.end + 1;
                    let name = &text[range];
                    match self.value(name, depth) {
                        Some(value) => out.push_expansion(&value, src.span(d, end)),
                        None => out.push_mapped(src, d..end),
                    }
                    i = end;
                }
            }
            if out.len() > MAX_BYTES {
                self.limited = true;
                return;
            }
        }
        out.push_mapped(src, i..text.len());
    }

    fn value(&mut self, name: &str, depth: usize) -> Option<Mapped> {
        self.lookups += 1;
        if self.lookups > MAX_LOOKUPS {
            self.limited = true;
            return None;
        }
        let alts = self.vars.alts.get(name)?;
        let defs = self.vars.defs.get(name)?;
        if depth >= MAX_DEPTH || self.active.iter().any(|a| a == name) {
            return Some(Mapped::new());
        }
        let k = self.choice.get(name).copied().unwrap_or(0);
        let chosen = alts.get(k).or(alts.first())?;
        self.active.push(name.to_string());
        let mut value = Mapped::new();
        for def in chosen.iter().filter_map(|&i| defs.get(i)) {
            if !value.is_empty() && !def.value.is_empty() {
                value.push_synthetic(" ", value.offset(value.len()));
            }
            self.emit(&def.value, &mut value, depth + 1);
        }
        self.active.pop();
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::super::words::split;
    use super::*;

    fn commands(text: &str) -> Vec<Vec<Word>> {
        split(text, 0, text.len()).commands
    }

    fn texts(words: &[Word]) -> Vec<&str> {
        words.iter().map(|w| w.text.as_str()).collect()
    }

    fn expand(text: &str) -> Vec<Vec<String>> {
        let cmds = commands(text);
        let vars = ShellVars::collect(cmds.iter().map(Vec::as_slice));
        let last = cmds.last().unwrap();
        match vars.expand(last) {
            None => vec![texts(last).iter().map(|s| s.to_string()).collect()],
            Some(ex) => ex
                .variants
                .iter()
                .map(|v| texts(v).iter().map(|s| s.to_string()).collect())
                .collect(),
        }
    }

    #[test]
    fn unquoted_values_split_quoted_ones_do_not() {
        assert_eq!(
            expand("OPTS='--security-opt seccomp=unconfined'\nd run $OPTS \"$OPTS\" x\n"),
            [[
                "d",
                "run",
                "--security-opt",
                "seccomp=unconfined",
                "--security-opt seccomp=unconfined",
                "x"
            ]]
        );
        // No quote removal inside a value: the quotes reach the program.
        assert_eq!(
            expand("O='--a \"b c\"'\nd $O\n"),
            [["d", "--a", "\"b", "c\""]]
        );
        assert_eq!(expand("E=\nd $E x\n"), [["d", "x"]]);
        assert_eq!(expand("E=\nd \"$E\" x\n"), [["d", "", "x"]]);
    }

    /// What a command substitution outputs is split, not its source text:
    /// a value that is one substitution stays one (unknown) field, also
    /// inside a longer word (found on mailcow's backup script).
    #[test]
    fn substitutions_in_values_are_not_split_by_their_source() {
        assert_eq!(
            expand("D=$(date +\"%Y-%m-%d %H\")\nd run -v /b/m-${D}:/backup:z img\n"),
            [[
                "d",
                "run",
                "-v",
                "/b/m-$(date +\"%Y-%m-%d %H\"):/backup:z",
                "img"
            ]]
        );
        assert_eq!(
            expand("I=$(grep -o 'x y' f)\nO='--rm -t'\nd run $O $I sh\n"),
            [["d", "run", "--rm", "-t", "$(grep -o 'x y' f)", "sh"]]
        );
    }

    #[test]
    fn arrays_and_appends() {
        assert_eq!(
            expand(
                "opts=(--rm)\nopts+=(--security-opt \"seccomp=unconfined\")\nd \"${opts[@]}\" x\n"
            ),
            [["d", "--rm", "--security-opt", "seccomp=unconfined", "x"]]
        );
        assert_eq!(
            expand("local -a o=(a 'b c')\nd ${o[*]} \"${o[*]}\" $o\n"),
            [["d", "a", "b", "c", "a b c", "a"]]
        );
        assert_eq!(
            expand("declare -x O=--privileged\nO+=' --rm'\nd $O\n"),
            [["d", "--privileged", "--rm"]]
        );
    }

    #[test]
    fn every_definition_is_a_reading_and_self_reference_is_empty() {
        assert_eq!(
            expand("O=\nif x; then O=--privileged; fi\nO=\"$O -t\"\nd $O i\n"),
            [
                vec!["d", "i"],
                vec!["d", "--privileged", "i"],
                vec!["d", "-t", "i"]
            ]
        );
        assert_eq!(
            expand("B=--privileged\nO=\"$B --rm\"\nd ${O:-x} i\n"),
            [["d", "--privileged", "--rm", "i"]]
        );
        // A prefix assignment is the program's environment.
        assert_eq!(
            expand("O=--privileged d $O i\n"),
            [["O=--privileged", "d", "$O", "i"]]
        );
    }

    #[test]
    fn values_keep_where_they_are_written_and_the_expansion_site() {
        let text = "B=--privileged\nO=\"$B --rm\"\nd $O i\n";
        let cmds = commands(text);
        let vars = ShellVars::collect(cmds.iter().map(Vec::as_slice));
        let ex = vars.expand(&cmds[2]).unwrap();
        let w = &ex.variants[0][1];
        assert_eq!(&text[w.span().range()], "--privileged");
        let sites: Vec<&str> = w
            .sites_of(0, w.text.len())
            .iter()
            .map(|s| &text[s.range()])
            .collect();
        assert_eq!(sites, ["$O", "$B"]);
        assert_eq!(text[..w.span().start].matches('\n').count(), 0);
    }

    #[test]
    fn many_definitions_of_one_name_cost_what_distinct_ones_do() {
        let mut text = String::new();
        for k in 0..20_000 {
            text.push_str(&format!("arr=(one two)\nd \"${{arr[@]}}\" {k}\n"));
        }
        text.push_str("arr=(--privileged)\nd \"${arr[@]}\" x\n");
        let cmds = commands(&text);
        let vars = ShellVars::collect(cmds.iter().map(Vec::as_slice));
        assert_eq!(vars.alts["arr"].len(), 2);
        let ex = vars.expand(cmds.last().unwrap()).unwrap();
        assert_eq!(texts(&ex.variants[1]), ["d", "--privileged", "x"]);
    }

    #[test]
    fn budgets_stop_exponential_definitions() {
        let mut text = String::from("A0=--privileged\n");
        for k in 1..40 {
            text.push_str(&format!("A{k}=\"$A{p} $A{p} $A{p} $A{p}\"\n", p = k - 1));
        }
        text.push_str("d $A39 i\n");
        let cmds = commands(&text);
        let vars = ShellVars::collect(cmds.iter().map(Vec::as_slice));
        let ex = vars.expand(cmds.last().unwrap()).unwrap();
        let total: usize = ex.variants.iter().flatten().map(|w| w.text.len()).sum();
        assert!(total < 4 * MAX_BYTES);
    }

    fn make(defs: &str, recipe: &str) -> Vec<String> {
        let text = format!("{defs}{recipe}");
        let mut vars = MakeVars::default();
        let mut offset = 0;
        for line in defs.split_inclusive('\n') {
            let body = line.trim_end_matches('\n');
            if let Some(eq) = body.find('=') {
                let name = body[..eq]
                    .trim_end_matches([':', '+', '?', '!', ' '])
                    .trim();
                vars.define(&text, name, offset + eq + 1, offset + body.len());
            }
            offset += line.len();
        }
        let line = Mapped::of_file(&text, defs.len()..text.len());
        match vars.expand(&line) {
            None => vec![line.text().to_string()],
            Some(ex) => ex.variants.iter().map(|m| m.text().to_string()).collect(),
        }
    }

    #[test]
    fn make_expands_before_the_shell_splits() {
        assert_eq!(
            make(
                "OPTS = --security-opt \"seccomp=unconfined\" # debug\n",
                "docker run $(OPTS) x"
            ),
            ["docker run --security-opt \"seccomp=unconfined\" x"]
        );
        assert_eq!(
            make(
                "A := --rm\nA += -t\nB ?= $(A) ${A}\n",
                "d $(B) $$HOME $@ $(shell ls)"
            ),
            ["d --rm -t --rm -t $HOME $@ $(shell ls)"]
        );
        assert_eq!(
            make("O =\nO = --privileged\n", "d $(O) x"),
            ["d  x", "d --privileged x"]
        );
        assert_eq!(make("O != echo --privileged\n", "d $(O) x"), ["d $(O) x"]);
        assert_eq!(make("X = 1\n", "d $(Y) x"), ["d $(Y) x"]);
    }

    #[test]
    fn make_values_keep_their_file_offsets() {
        let defs = "O = --privileged\n";
        let text = format!("{defs}d $(O) x");
        let mut vars = MakeVars::default();
        vars.define(&text, "O", 3, 16);
        let line = Mapped::of_file(&text, defs.len()..text.len());
        let ex = vars.expand(&line).unwrap();
        let split = ex.variants[0].split();
        let w = &split.commands[0][1];
        assert_eq!(w.text, "--privileged");
        assert_eq!(&text[w.span().range()], "--privileged");
        assert_eq!(&text[w.raw.range()], "$(O)");
        let sites: Vec<&str> = w.sites_of(0, 1).iter().map(|s| &text[s.range()]).collect();
        assert_eq!(sites, ["$(O)"]);
    }
}
