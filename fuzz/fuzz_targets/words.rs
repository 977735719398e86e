//! The shell word splitter (`src/cmdline/words.rs`) on its own: `data[0]`
//! and `data[1]` cut that many bytes off the front and the back of the
//! range split (formats split a range of the file: a recipe, a YAML block,
//! a `RUN`), the rest is the text (invalid UTF-8 replaced, as no file
//! reaches the splitter without being valid). Every span a word, parameter,
//! comment or error gives lies inside that range on character boundaries,
//! also for the words of a word read again as a script (`sh -c "…"`), and
//! splitting twice gives the same result.
#![no_main]

use seccheck::cmdline::Mapped;
use seccheck::cmdline::words::{Split, Word, split};
use seccheck::source::Span;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let [front, back, rest @ ..] = data else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let (start, end) = (
        usize::from(*front),
        text.len().saturating_sub(usize::from(*back)),
    );
    // The range the splitter reads: `end` and then `start` moved onto
    // character boundaries, `start` never past `end`.
    let end = floor(&text, end);
    let start = ceil(&text, start.min(end));
    let s = split(&text, start, end);
    check_split(&text, (start, end), &s);
    // A word read again as a script (`sh -c "…"`); one without a byte the
    // shell treats specially is itself again.
    for w in s
        .commands
        .iter()
        .flatten()
        .filter(|w| w.text.bytes().any(special))
    {
        let inner = Mapped::of_words([w]).split();
        check_split(&text, (start, end), &inner);
    }
    let again = split(&text, start, end);
    assert_eq!(
        digest(&s),
        digest(&again),
        "the split is a function of its input"
    );
});

/// What a split says, hashed: every word's text and spans, every error
/// and comment. Cheaper than comparing two renderings of it.
fn digest(s: &Split) -> u64 {
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    for command in &s.commands {
        h.usize(command.len());
        for w in command {
            h.bytes(w.text.as_bytes());
            h.span(w.raw);
            h.span(w.span());
            for p in w.params() {
                h.span(p.at);
                h.usize(usize::from(p.quoted));
            }
            h.usize(w.array().map_or(0, <[Word]>::len));
        }
    }
    for e in &s.errors {
        h.usize(e.offset);
        h.bytes(e.message.as_bytes());
    }
    for c in &s.comments {
        h.span(*c);
    }
    h.0
}

/// FNV-1a, 64 bit.
struct Fnv(u64);

impl Fnv {
    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn usize(&mut self, n: usize) {
        self.bytes(&n.to_le_bytes());
    }

    fn span(&mut self, s: Span) {
        self.usize(s.start);
        self.usize(s.end);
    }
}

fn special(b: u8) -> bool {
    matches!(
        b,
        b'\''
            | b'"'
            | b'\\'
            | b'$'
            | b'`'
            | b';'
            | b'&'
            | b'|'
            | b'<'
            | b'>'
            | b'('
            | b')'
            | b'#'
            | b'\n'
            | b'\r'
            | b' '
            | b'\t'
    )
}

fn check_split(text: &str, range: (usize, usize), s: &Split) {
    for c in &s.comments {
        check_span(text, range, *c);
    }
    for e in &s.errors {
        assert!(
            range.0 <= e.offset && e.offset <= range.1 && text.is_char_boundary(e.offset),
            "error at {} outside {range:?}",
            e.offset
        );
    }
    for w in s.commands.iter().flatten() {
        check_word(text, range, w);
    }
}

fn check_word(text: &str, range: (usize, usize), w: &Word) {
    check_span(text, range, w.raw);
    let bounds: Vec<usize> = (0..=w.text.len())
        .filter(|&i| w.text.is_char_boundary(i))
        .collect();
    // Each query walks the word's quotes: sampled on long words, so that
    // the checks stay linear in the input.
    let step = (bounds.len() / 256).max(1);
    for k in (0..bounds.len()).step_by(step) {
        let i = bounds[k];
        for &j in bounds.iter().skip(k).take(8) {
            check_span(text, range, w.span_of(i, j));
        }
        check_span(text, range, w.span_of(i, w.text.len()));
    }
    for p in w.params() {
        check_span(text, range, p.at);
    }
    for e in w.array().unwrap_or_default() {
        check_word(text, range, e);
    }
}

fn check_span(text: &str, range: (usize, usize), span: Span) {
    assert!(
        range.0 <= span.start && span.start <= span.end && span.end <= range.1,
        "{span:?} outside {range:?}"
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{span:?} inside a character"
    );
}

fn floor(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}
