//! The terminal report: rustc-style snippets with the offending value
//! underlined.
//!
//! What people and their tools rely on: the level in words
//! (`error[seccomp-unconfined]: …`), so that `grep error` works on piped
//! output; `path:line:column` with the column counted in characters, as
//! rustc and editors count (SARIF and JSON keep UTF-16 code units); colour
//! only when asked for (see `cli::use_colour`); and output bounded by the
//! window, whatever the input: every shown line is cut to [`WIDTH`] columns
//! around its marks, with `...` where text was left out.
//!
//! Why a renderer of our own, measured on a 70,000-character line (2026-11):
//! - `miette` 7.6's graphical handler panics ("Formatting argument out of
//!   range", graphical.rs:1159: it pads with `{:width$}`, and Rust's
//!   formatter refuses widths past `u16::MAX`); below that length it prints
//!   the whole line.
//! - `annotate-snippets` 0.12.18 (rustc's renderer) trims a line around a
//!   single mark, but printed 210 KB for a mark that runs from a long line
//!   to the end of a later one, panics on a span that ends inside a
//!   character (source_map.rs:71), and computes its `-->` column from the
//!   text it is given, so trimming the lines for it would falsify the
//!   column it prints.
//!
//! The report needs marks with labels, context lines and a header; that fits
//! in this module, never slices inside a character, and replaced miette's
//! 57 crates in the build with `unicode-width` (no dependencies), which
//! gives each character's terminal width (CJK and emoji take two columns).

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::Arc;

use unicode_width::UnicodeWidthChar;

use super::Context;
use crate::diagnostic::Severity;
use crate::finding::{Finding, Level};
use crate::rules;
use crate::scan::ScanResult;
use crate::source::{Location, Source, Span, floor_char_boundary};

/// Columns of source text shown per line, besides the `...` markers.
pub const WIDTH: usize = 100;
const ELLIPSIS: &str = "...";
/// Longest header message and label printed (subjects are names from the
/// files, and a generated file may have names of any length).
const MESSAGE_CHARS: usize = 10 * WIDTH;
/// Multi-line marks longer than this show their first and last lines only.
const SPAN_LINES: usize = 4;
/// Bytes of a line the renderer looks at. A longer line is seen through a
/// view of this many bytes around its marks (a context line: where its
/// marked neighbour's view is), so that the work per finding is bounded
/// however long the line: a minified file with thousands of findings on
/// one 1 MB line took minutes when each finding walked the whole line.
/// At most four bytes a column, so a view holds more than the window.
const VIEW_BYTES: usize = 32 * WIDTH;

pub fn write(out: &mut dyn Write, result: &ScanResult, ctx: &Context) -> std::io::Result<()> {
    let paint = Paint(ctx.color);
    let shown: Vec<&Finding> = result
        .findings
        .iter()
        .filter(|f| f.suppression.is_none())
        .collect();
    for finding in &shown {
        out.write_all(render(finding, ctx, paint).as_bytes())?;
        writeln!(out)?;
    }
    for d in &result.diagnostics {
        let path = ctx.relative(&d.path);
        let pos = d
            .position
            .map(|p| format!(":{}:{}", p.line, d.char_column.unwrap_or(p.column)))
            .unwrap_or_default();
        let kind = match d.severity() {
            Severity::Error => paint.level(Level::Error, "error"),
            Severity::Notice => paint.apply(NOTE, "notice"),
        };
        writeln!(
            out,
            "{kind}: {}{pos}: {}",
            clean(&path),
            clean(&d.problem.to_string())
        )?;
    }
    writeln!(out, "{}", summary(result, &shown))
}

/// "3 findings (2 error, 1 warning, 0 note) in 12 files scanned, …".
fn summary(result: &ScanResult, shown: &[&Finding]) -> String {
    let count = |level| shown.iter().filter(|f| f.level == level).count();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut summary = format!(
        "{} ({} error, {} warning, {} note) in {} scanned",
        plural(shown.len(), "finding"),
        count(Level::Error),
        count(Level::Warning),
        count(Level::Note),
        plural(result.files_scanned, "file"),
    );
    let suppressed = result.findings.len() - shown.len();
    if suppressed > 0 {
        summary.push_str(&format!(", {suppressed} suppressed"));
    }
    let failed = result.failed_files();
    if failed.unreadable > 0 {
        summary.push_str(&format!(
            ", {} could not be read",
            plural(failed.unreadable, "file")
        ));
    }
    if failed.unparseable > 0 {
        summary.push_str(&format!(
            ", {} could not be parsed",
            plural(failed.unparseable, "file")
        ));
    }
    summary
}

/// One underline: a byte range of its file, its label, and whether it is
/// the finding's own value (`^`) or a related place (`-`).
struct Mark {
    span: Span,
    label: String,
    primary: bool,
}

/// The marks of one file.
struct FileMarks<'a> {
    source: &'a Arc<Source>,
    marks: Vec<Mark>,
}

fn render(f: &Finding, ctx: &Context, paint: Paint) -> String {
    let mut files = vec![FileMarks {
        source: &f.location.source,
        marks: vec![mark(&f.location, &f.label, true)],
    }];
    for r in &f.related {
        let same = |s: &Arc<Source>| {
            Arc::ptr_eq(s, &r.location.source) || s.path == r.location.source.path
        };
        let m = mark(&r.location, &r.message, false);
        match files.iter_mut().find(|g| same(g.source)) {
            Some(group) => group.marks.push(m),
            None => files.push(FileMarks {
                source: &r.location.source,
                marks: vec![m],
            }),
        }
    }
    let blocks: Vec<Vec<Row>> = files.iter().map(|g| rows(g.source, &g.marks)).collect();
    let digits = blocks
        .iter()
        .flatten()
        .filter_map(|r| r.number)
        .max()
        .unwrap_or(1)
        .to_string()
        .len();
    let pad = " ".repeat(digits);
    let bar = paint.apply(GUTTER, "|");
    let mut out = format!(
        "{}{}{}\n",
        paint.level(f.level, &format!("{}[{}]", f.level.as_str(), f.rule.id)),
        paint.apply(BOLD, ": "),
        paint.apply(BOLD, &clip(&clean(&f.message()), MESSAGE_CHARS)),
    );
    for (i, (group, rows)) in files.iter().zip(&blocks).enumerate() {
        let first = if i == 0 {
            group.marks[0].span.start
        } else {
            group.marks.iter().map(|m| m.span.start).min().unwrap_or(0)
        };
        let at = group.source.char_position(first);
        let arrow = if i == 0 { "-->" } else { ":::" };
        if i > 0 {
            out.push_str(&format!("{pad} {bar}\n"));
        }
        out.push_str(&format!(
            "{pad}{} {}:{}:{}\n{pad} {bar}\n",
            paint.apply(GUTTER, arrow),
            clean(&ctx.relative(&group.source.path)),
            at.line,
            at.column
        ));
        for row in rows {
            let line = match row.number {
                Some(n) => paint.apply(GUTTER, &format!("{n:>digits$} |")),
                None if row.gap => paint.apply(GUTTER, &format!("{:<digits$}", ELLIPSIS)),
                None => format!("{pad} {bar}"),
            };
            let text = if row.gap {
                String::new()
            } else {
                row.text.clone()
            };
            out.push_str(format!("{line} {text}").trim_end());
            out.push('\n');
        }
    }
    out.push_str(&format!("{pad} {bar}\n"));
    let help = first_sentence(rules::section(f.rule.doc, "Use instead"));
    if !help.is_empty() {
        out.push_str(&format!("{pad} = {}: {help}\n", paint.apply(HELP, "help")));
    }
    out.push_str(&format!(
        "{pad} = {}: more in `seccheck explain {}`\n",
        paint.apply(BOLD, "note"),
        f.rule.id
    ));
    out
}

/// A mark on character boundaries inside its file.
fn mark(loc: &Location, label: &str, primary: bool) -> Mark {
    let text = &loc.source.text;
    let start = floor_char_boundary(text, loc.span.start.min(text.len()));
    let mut end = loc.span.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    // A block that runs on to the next key marks its text, not the line
    // breaks and indentation after it.
    let trimmed = text[start..end].trim_end().len();
    if trimmed > 0 {
        end = start + trimmed;
    }
    Mark {
        span: Span::new(start, end),
        label: clip(&clean(label), WIDTH),
        primary,
    }
}

/// One printed line of a file block: a source line (with its number), an
/// underline or label row, or `...` for lines left out.
struct Row {
    number: Option<usize>,
    gap: bool,
    text: String,
}

/// Part of one mark on one line: a byte range of the file, and the label
/// when the mark ends on this line.
struct Portion<'a> {
    span: Span,
    primary: bool,
    label: Option<&'a str>,
}

fn rows(source: &Source, marks: &[Mark]) -> Vec<Row> {
    let lines = &source.lines;
    // The empty "line" after a final line break is not shown.
    let last_line = lines
        .line_count()
        .saturating_sub(if source.text.ends_with('\n') { 2 } else { 1 });
    let mut shown = BTreeSet::new();
    let mut portions: std::collections::BTreeMap<usize, Vec<Portion<'_>>> = Default::default();
    for m in marks {
        let first = lines.line_of(m.span.start);
        let last = lines.line_of(m.span.end.saturating_sub(1).max(m.span.start));
        shown.insert(first.saturating_sub(1));
        shown.insert((last + 1).min(last_line));
        let middle = if last - first <= SPAN_LINES {
            first..=last
        } else {
            // The first and the last line of a long mark; `...` between.
            shown.insert(last);
            first..=first
        };
        shown.extend(middle);
        let label = (!m.label.is_empty()).then_some(m.label.as_str());
        if first == last {
            portions.entry(first).or_default().push(Portion {
                span: m.span,
                primary: m.primary,
                label,
            });
        } else {
            let first_range = lines.line_range(&source.text, first);
            let last_range = lines.line_range(&source.text, last);
            portions.entry(first).or_default().push(Portion {
                span: Span::new(m.span.start, first_range.end.max(m.span.start)),
                primary: m.primary,
                label: None,
            });
            let text = &source.text[last_range.clone()];
            let indent = text.len() - text.trim_start().len();
            let end = m.span.end.min(last_range.end);
            portions.entry(last).or_default().push(Portion {
                span: Span::new((last_range.start + indent).min(end), end),
                primary: m.primary,
                label,
            });
        }
    }
    // Per marked line: its view, the view's offset into the line, and the
    // first display column shown of it.
    let mut windows = std::collections::BTreeMap::new();
    for (&line, parts) in &portions {
        let range = lines.line_range(&source.text, line);
        // The first mark a quarter into the view: room to centre it.
        let first = parts.iter().map(|p| p.span.start).min().unwrap_or(0);
        let seen = view(
            &source.text,
            range.clone(),
            first.saturating_sub(VIEW_BYTES / 4),
        );
        let start = window(&source.text[seen.range.clone()], seen.range.start, parts);
        windows.insert(line, (seen.range.start - range.start, start));
    }
    let mut out = Vec::new();
    let mut previous: Option<usize> = None;
    for &line in &shown {
        if previous.is_some_and(|p| line > p + 1) {
            out.push(Row {
                number: None,
                gap: true,
                text: String::new(),
            });
        }
        previous = Some(line);
        let range = lines.line_range(&source.text, line);
        let near = windows
            .range(..=line)
            .next_back()
            .or_else(|| windows.range(line..).next())
            .map(|(_, &w)| w);
        let seen = view(
            &source.text,
            range.clone(),
            range.start + near.map_or(0, |(into, _)| into),
        );
        let text = &source.text[seen.range.clone()];
        // A context line that fits is shown whole; a long one where the
        // marked line next to it is cut, so that their columns line up.
        let start = if display_columns(text, &[text.len()])[0] <= WIDTH {
            0
        } else {
            near.map_or(0, |(_, start)| start)
        };
        let cut = Cut::new(text, start, seen.before, seen.after);
        out.push(Row {
            number: Some(line + 1),
            gap: false,
            text: cut.text.clone(),
        });
        if let Some(parts) = portions.get(&line) {
            for text in underline(&cut, text, seen.range.start, parts) {
                out.push(Row {
                    number: None,
                    gap: false,
                    text,
                });
            }
        }
    }
    out
}

/// The part of a line the renderer looks at: [`VIEW_BYTES`] from `from`
/// (or the whole line when it is not longer), and whether the line goes on
/// before or after it.
struct View {
    range: std::ops::Range<usize>,
    before: bool,
    after: bool,
}

fn view(text: &str, line: std::ops::Range<usize>, from: usize) -> View {
    if line.len() <= VIEW_BYTES {
        return View {
            range: line,
            before: false,
            after: false,
        };
    }
    let start = floor_char_boundary(text, from.clamp(line.start, line.end));
    let mut end = (start + VIEW_BYTES).min(line.end);
    while !text.is_char_boundary(end) {
        end += 1;
    }
    View {
        before: start > line.start,
        after: end < line.end,
        range: start..end,
    }
}

/// `span`'s offsets into a view of `len` bytes at `base`, clamped to it.
fn within(span: Span, base: usize, len: usize) -> (usize, usize) {
    let at = |o: usize| o.clamp(base, base + len) - base;
    (at(span.start), at(span.end))
}

/// The first display column to show of a line, so that its marks are in
/// view (0 when the whole line fits).
fn window(text: &str, base: usize, parts: &[Portion<'_>]) -> usize {
    let cols = display_columns(
        text,
        &[
            parts
                .iter()
                .map(|p| within(p.span, base, text.len()).0)
                .min()
                .unwrap_or(0),
            parts
                .iter()
                .map(|p| within(p.span, base, text.len()).1)
                .max()
                .unwrap_or(0),
            text.len(),
        ],
    );
    let (from, to, total) = (cols[0], cols[1], cols[2]);
    if total <= WIDTH {
        return 0;
    }
    let wanted = to - from;
    if wanted + 2 * ELLIPSIS.len() <= WIDTH {
        // Centre the marks, without running past either end of the line.
        from.saturating_sub((WIDTH - wanted) / 2).min(total - WIDTH)
    } else {
        from.saturating_sub(8)
    }
}

/// Display columns (tabs as four, wide characters as two) at the given
/// byte offsets of `text`, in one pass.
fn display_columns(text: &str, offsets: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_by_key(|&i| offsets[i]);
    let mut out = vec![0; offsets.len()];
    let mut chars = text.char_indices().peekable();
    let mut col = 0;
    for i in order {
        while let Some(&(at, c)) = chars.peek() {
            if at >= offsets[i] {
                break;
            }
            col += shown(c).1;
            chars.next();
        }
        out[i] = col;
    }
    out
}

/// How a character is printed, and how many columns it takes: tabs become
/// four spaces, and control characters (escape sequences, bidirectional
/// overrides) a visible replacement, so that no file can drive the terminal.
fn shown(c: char) -> (Option<char>, usize) {
    match c {
        '\t' => (None, 4),
        c if c.is_control() || is_bidi_control(c) => (Some('\u{FFFD}'), 1),
        c => (Some(c), c.width().unwrap_or(0)),
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text from a file or a message, made safe to print on a terminal (the
/// inventory table prints with it too).
pub(crate) fn clean(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' => ' ',
            c if c.is_control() || is_bidi_control(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// At most `max` characters of `text`, with `...` when cut.
fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}{ELLIPSIS}", &text[..at]),
        None => text.to_string(),
    }
}

/// One line (or a view of it) cut to the window that starts at display
/// column `start`.
struct Cut {
    text: String,
    /// First and one-past-last display column shown.
    start: usize,
    end: usize,
    /// Columns taken by the leading `...`.
    lead: usize,
}

impl Cut {
    /// `before` and `after`: the line goes on beyond `line`, which is a view.
    fn new(line: &str, start: usize, before: bool, after: bool) -> Cut {
        let lead = if start > 0 || before {
            ELLIPSIS.len()
        } else {
            0
        };
        let mut text = String::from(if lead > 0 { ELLIPSIS } else { "" });
        let end = start + WIDTH;
        let mut col = 0;
        let mut truncated = false;
        for c in line.chars() {
            let (printed, width) = shown(c);
            if col >= start && col + width <= end {
                match printed {
                    Some(p) => text.push(p),
                    None => text.push_str("    "),
                }
            } else if col + width > end {
                truncated = true;
                break;
            }
            col += width;
        }
        if truncated || after {
            text.push_str(ELLIPSIS);
        }
        Cut {
            text,
            start,
            end,
            lead,
        }
    }

    /// Where display column `col` of the line is printed, clipped to the
    /// window (a mark outside it points at the `...`).
    fn place(&self, col: usize) -> usize {
        self.lead + col.clamp(self.start, self.end) - self.start
    }
}

/// The rows under one line: underlines, then the labels, rustc's way — the
/// rightmost label beside its underline, the others below it on `|` stems.
fn underline(cut: &Cut, line: &str, base: usize, parts: &[Portion<'_>]) -> Vec<String> {
    let mut offsets = Vec::new();
    for p in parts {
        let (start, end) = within(p.span, base, line.len());
        offsets.push(start);
        offsets.push(end);
    }
    let cols = display_columns(line, &offsets);
    let mut placed: Vec<(usize, usize, &Portion<'_>)> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let from = cut.place(cols[2 * i]);
            let to = cut.place(cols[2 * i + 1]).max(from + 1);
            (from, to, p)
        })
        .collect();
    placed.sort_by_key(|&(from, to, p)| (from, to, p.primary));
    let width = placed.iter().map(|&(_, to, _)| to).max().unwrap_or(0);
    let mut marks = vec![' '; width];
    // Related places first, so that the value's own `^` wins an overlap.
    for &(from, to, _) in placed.iter().filter(|(_, _, p)| !p.primary) {
        marks[from..to].fill('-');
    }
    for &(from, to, _) in placed.iter().filter(|(_, _, p)| p.primary) {
        marks[from..to].fill('^');
    }
    let mut first: String = marks.into_iter().collect();
    // Labels left to right; the rightmost goes beside the underline row
    // when its mark is also the one that reaches furthest right.
    let mut labelled: Vec<(usize, usize, &str)> = placed
        .iter()
        .filter_map(|&(from, to, p)| p.label.map(|l| (from, to, l)))
        .collect();
    let mut rows = Vec::new();
    if labelled.last().is_some_and(|&(_, to, _)| to == width) {
        let (_, _, label) = labelled.pop().unwrap_or_default();
        first.push(' ');
        first.push_str(label);
    }
    rows.push(first);
    for i in (0..labelled.len()).rev() {
        let stems = |n: usize| {
            let mut row = String::new();
            for &(from, _, _) in &labelled[..n] {
                row.push_str(&" ".repeat(from.saturating_sub(row.chars().count())));
                row.push('|');
            }
            row
        };
        rows.push(stems(i + 1));
        let mut row = stems(i);
        let (from, _, label) = labelled[i];
        row.push_str(&" ".repeat(from.saturating_sub(row.chars().count())));
        row.push_str(label);
        rows.push(row);
    }
    rows
}

fn first_sentence(text: &str) -> String {
    let flat: String = text
        .lines()
        .take_while(|l| !l.starts_with("```"))
        .collect::<Vec<_>>()
        .join(" ");
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.find(". ") {
        Some(i) => flat[..=i].to_string(),
        None => flat.trim_end_matches(':').to_string(),
    }
}

/// ANSI colours, or plain text.
#[derive(Clone, Copy)]
struct Paint(bool);

const BOLD: &str = "1";
const GUTTER: &str = "1;34";
const HELP: &str = "1;36";
const NOTE: &str = "1;32";

impl Paint {
    fn apply(self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn level(self, level: Level, text: &str) -> String {
        let code = match level {
            Level::Error => "1;31",
            Level::Warning => "1;33",
            Level::Note => NOTE,
        };
        self.apply(code, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_cut_around_its_mark() {
        let line = format!(
            "{}seccomp=unconfined{}",
            "a".repeat(70_000),
            "b".repeat(70_000)
        );
        let at = 70_000;
        let parts = [Portion {
            span: Span::new(at, at + 18),
            primary: true,
            label: Some("here"),
        }];
        let start = window(&line, 0, &parts);
        let cut = Cut::new(&line, start, false, false);
        assert!(cut.text.starts_with("...a"));
        assert!(cut.text.ends_with("b..."));
        assert!(cut.text.contains("seccomp=unconfined"));
        assert_eq!(cut.text.chars().count(), WIDTH + 6);
        let rows = underline(&cut, &line, 0, &parts);
        let col = cut.text.find("seccomp").unwrap();
        assert_eq!(
            rows[0],
            format!("{}{} here", " ".repeat(col), "^".repeat(18))
        );
    }

    #[test]
    fn wide_characters_and_tabs_keep_the_underline_aligned() {
        let line = "\t界😀 x: seccomp=unconfined";
        let at = line.find("seccomp").unwrap();
        let parts = [Portion {
            span: Span::new(at, at + 18),
            primary: true,
            label: None,
        }];
        let cut = Cut::new(line, window(line, 0, &parts), false, false);
        assert_eq!(cut.text, "    界😀 x: seccomp=unconfined");
        // Four for the tab, two for each wide character, then " x: ".
        assert_eq!(
            underline(&cut, line, 0, &parts)[0],
            format!("{}{}", " ".repeat(12), "^".repeat(18))
        );
    }

    #[test]
    fn labels_stack_under_their_marks() {
        let line = "    <<: [*a, *b]";
        let parts = [
            Portion {
                span: Span::new(9, 11),
                primary: false,
                label: Some("first"),
            },
            Portion {
                span: Span::new(13, 15),
                primary: false,
                label: Some("second"),
            },
        ];
        let cut = Cut::new(line, 0, false, false);
        assert_eq!(
            underline(&cut, line, 0, &parts),
            ["         --  -- second", "         |", "         first"]
        );
    }

    /// Random text of awkward characters with random marks: never a
    /// panic, and every printed line stays within the window.
    #[test]
    fn any_text_and_any_spans_render_within_bounds() {
        let alphabet = [
            "a", " ", "\t", "\r\n", "\n", "é", "😀", "界", "\u{301}", "\u{200d}", "\x1b", "\0",
            "\u{202e}", "\u{feff}", "x",
        ];
        let rule = crate::rules::get("seccomp-unconfined").unwrap();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let ctx = Context::new(std::path::PathBuf::new());
        for round in 0..3000 {
            let len = next(300) + if round % 50 == 0 { 20_000 } else { 0 };
            let text: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            let source = Source::new("f.yaml", text.clone());
            let span = |next: &mut dyn FnMut(usize) -> usize| {
                let a = next(text.len() + 2);
                let long = next(10) == 0;
                let b = a + next(40 + if long { text.len() } else { 0 });
                Span::new(a, b)
            };
            let mut f = Finding::new(
                rule,
                "service `x`",
                "seccomp filtering is disabled",
                "here",
                Location::new(&source, span(&mut next)),
            );
            for i in 0..next(4) {
                let other = if i % 2 == 0 {
                    Arc::clone(&source)
                } else {
                    Source::new("g.yaml", text.clone())
                };
                f = f.with_related(Location::new(&other, span(&mut next)), "related\tplace");
            }
            let out = render(&f, &ctx, Paint(false));
            for line in out.lines().skip(1) {
                assert!(
                    line.chars().count() <= 3 * WIDTH,
                    "round {round}: {} chars",
                    line.chars().count()
                );
                assert!(!line.contains('\x1b'));
            }
        }
    }

    /// A line longer than the view is rendered from a view of it: the
    /// same window as a whole-line cut (the mark at the same place, `...`
    /// on both sides), also for a context line below it.
    #[test]
    fn a_line_longer_than_the_view_is_rendered_from_a_view() {
        let long = |mid: &str| format!("{}{mid}{}", "a".repeat(500_000), "b".repeat(500_000));
        let text = format!(
            "{}\n{}\n",
            long("seccomp=unconfined"),
            long("xxxxxxxxxxxxxxxxxx")
        );
        let at = 500_000;
        let source = Source::new("f.sh", text.clone());
        let marks = [Mark {
            span: Span::new(at, at + 18),
            label: "here".into(),
            primary: true,
        }];
        let rows = rows(&source, &marks);
        let shown: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
        let line = &text[..text.find('\n').unwrap()];
        let whole = Cut::new(
            line,
            window(
                line,
                0,
                &[Portion {
                    span: marks[0].span,
                    primary: true,
                    label: Some("here"),
                }],
            ),
            false,
            false,
        );
        assert_eq!(shown[0], whole.text);
        assert!(shown[0].starts_with("...a") && shown[0].ends_with("b..."));
        let col = shown[0].find("seccomp").unwrap();
        assert_eq!(
            shown[1],
            format!("{}{} here", " ".repeat(col), "^".repeat(18))
        );
        // The context line is cut where the marked line is.
        assert_eq!(shown[2].find('x'), Some(col));
        assert_eq!(rows[2].number, Some(2));
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        assert_eq!(clean("a\x1b[31mb\u{202e}c"), "a\u{FFFD}[31mb\u{FFFD}c");
        assert_eq!(Cut::new("x\x1by", 0, false, false).text, "x\u{FFFD}y");
    }
}
