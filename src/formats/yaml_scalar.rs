//! A YAML scalar's value as a program receives it, each byte mapped back to
//! the file ([`Mapped`]).
//!
//! A CI runner gets the scalar's value, not its bytes: a `>-` scalar is
//! folded into one line, a `|` block loses its indentation (so a
//! here-document's delimiter stands at the start of its line), CRLF line
//! breaks become `\n`, quoted scalars lose their quotes and escapes. The
//! shell reader must split that value, or a folded `docker run` becomes
//! three commands and an indented `EOF` never ends its here-document. The
//! rules are YAML 1.2's (§7.3 flow scalar folding, §8.1 block scalars:
//! indentation, literal line breaks, folding between lines that are not
//! more indented, chomping). The result is checked against the value the
//! YAML parser produced; in the rare case they differ (a form not rebuilt
//! here), the scalar's bytes are used as before.

use crate::cmdline::Mapped;
use crate::yaml::YamlRef;
use granit_parser::ScalarStyle;

/// The value of scalar `node` of `text`, with file offsets; `None` for a
/// mapping, sequence or null.
pub fn value(text: &str, node: YamlRef<'_>) -> Option<Mapped> {
    let parsed = node.as_str()?;
    let span = node.span();
    let raw = &text[span.range()];
    if raw == parsed {
        return Some(Mapped::of_file(text, span.range()));
    }
    let built = match node.style()? {
        ScalarStyle::Literal => block(text, span.start, span.end, parsed, false),
        ScalarStyle::Folded => block(text, span.start, span.end, parsed, true),
        ScalarStyle::Plain => flow(text, span.start, span.end, Quoting::Plain),
        ScalarStyle::SingleQuoted => flow(text, span.start, span.end, Quoting::Single),
        ScalarStyle::DoubleQuoted => flow(text, span.start, span.end, Quoting::Double),
    };
    Some(if built.text() == parsed {
        built
    } else {
        Mapped::of_file(text, span.range())
    })
}

/// The lines of `text[start..end]`: `(start, end)` of each, without `\n`
/// or the `\r` of a CRLF.
fn lines(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = start;
    while at < end {
        let nl = text[at..end].find('\n').map_or(end, |n| at + n);
        let content_end = if text[at..nl].ends_with('\r') {
            nl - 1
        } else {
            nl
        };
        out.push((at, content_end));
        at = nl + 1;
    }
    if text[start..end].ends_with('\n') {
        out.push((end, end));
    }
    out
}

/// A literal (`|`) or folded (`>`) block scalar whose content starts at
/// `start` (the first content character, after the block's indentation).
fn block(text: &str, start: usize, end: usize, parsed: &str, folded: bool) -> Mapped {
    let line_start = text[..start].rfind('\n').map_or(0, |n| n + 1);
    let lines = lines(text, start, end);
    let mut indent = start - line_start;
    if lines.first().is_some_and(|&(s, e)| s == e) {
        indent = lines
            .iter()
            .skip(1)
            .map(|&(s, e)| &text[s..e])
            .find(|l| !l.trim().is_empty())
            .map_or(0, |l| l.len() - l.trim_start_matches(' ').len());
    }
    // Each line without the indentation; `None` for an empty line.
    let content: Vec<Option<(usize, usize)>> = lines
        .iter()
        .enumerate()
        .map(|(i, &(s, e))| {
            let s = if i == 0 {
                s
            } else {
                s + text[s..e]
                    .bytes()
                    .take(indent)
                    .take_while(|&b| b == b' ')
                    .count()
            };
            (s < e).then_some((s, e))
        })
        .collect();
    let last = content.iter().rposition(Option::is_some);
    let mut out = Mapped::new();
    let Some(last) = last else {
        return out;
    };
    let more_indented = |(s, _): (usize, usize)| text[s..].starts_with([' ', '\t']);
    let mut previous: Option<(usize, usize)> = None;
    let mut empty = 0usize;
    for &line in &content[..=last] {
        let Some(line) = line else {
            empty += 1;
            continue;
        };
        if let Some(prev) = previous {
            let at = prev.1;
            if folded && !more_indented(prev) && !more_indented(line) {
                if empty == 0 {
                    out.push_synthetic(" ", at);
                } else {
                    out.push_synthetic(&"\n".repeat(empty), at);
                }
            } else {
                out.push_synthetic(&"\n".repeat(empty + 1), at);
            }
        } else if empty > 0 {
            out.push_synthetic(&"\n".repeat(empty), line.0);
        }
        out.push_file(text, line.0..line.1);
        previous = Some(line);
        empty = 0;
    }
    // Chomping decides the final line breaks; the parser's value says which.
    let breaks = parsed.len() - parsed.trim_end_matches('\n').len();
    let at = previous.map_or(start, |p| p.1);
    out.push_synthetic(&"\n".repeat(breaks), at);
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Quoting {
    Plain,
    Single,
    Double,
}

/// A plain or quoted scalar (quotes already outside `start..end`): lines
/// folded (a single line break is a space, `n` empty lines are `n` line
/// breaks, blanks around breaks dropped), `''` and backslash escapes undone.
fn flow(text: &str, start: usize, end: usize, quoting: Quoting) -> Mapped {
    let lines = lines(text, start, end);
    let count = lines.len();
    let mut out = Mapped::new();
    let mut empty = 0usize;
    let mut previous_end: Option<usize> = None;
    let mut joined = false;
    for (i, &(s, e)) in lines.iter().enumerate() {
        let mut s = s;
        let mut e = e;
        if i > 0 {
            s += text[s..e].len() - text[s..e].trim_start_matches([' ', '\t']).len();
        }
        // A double-quoted line ending in an odd backslash joins the next line.
        let escaped_break = quoting == Quoting::Double
            && i + 1 < count
            && text[s..e].bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1;
        if i + 1 < count && !escaped_break {
            e = s + text[s..e].trim_end_matches([' ', '\t']).len();
        }
        if s == e && i > 0 && i + 1 < count {
            empty += 1;
            continue;
        }
        if let Some(at) = previous_end {
            if joined {
                // An escaped line break: nothing in between.
            } else if empty == 0 {
                out.push_synthetic(" ", at);
            } else {
                out.push_synthetic(&"\n".repeat(empty), at);
            }
        }
        let body_end = if escaped_break { e - 1 } else { e };
        unescape(text, s, body_end, quoting, &mut out);
        previous_end = Some(e);
        joined = escaped_break;
        empty = 0;
    }
    out
}

fn unescape(text: &str, start: usize, end: usize, quoting: Quoting, out: &mut Mapped) {
    let b = text.as_bytes();
    let mut i = start;
    while i < end {
        match (quoting, b[i]) {
            (Quoting::Single, b'\'') if b.get(i + 1) == Some(&b'\'') => {
                out.push_file(text, i + 1..i + 2);
                i += 2;
            }
            (Quoting::Double, b'\\') if i + 1 < end => {
                let e = b[i + 1];
                let simple = match e {
                    b'0' => Some('\0'),
                    b'a' => Some('\u{7}'),
                    b'b' => Some('\u{8}'),
                    b't' | b'\t' => Some('\t'),
                    b'n' => Some('\n'),
                    b'v' => Some('\u{b}'),
                    b'f' => Some('\u{c}'),
                    b'r' => Some('\r'),
                    b'e' => Some('\u{1b}'),
                    b'N' => Some('\u{85}'),
                    b'_' => Some('\u{a0}'),
                    b'L' => Some('\u{2028}'),
                    b'P' => Some('\u{2029}'),
                    _ => None,
                };
                if let Some(c) = simple {
                    out.push_synthetic(c.encode_utf8(&mut [0; 4]), i);
                    i += 2;
                    continue;
                }
                let digits = match e {
                    b'x' => 2,
                    b'u' => 4,
                    b'U' => 8,
                    _ => 0,
                };
                if digits == 0 {
                    // `\"`, `\\`, `\/`, `\ `: the character itself.
                    let len = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                    out.push_file(text, i + 1..i + 1 + len);
                    i += 1 + len;
                    continue;
                }
                let c = text
                    .get(i + 2..i + 2 + digits)
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32)
                    .unwrap_or(char::REPLACEMENT_CHARACTER);
                out.push_synthetic(c.encode_utf8(&mut [0; 4]), i);
                i += 2 + digits;
            }
            _ => {
                let len = text[i..].chars().next().map_or(1, char::len_utf8);
                out.push_file(text, i..i + len);
                i += len;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::Yaml;

    /// The value of `key` in a one-document YAML text, rebuilt.
    fn rebuilt(src: &str, key: &str) -> (String, Mapped) {
        let yaml = Yaml::parse(src);
        assert!(yaml.errors.is_empty(), "{:?}", yaml.errors);
        let node = yaml.roots().next().unwrap().get(key).unwrap();
        let m = value(src, node).unwrap();
        // Rebuilt, not the fallback: the value differs from the raw bytes.
        (node.as_str().unwrap().to_string(), m)
    }

    #[test]
    fn folded_scalar_is_one_line_and_ends_on_its_own_line() {
        let src = "run: >-\n  docker run\n  --privileged\n  alpine\n\nnext: 1\n";
        let (parsed, m) = rebuilt(src, "run");
        assert_eq!(m.text(), parsed);
        assert_eq!(m.text(), "docker run --privileged alpine");
        let at = m.text().find("alpine").unwrap();
        let span = m.span(at, at + 6);
        assert_eq!(&src[span.range()], "alpine");
        let crlf = src.replace('\n', "\r\n");
        let (parsed, m) = rebuilt(&crlf, "run");
        assert_eq!(m.text(), parsed);
    }

    #[test]
    fn literal_block_loses_its_indentation() {
        let src = "run: |\n  cat <<EOF\n  docker run --privileged x\n  EOF\n    indented\n\n  last\nnext: 1\n";
        let (parsed, m) = rebuilt(src, "run");
        assert_eq!(m.text(), parsed);
        assert!(m.text().contains("\nEOF\n"));
        let src = "run: |2\n    two extra\n  base\n";
        let (parsed, m) = rebuilt(src, "run");
        assert_eq!(m.text(), parsed);
    }

    #[test]
    fn folded_keeps_more_indented_lines_and_empty_lines() {
        let src = "run: >\n  a\n  b\n\n  c\n    d\n  e\n";
        let (parsed, m) = rebuilt(src, "run");
        assert_eq!(m.text(), parsed);
    }

    #[test]
    fn flow_scalars_fold_and_unescape() {
        for src in [
            "run: docker run\n  --privileged x\n",
            "run: 'it''s\n\n  a  \n  b'\n",
            "run: \"docker run \\\n    --privileged \\\"x\\\" \\t \\u00e9\"\n",
        ] {
            let (parsed, m) = rebuilt(src, "run");
            assert_eq!(m.text(), parsed, "{src:?}");
        }
        let src = "run: \"a \\\"b\\\"\"\n";
        let (_, m) = rebuilt(src, "run");
        let at = m.text().find('b').unwrap();
        assert_eq!(&src[m.span(at - 1, at + 2).range()], "\"b\\\"");
    }
}
