//! Text as a program reads it, each byte tied to its place in the file.
//!
//! The program that runs a command line rarely sees the bytes of the file:
//! BuildKit joins continued lines and drops comment lines between them,
//! systemd turns a trailing backslash into a space, YAML folds a `>-`
//! scalar and strips a block's indentation, make removes the recipe prefix
//! after a continued line, a JSON array unescapes its strings. Splitting
//! the file's bytes instead reads a different command (a comment line in a
//! continued `RUN` ends it for a shell; a folded scalar is one line for the
//! runner but three for a shell). So a format builds the text exactly as
//! its engine hands it on, recording for every byte the file offset it came
//! from, and the shared splitter runs over that text; its words are then
//! mapped back, and findings land on the bytes where the value is written.

use std::ops::Range;

use super::words::{self, Split, Via, Word};
use crate::source::Span;

/// A string and, for each of its bytes, the file offset it stands for.
#[derive(Debug, Clone, Default)]
pub struct Mapped {
    text: String,
    offsets: Vec<usize>,
    /// Stretches of `text` that a variable expansion brought in, and where
    /// that expansion is written (make's `$(OPTS)` in a recipe).
    vias: Vec<Via>,
}

impl Mapped {
    pub fn new() -> Mapped {
        Mapped::default()
    }

    /// The whole of `file[range]`, each byte at its own offset.
    pub fn of_file(file: &str, range: Range<usize>) -> Mapped {
        let mut m = Mapped::new();
        m.push_file(file, range);
        m
    }

    /// Appends `file[range]`, each byte keeping its file offset.
    pub fn push_file(&mut self, file: &str, range: Range<usize>) {
        self.text.push_str(&file[range.clone()]);
        self.offsets.extend(range);
    }

    /// Appends text the file does not hold byte for byte (the space that
    /// replaces a joined line break, an unescaped character, a quote that
    /// keeps an opaque expression one word); each of its bytes stands for
    /// file offset `at`.
    pub fn push_synthetic(&mut self, s: &str, at: usize) {
        self.text.push_str(s);
        self.offsets.extend(std::iter::repeat_n(at, s.len()));
    }

    /// Appends `other.text()[range]` with its offsets.
    pub fn push_mapped(&mut self, other: &Mapped, range: Range<usize>) {
        let base = self.text.len();
        self.text.push_str(&other.text[range.clone()]);
        self.offsets
            .extend_from_slice(&other.offsets[range.clone()]);
        self.vias.extend(
            other
                .vias
                .iter()
                .filter(|v| v.range.start < range.end && v.range.end > range.start)
                .map(|v| Via {
                    range: v.range.start.max(range.start) - range.start + base
                        ..v.range.end.min(range.end) - range.start + base,
                    site: v.site,
                }),
        );
    }

    /// Appends what the expansion written at `site` (`$(OPTS)`) gives:
    /// its bytes keep the offsets where the value is written, and the words
    /// split from them know they came through `site`.
    pub fn push_expansion(&mut self, value: &Mapped, site: Span) {
        let base = self.text.len();
        self.push_mapped(value, 0..value.len());
        if self.text.len() > base {
            self.vias.push(Via {
                range: base..self.text.len(),
                site,
            });
        }
    }

    /// Words joined by single spaces, as `eval`, `ssh` and `sh -c` receive
    /// them; each byte keeps its file offset.
    pub fn of_words<'w>(words: impl IntoIterator<Item = &'w Word>) -> Mapped {
        let mut m = Mapped::new();
        for (k, w) in words.into_iter().enumerate() {
            if k > 0 {
                m.push_synthetic(" ", m.offset(m.len()));
            }
            let base = m.text.len();
            m.text.push_str(&w.text);
            m.offsets.extend((0..w.text.len()).map(|i| w.offset(i)));
            m.vias.extend(w.vias().iter().map(|v| Via {
                range: v.range.start + base..v.range.end + base,
                site: v.site,
            }));
        }
        m
    }

    /// `text()[range]` with its offsets.
    pub fn slice(&self, range: Range<usize>) -> Mapped {
        let mut m = Mapped::new();
        m.push_mapped(self, range);
        m
    }

    /// Appends `word` as one single-quoted shell word, so that a shell
    /// split gives back exactly its text (an argv element of an exec-form
    /// array, an expression the runner substitutes before the shell runs).
    /// The quotes are synthetic; every character of `word` keeps its offset.
    pub fn push_quoted(&mut self, word: &Mapped) {
        let at = word.offset(0);
        self.push_synthetic("'", at);
        let mut last = at;
        for (i, c) in word.text.char_indices() {
            // The last byte of the character: one past it is a boundary.
            last = word.offsets[i + c.len_utf8() - 1];
            if c == '\'' {
                // Close, an escaped quote that is the real one, reopen.
                self.push_synthetic("'\\", last);
                self.push_mapped(word, i..i + 1);
                self.push_synthetic("'", last);
            } else {
                self.push_mapped(word, i..i + c.len_utf8());
            }
        }
        self.push_synthetic("'", last);
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The file offset of byte `i`; one past the last byte for `i == len`.
    pub fn offset(&self, i: usize) -> usize {
        match self.offsets.get(i) {
            Some(&o) => o,
            None => self.offsets.last().map_or(0, |&o| o + 1),
        }
    }

    /// The file span of `text()[start..end]`.
    pub fn span(&self, start: usize, end: usize) -> Span {
        if start >= end {
            let at = self.offset(start);
            return Span::new(at, at);
        }
        Span::new(self.offset(start), self.offset(end - 1) + 1)
    }

    /// Splits the text into shell words whose offsets are file offsets.
    pub fn split(&self) -> Split {
        words::split_mapped(&self.text, &self.offsets, &self.vias)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_come_back_at_their_file_offsets() {
        // `docker run \` / `# note` / `  --privileged x`, joined as BuildKit does.
        let file = "docker run \\\n# note\n  --privileged x\n";
        let mut m = Mapped::new();
        m.push_file(file, 0..11);
        m.push_file(file, 20..36);
        let split = m.split();
        assert_eq!(split.commands.len(), 1);
        let w = &split.commands[0][2];
        assert_eq!(w.text, "--privileged");
        assert_eq!(&file[w.span().range()], "--privileged");
        assert_eq!(&file[w.raw.range()], "--privileged");
    }

    #[test]
    fn synthetic_quotes_keep_a_word_and_vanish_from_its_span() {
        let file = "run ${{ matrix.flags }} x";
        let mut m = Mapped::new();
        m.push_file(file, 0..4);
        m.push_synthetic("'", 4);
        m.push_file(file, 4..23);
        m.push_synthetic("'", 22);
        m.push_file(file, 23..25);
        let split = m.split();
        let w = &split.commands[0][1];
        assert_eq!(w.text, "${{ matrix.flags }}");
        assert_eq!(&file[w.span().range()], "${{ matrix.flags }}");
        assert_eq!(&file[w.raw.range()], "${{ matrix.flags }}");
    }
}
