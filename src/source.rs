//! A scanned file's text, and the one place byte offsets become lines and columns.
//!
//! Every parser reports byte spans into the file it read; reporters turn them
//! into 1-based lines and columns here, so that SARIF, the terminal report,
//! JSON and GitHub annotations can never disagree about a position. Columns
//! are counted in UTF-16 code units (SARIF `columnKind: utf16CodeUnits`,
//! which is what GitHub's own tools emit and what editors speak).
//!
//! A UTF-8 byte-order mark at the start of a file is taken off here, once,
//! for every format, rather than in each parser: `text` never holds it, so
//! no parser sees it, and a column on line 1 is counted from the first
//! visible character, as editors and GitHub show it (a finding reads the
//! same with and without the mark). Most engines skip the mark too: HCL's
//! native syntax (hashicorp/terraform#19715), Docker's `daemon.json` loader
//! (moby `daemon/config` decodes it with `unicode.BOMOverride`), BuildKit's
//! Dockerfile parser (`bytes.TrimPrefix(…, utf8bom)` on line 1), BurntSushi
//! TOML (`containers.conf`), systemd's unit parser and YAML itself (the spec
//! allows a mark at stream start). The few that refuse it are told by
//! [`Source::bom`], and their format module says so: Terraform's JSON syntax
//! (hashicorp/hcl `json/scanner.go` has no case for it), Podman's Quadlet
//! unit parser (`pkg/systemd/parser`: line 1 is then neither a section nor
//! a comment) and Go's `encoding/json`, which loads seccomp profiles.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// A half-open byte range `[start, end)` into one file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }

    pub fn len(self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

/// A 1-based line and column; the column counts UTF-16 code units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Start offsets of every line, so that a position costs one binary search;
/// on lines longer than [`STRIDE`] bytes, also the columns at every
/// [`STRIDE`]th byte, so that a column is counted from at most that far
/// back. Without them every position on a long line cost the whole line
/// before it: a minified 1 MB line with thousands of findings took minutes
/// to report.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// Made on the first position asked for on a long line.
    checkpoints: OnceLock<Vec<Checkpoint>>,
}

/// How far apart the checkpoints of a long line are, in bytes.
const STRIDE: usize = 1024;

/// A character boundary on a long line, with its 0-based columns.
#[derive(Debug, Clone, Copy)]
struct Checkpoint {
    offset: usize,
    utf16: usize,
    chars: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            starts,
            checkpoints: OnceLock::new(),
        }
    }

    /// The 0-based UTF-16 and character columns of `offset` (a character
    /// boundary) on line `line0`.
    fn columns(&self, text: &str, line0: usize, offset: usize) -> (usize, usize) {
        let mut from = self.starts[line0];
        let (mut utf16, mut chars) = (0, 0);
        if offset - from > STRIDE {
            let checkpoints = self
                .checkpoints
                .get_or_init(|| checkpoints(text, &self.starts));
            let i = checkpoints.partition_point(|c| c.offset <= offset);
            if let Some(c) = i.checked_sub(1).map(|i| checkpoints[i])
                && c.offset >= from
            {
                (from, utf16, chars) = (c.offset, c.utf16, c.chars);
            }
        }
        for c in text[from..offset].chars() {
            utf16 += c.len_utf16();
            chars += 1;
        }
        (utf16, chars)
    }

    /// 0-based line number holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    pub fn line_start(&self, line0: usize) -> usize {
        self.starts[line0]
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The byte range of 0-based line `line0`, without its line break.
    pub fn line_range(&self, text: &str, line0: usize) -> Range<usize> {
        let start = self.starts[line0];
        let mut end = self.starts.get(line0 + 1).copied().unwrap_or(text.len());
        let bytes = text.as_bytes();
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }

    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line0 = self.line_of(offset);
        Position {
            line: line0 + 1,
            column: self.columns(text, line0, offset).0 + 1,
        }
    }

    /// The same position with the column in characters (Unicode scalar
    /// values), as rustc, editors and terminals count: for people, where
    /// [`position`](Self::position) is for SARIF and JSON.
    pub fn char_position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line0 = self.line_of(offset);
        Position {
            line: line0 + 1,
            column: self.columns(text, line0, offset).1 + 1,
        }
    }
}

/// A checkpoint about every [`STRIDE`] bytes of each line longer than that,
/// in one pass over those lines.
fn checkpoints(text: &str, starts: &[usize]) -> Vec<Checkpoint> {
    let mut out = Vec::new();
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(text.len());
        if end - start <= STRIDE {
            continue;
        }
        let (mut utf16, mut chars, mut next) = (0, 0, start + STRIDE);
        for (i, c) in text[start..end].char_indices() {
            if start + i >= next {
                out.push(Checkpoint {
                    offset: start + i,
                    utf16,
                    chars,
                });
                next = start + i + STRIDE;
            }
            utf16 += c.len_utf16();
            chars += 1;
        }
    }
    out
}

pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// One file as read: the path as the user will see it, its text and line index.
#[derive(Debug)]
pub struct Source {
    /// Path as given or found during the walk (relative when the scan root is).
    pub path: PathBuf,
    /// The text without a leading byte-order mark.
    pub text: String,
    pub lines: LineIndex,
    /// Whether the file began with a UTF-8 byte-order mark (not in `text`).
    pub bom: bool,
}

impl Source {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Arc<Source> {
        let mut text = text.into();
        let bom = text.starts_with('\u{feff}');
        if bom {
            text.drain(..'\u{feff}'.len_utf8());
        }
        let lines = LineIndex::new(&text);
        Arc::new(Source {
            path: path.into(),
            text,
            lines,
            bom,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn position(&self, offset: usize) -> Position {
        self.lines.position(&self.text, offset)
    }

    pub fn char_position(&self, offset: usize) -> Position {
        self.lines.char_position(&self.text, offset)
    }

    /// Start and end positions of a span; the end is exclusive, as in SARIF.
    pub fn region(&self, span: Span) -> (Position, Position) {
        (self.position(span.start), self.position(span.end))
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }
}

/// A span in a particular file: where a value is written.
#[derive(Debug, Clone)]
pub struct Location {
    pub source: Arc<Source>,
    pub span: Span,
    /// Where the construct holding the value starts (a byte offset of the
    /// same file), when a format knows one: the `security_opt:` key of a
    /// list item, the first word of a command continued over lines, the
    /// `RUN` of a Dockerfile instruction. A suppression comment above the
    /// construct covers the value, wherever in it the value is.
    pub construct: Option<usize>,
}

impl Location {
    pub fn new(source: &Arc<Source>, span: Span) -> Self {
        Location {
            source: Arc::clone(source),
            span,
            construct: None,
        }
    }

    /// The same location inside a construct that starts at `start`; of
    /// nested constructs the outermost (earliest) one is kept.
    pub fn within(mut self, start: usize) -> Self {
        if start <= self.span.start {
            self.construct = Some(self.construct.map_or(start, |c| c.min(start)));
        }
        self
    }

    pub fn start(&self) -> Position {
        self.source.position(self.span.start)
    }

    pub fn text(&self) -> &str {
        self.source.slice(self.span)
    }
}

impl PartialEq for Location {
    fn eq(&self, other: &Self) -> bool {
        self.span == other.span && self.source.path == other.source.path
    }
}

impl Eq for Location {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_utf16() {
        let text = "a: 1\nb: \"é😀x\"\r\nc";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), Position { line: 1, column: 1 });
        let x = text.find('x').unwrap();
        // b: " é 😀 → 4 + 1 + 2 code units before x.
        assert_eq!(idx.position(text, x), Position { line: 2, column: 8 });
        assert_eq!(
            idx.position(text, text.len()),
            Position { line: 3, column: 2 }
        );
        assert_eq!(&text[idx.line_range(text, 1)], "b: \"é😀x\"");
        // b: " é 😀 → 6 characters before x.
        assert_eq!(idx.char_position(text, x), Position { line: 2, column: 7 });
    }

    #[test]
    fn columns_on_long_lines_count_from_checkpoints_exactly() {
        // Lines of every length around the stride, with characters of one
        // to four bytes (one or two UTF-16 units) across the checkpoints.
        let unit = "aé€😀\t";
        let text: String = (0..8)
            .map(|n| unit.repeat(n * STRIDE / 3 + n))
            .collect::<Vec<_>>()
            .join("\n");
        let idx = LineIndex::new(&text);
        for (offset, _) in text.char_indices().step_by(7).chain([(text.len(), ' ')]) {
            let line0 = idx.line_of(offset);
            let before = &text[idx.line_start(line0)..offset];
            assert_eq!(
                idx.position(&text, offset).column,
                before.encode_utf16().count() + 1
            );
            assert_eq!(
                idx.char_position(&text, offset).column,
                before.chars().count() + 1
            );
        }
    }

    #[test]
    fn a_byte_order_mark_is_not_text_and_not_a_column() {
        let plain = Source::new("a.tf", "x = \"y\"\n");
        let marked = Source::new("a.tf", "\u{feff}x = \"y\"\n");
        assert!(marked.bom && !plain.bom);
        assert_eq!(marked.text, plain.text);
        let y = plain.text.find('y').unwrap();
        assert_eq!(marked.position(y), plain.position(y));
        assert_eq!(marked.position(y), Position { line: 1, column: 6 });
        // Only a leading mark is one: inside the text it stays.
        let inner = Source::new("a.tf", "x\u{feff}");
        assert!(!inner.bom && inner.text.ends_with('\u{feff}'));
    }
}
