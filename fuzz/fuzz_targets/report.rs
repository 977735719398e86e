//! Every report format (`src/report/`) fed any finding set a rule could
//! produce: any rules and levels, marks anywhere in one or two files whose
//! lines may be of any length and hold any characters (tabs, control
//! characters, bidirectional overrides, wide and zero-width characters),
//! messages, subjects and labels of any length, related places in either
//! file, suppressions, diagnostics of every kind, awkward paths.
//!
//! The input is a header read front to back, then the text (invalid UTF-8
//! replaced: a scanned file is text by then). A header field past the end of
//! the input reads as zero, so every input is a finding set.
//!
//! ```text
//! u8   counts: findings (bits 0-2), diagnostics (bits 3-5), colour (bit 6),
//!      two files (bit 7: the text is split in two at `split`)
//! u8   paths: the first file's (low nibble) and the second's (high nibble)
//! u8   files scanned
//! u32  split
//! per finding:
//!   u8   rule (an index into the catalogue)
//!   u8   level (bits 0-1), suppressed (bit 2), related (bits 3-4),
//!        subjects (bits 5-6), its own security-severity (bit 7)
//!   u32 u32            the mark: two offsets into the first file
//!   str str            what, label
//!   str × subjects
//!   per related: u8 file (bit 0), u32 u32 mark, str message
//!   if suppressed: u32 u32 mark in the first file, str justification
//! per diagnostic:
//!   u8   kind (bits 0-2), positioned (bit 3), second file (bit 4)
//!   u32  offset, str message
//! str = u32 start, u16 length: a slice of the whole text (at most 200
//!       bytes in a diagnostic, which seccheck words itself)
//! ```
//! Offsets are taken modulo the text's length plus one and moved back onto
//! a character boundary, as every parser's spans are.
#![no_main]

use std::path::PathBuf;
use std::sync::Arc;

use seccheck::diagnostic::{Diagnostic, Problem};
use seccheck::finding::{Finding, Level, Related, Suppression};
use seccheck::report::Context;
use seccheck::rules;
use seccheck::scan::ScanResult;
use seccheck::source::{Location, Source, Span, floor_char_boundary};

/// Paths as a walk may find them: spaces, the separators of workflow
/// commands (`:`, `,`, `%`), non-ASCII, a line break, outside the root,
/// absolute, Windows-like, deep, empty.
const PATHS: [&str; 16] = [
    "compose.yaml",
    "deploy/k8s/pod.yaml",
    "dir with space/a,b:c%25.yaml",
    "ünï/cødé/😀.yml",
    "line\nbreak.sh",
    "../outside/main.tf",
    "/abs/elsewhere/daemon.json",
    "C:\\Users\\x\\Dockerfile",
    ".github/workflows/ci.yml",
    "a/./b/../c/Makefile",
    "tab\there.service",
    "\u{202e}lmay.exe",
    "percent%0A%3A.json",
    "x",
    "",
    "deep/deep/deep/deep/deep/deep/deep/deep/deep/deep/deep/deep/app.container",
];

/// Longest diagnostic message made up: a reader's messages are a sentence
/// with at most a short token of the file quoted.
const DIAGNOSTIC_BYTES: usize = 200;

/// The header, read front to back; zero past the end.
struct Header<'a> {
    data: &'a [u8],
}

impl Header<'_> {
    fn u8(&mut self) -> u8 {
        let Some((&b, rest)) = self.data.split_first() else {
            return 0;
        };
        self.data = rest;
        b
    }

    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
}

/// What the text and the header together decide.
struct Input {
    text: String,
    files: Vec<Arc<Source>>,
}

impl Input {
    fn offset(text: &str, raw: u32) -> usize {
        floor_char_boundary(text, raw as usize % (text.len() + 1))
    }

    fn span(&self, file: usize, a: u32, b: u32) -> Location {
        let source = &self.files[file];
        let (a, b) = (Self::offset(&source.text, a), Self::offset(&source.text, b));
        Location::new(source, Span::new(a.min(b), a.max(b)))
    }

    /// A slice of the text of at most `max` bytes.
    fn string(&self, h: &mut Header<'_>, max: usize) -> String {
        let start = Self::offset(&self.text, h.u32());
        let len = usize::from(h.u16()).min(max);
        let end = floor_char_boundary(&self.text, (start + len).min(self.text.len()));
        self.text[start..end].to_string()
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // The header's length depends on its own fields: read it once to find
    // where the text starts, from a copy that stops at the end.
    let mut h = Header { data };
    let counts = h.u8();
    let path_choice = h.u8();
    let files_scanned = h.u8();
    let split = h.u32();
    let (findings, diagnostics) = (counts & 7, (counts >> 3) & 7);
    // Field sizes are fixed per flag byte, so the header's end is known
    // after a dry run over the same reader.
    let mut dry = Header { data: h.data };
    for _ in 0..findings {
        dry.u8();
        let flags = dry.u8();
        let related = (flags >> 3) & 3;
        let subjects = (flags >> 5) & 3;
        let suppressed = flags & 4 != 0;
        skip(&mut dry, 8 + 6 + 6 + 6 * usize::from(subjects));
        skip(&mut dry, usize::from(related) * (1 + 8 + 6));
        if suppressed {
            skip(&mut dry, 8 + 6);
        }
    }
    for _ in 0..diagnostics {
        skip(&mut dry, 1 + 4 + 6);
    }
    let text = String::from_utf8_lossy(dry.data).into_owned();
    let paths = [
        PATHS[usize::from(path_choice & 15)],
        PATHS[usize::from(path_choice >> 4)],
    ];
    let files = if counts & 0x80 != 0 {
        let at = Input::offset(&text, split);
        vec![
            Source::new(paths[0], text[..at].to_string()),
            Source::new(paths[1], text[at..].to_string()),
        ]
    } else {
        vec![Source::new(paths[0], text.clone())]
    };
    let input = Input { text, files };
    let mut result = ScanResult::default();
    result.files_scanned = usize::from(files_scanned);
    let catalogue = rules::all();
    for _ in 0..findings {
        let rule = &catalogue[usize::from(h.u8()) % catalogue.len()];
        let flags = h.u8();
        let (a, b) = (h.u32(), h.u32());
        let location = input.span(0, a, b);
        let what = input.string(&mut h, usize::MAX);
        let label = input.string(&mut h, usize::MAX);
        let mut f = Finding::new(rule, "", what, label, location);
        f.level = [Level::Note, Level::Warning, Level::Error][usize::from(flags & 3) % 3];
        f.subjects = (0..(flags >> 5) & 3)
            .map(|_| input.string(&mut h, usize::MAX))
            .collect();
        for _ in 0..(flags >> 3) & 3 {
            let file = usize::from(h.u8() & 1) % input.files.len();
            let (a, b) = (h.u32(), h.u32());
            let location = input.span(file, a, b);
            let message = input.string(&mut h, usize::MAX);
            f.related.push(Related { location, message });
        }
        if flags & 4 != 0 {
            let (a, b) = (h.u32(), h.u32());
            let at = input.span(0, a, b);
            let justification = input.string(&mut h, usize::MAX);
            f.suppression = Some(Suppression { justification, at });
        }
        if flags & 0x80 != 0 {
            f.security_severity = Some("5.5");
        }
        result.findings.push(f);
    }
    for _ in 0..diagnostics {
        let kind = h.u8();
        let file = usize::from((kind >> 4) & 1) % input.files.len();
        let offset = h.u32();
        // seccheck writes these: a sentence, at most a token quoted.
        let message = input.string(&mut h, DIAGNOSTIC_BYTES);
        let source = &input.files[file];
        let at = Input::offset(&source.text, offset);
        let problem = match kind & 7 {
            0 => Problem::Syntax {
                format: "YAML",
                message,
            },
            1 => Problem::Shape {
                format: "YAML",
                expected: "Compose file",
                message,
            },
            2 => Problem::Limit(message),
            3 => Problem::Unreadable(message),
            4 => Problem::Skipped(message),
            5 => Problem::Io(std::io::Error::other(message)),
            6 => Problem::NotUtf8 {
                offset: at,
                position: source.position(at),
                char_column: source.char_position(at).column,
            },
            _ => Problem::TooLarge {
                size: u64::from(offset),
                limit: 1,
            },
        };
        result.diagnostics.push(if kind & 8 != 0 {
            Diagnostic::at(source, at, problem)
        } else {
            Diagnostic::new(PathBuf::from(&source.path), problem)
        });
    }
    let mut ctx = Context::new(seccheck_fuzz::root().to_path_buf());
    ctx.color = counts & 0x40 != 0;
    seccheck_fuzz::render_all(&result, &ctx);
});

fn skip(h: &mut Header<'_>, n: usize) {
    for _ in 0..n {
        h.u8();
    }
}
