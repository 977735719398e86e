//! BuildKit's word-level rules for instruction arguments, applied to a
//! joined instruction ([`Mapped`]) so that every result keeps its file
//! offsets.
//!
//! Each function follows one function of BuildKit's Dockerfile frontend
//! (`frontend/dockerfile/parser` and `frontend/dockerfile/shell`):
//! [`builder_flags`] is `extractBuilderFlags`, [`label_words`] is
//! `parseWords`, [`unquote`] is the lexer's `ProcessWord` (what `LABEL`
//! keys and values go through at dispatch), [`heredoc_words`] and
//! [`heredoc_name`] are `heredocsFromLine`/`ParseHeredoc`, and
//! [`exec_form`] is `parseJSON`. Whitespace is ASCII whitespace: BuildKit
//! tests bytes with `unicode.IsSpace`, which would also split inside a
//! multi-byte character (0x85, 0xA0), a case no real Dockerfile relies on.

use crate::cmdline::Mapped;

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// A builder flag (`--security=insecure`) as BuildKit reads it: quotes and
/// backslashes removed, a value given as the next word joined with `=`.
#[derive(Debug)]
pub struct Flag {
    pub text: String,
    /// Where it is written in the joined text, value included.
    pub start: usize,
    pub end: usize,
}

#[derive(PartialEq)]
enum Phase {
    Spaces,
    Word,
    Quote(u8),
}

/// The flags at the start of `text[from..to]` and the offset where the
/// instruction's arguments begin (`extractBuilderFlags`: words that start
/// with `--`, ended by the first other word or by `--`). A flag written
/// without `=` takes the next word as its value, until a flag with `=` has
/// been seen, exactly as BuildKit's loop does.
pub fn builder_flags(text: &str, from: usize, to: usize) -> (Vec<Flag>, usize) {
    let b = &text.as_bytes()[..to];
    let mut flags: Vec<Flag> = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word: Vec<u8> = Vec::new();
    let mut blank_ok = false;
    let mut parsing_arg = false;
    let mut need_arg = true;
    let mut word_start = from;
    let mut pos = from;
    let finish = |word: &[u8]| String::from_utf8_lossy(word).into_owned();
    loop {
        let at_end = pos >= to;
        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if is_space(b[pos]) {
                pos += 1;
                continue;
            }
            if !parsing_arg && (b[pos] != b'-' || pos + 1 == to || b[pos + 1] != b'-') {
                return (flags, pos);
            }
            phase = Phase::Word;
            word_start = pos;
        }
        if at_end {
            if word != b"--" && (blank_ok || !word.is_empty()) {
                flags.push(Flag {
                    text: finish(&word),
                    start: word_start,
                    end: pos,
                });
            }
            break;
        }
        let ch = b[pos];
        match phase {
            Phase::Word => {
                if is_space(ch) {
                    phase = Phase::Spaces;
                    if parsing_arg {
                        if let Some(last) = flags.last_mut() {
                            last.text.push('=');
                            last.text.push_str(&finish(&word));
                            last.end = pos;
                        }
                        parsing_arg = false;
                        need_arg = true;
                    } else {
                        if word == b"--" {
                            return (flags, pos);
                        }
                        if blank_ok || !word.is_empty() {
                            parsing_arg = need_arg;
                            flags.push(Flag {
                                text: finish(&word),
                                start: word_start,
                                end: pos,
                            });
                        }
                    }
                    word.clear();
                    blank_ok = false;
                    pos += 1;
                    continue;
                }
                if ch == b'=' && need_arg {
                    need_arg = false;
                }
                if ch == b'\'' || ch == b'"' {
                    phase = Phase::Quote(ch);
                    blank_ok = true;
                    pos += 1;
                    continue;
                }
                if ch == b'\\' {
                    if pos + 1 == to {
                        pos += 1;
                        continue;
                    }
                    pos += 1;
                }
                word.push(b[pos]);
                pos += 1;
            }
            Phase::Quote(q) => {
                if ch == q {
                    phase = Phase::Word;
                    pos += 1;
                    continue;
                }
                if ch == b'\\' {
                    if pos + 1 == to {
                        phase = Phase::Word;
                        pos += 1;
                        continue;
                    }
                    pos += 1;
                }
                word.push(b[pos]);
                pos += 1;
            }
            Phase::Spaces => unreachable!("handled above"),
        }
    }
    (flags, to)
}

/// The words of `text[from..to]` as BuildKit's `parseWords` splits `LABEL`
/// and `ENV` arguments: at whitespace outside quotes, quotes and escapes
/// kept in the word. Returned as ranges of `text`.
pub fn label_words(text: &str, from: usize, to: usize, escape: char) -> Vec<(usize, usize)> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut chars = text[from..to].char_indices().map(|(i, c)| (from + i, c));
    while let Some((i, c)) = chars.next() {
        match quote {
            None if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    words.push((s, i));
                }
            }
            None => {
                start.get_or_insert(i);
                if c == '\'' || c == '"' {
                    quote = Some(c);
                } else if c == escape {
                    chars.next();
                }
            }
            Some(q) => {
                if c == q {
                    quote = None;
                } else if c == escape && q != '\'' {
                    chars.next();
                }
            }
        }
    }
    if let Some(s) = start {
        words.push((s, to));
    }
    words
}

/// `text[from..to]` with quotes and escapes removed as BuildKit's lexer
/// (`ProcessWord`) removes them from a `LABEL` key or value: single quotes
/// keep everything, double quotes let the escape character escape only `"`,
/// `$` and itself, and outside quotes it escapes any character. `$VAR` is
/// kept as written (a static scan does not know build arguments). `None`
/// for an unterminated quote, which BuildKit rejects.
pub fn unquote(m: &Mapped, from: usize, to: usize, escape: char) -> Option<Mapped> {
    let text = m.text();
    let mut out = Mapped::new();
    let mut chars = text[from..to]
        .char_indices()
        .map(|(i, c)| (from + i, c))
        .peekable();
    let one = |i: usize, c: char| i..i + c.len_utf8();
    while let Some((i, c)) = chars.next() {
        if c == escape {
            match chars.next() {
                Some((j, n)) => out.push_mapped(m, one(j, n)),
                None => break,
            }
        } else if c == '\'' {
            loop {
                match chars.next() {
                    Some((_, '\'')) => break,
                    Some((j, n)) => out.push_mapped(m, one(j, n)),
                    None => return None,
                }
            }
        } else if c == '"' {
            loop {
                match chars.next() {
                    Some((_, '"')) => break,
                    Some((j, n)) if n == escape => match chars.peek() {
                        Some(&(k, p)) if p == '"' || p == '$' || p == escape => {
                            chars.next();
                            out.push_mapped(m, one(k, p));
                        }
                        Some(_) => out.push_mapped(m, one(j, n)),
                        None => return None,
                    },
                    Some((j, n)) => out.push_mapped(m, one(j, n)),
                    None => return None,
                }
            }
        } else {
            out.push_mapped(m, one(i, c));
        }
    }
    Some(out)
}

/// The words of a joined instruction as `heredocsFromLine` sees them (the
/// shell lexer with raw quotes and escapes, escape character `\`), as ranges.
pub fn heredoc_words(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if (b[i] as char).is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !(b[i] as char).is_ascii_whitespace() {
            match b[i] {
                b'\\' => i += 2,
                q @ (b'\'' | b'"') => {
                    i += 1;
                    while i < b.len() && b[i] != q {
                        i += if q == b'"' && b[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
                _ => i += 1,
            }
        }
        let end = i.min(b.len());
        words.push((start, end));
        i = end;
    }
    words
}

/// A here-document opened by `word` (`<<EOF`, `<<-'EOF'`, `3<<"EOF"`), as
/// `ParseHeredoc` matches `^(\d*)<<(-?)([^<]*)$`: the delimiter with quotes
/// removed, and whether leading tabs are stripped (`<<-`).
pub fn heredoc_name(word: &str) -> Option<(String, bool)> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let rest = word[digits..].strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    // `ProcessWords` must give exactly one word.
    let mut name = String::new();
    let mut chars = rest.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, c) if c.is_whitespace() => return None,
            (Some('\''), c) => name.push(c),
            (_, '\\') => name.extend(chars.next()),
            (_, c) => name.push(c),
        }
    }
    if quote.is_some() || name.is_empty() {
        return None;
    }
    Some((name, chomp))
}

/// What `parseMaybeJSON` makes of an instruction's arguments.
pub enum Form {
    /// A JSON array of strings: each element with its file offsets.
    Exec(Vec<Mapped>),
    /// A JSON array holding something else: BuildKit rejects the file.
    NotStrings,
    /// Anything else is a command line for the shell.
    Shell,
}

/// Reads `m.text()[from..]` as BuildKit reads exec form: the first JSON
/// value, if it is an array (trailing text is ignored, as Go's decoder
/// does). Strings are unescaped character by character so that a value
/// inside the JSON string keeps its place in the file.
pub fn exec_form(m: &Mapped, from: usize) -> Form {
    let text = &m.text()[from..];
    let trimmed = text.trim_start();
    if !trimmed.starts_with('[') {
        return Form::Shell;
    }
    let first = serde_json::Deserializer::from_str(trimmed)
        .into_iter::<serde_json::Value>()
        .next();
    let Some(Ok(serde_json::Value::Array(items))) = first else {
        return Form::Shell;
    };
    if !items.iter().all(serde_json::Value::is_string) {
        return Form::NotStrings;
    }
    let start = from + (text.len() - trimmed.len());
    let strings = json_strings(m, start, items.len());
    let same = strings.len() == items.len()
        && strings
            .iter()
            .zip(&items)
            .all(|(s, v)| v.as_str() == Some(s.text()));
    if same {
        Form::Exec(strings)
    } else {
        Form::Shell
    }
}

/// The first `count` JSON strings after the `[` at `start`, unescaped with
/// offsets (the array is known to be valid and to hold only strings).
fn json_strings(m: &Mapped, start: usize, count: usize) -> Vec<Mapped> {
    let text = m.text();
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(count);
    let mut i = start + 1;
    while out.len() < count && i < b.len() {
        if b[i] != b'"' {
            i += 1;
            continue;
        }
        i += 1;
        let mut s = Mapped::new();
        while i < b.len() && b[i] != b'"' {
            if b[i] != b'\\' {
                let len = text[i..].chars().next().map_or(1, char::len_utf8);
                s.push_mapped(m, i..i + len);
                i += len;
                continue;
            }
            let Some(&e) = b.get(i + 1) else { break };
            let simple = match e {
                b'"' | b'\\' | b'/' => {
                    s.push_mapped(m, i + 1..i + 2);
                    None
                }
                b'b' => Some('\u{8}'),
                b'f' => Some('\u{c}'),
                b'n' => Some('\n'),
                b'r' => Some('\r'),
                b't' => Some('\t'),
                _ => None,
            };
            if let Some(c) = simple {
                s.push_synthetic(c.encode_utf8(&mut [0; 4]), m.offset(i));
            }
            if e != b'u' {
                i += 2;
                continue;
            }
            let (c, len) = unicode_escape(&text[i..]);
            s.push_synthetic(c.encode_utf8(&mut [0; 4]), m.offset(i));
            i += len;
        }
        i += 1;
        out.push(s);
    }
    out
}

/// `\uXXXX`, or a surrogate pair `\uD83D\uDE00`: the character and the
/// escape's length.
fn unicode_escape(s: &str) -> (char, usize) {
    let hex = |at: usize| {
        s.get(at..at + 4)
            .and_then(|h| u32::from_str_radix(h, 16).ok())
    };
    let Some(high) = hex(2) else {
        return (char::REPLACEMENT_CHARACTER, 2);
    };
    if (0xD800..0xDC00).contains(&high)
        && s.get(6..8) == Some("\\u")
        && let Some(low) = hex(8).filter(|l| (0xDC00..0xE000).contains(l))
    {
        let c = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
        return (char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER), 12);
    }
    (
        char::from_u32(high).unwrap_or(char::REPLACEMENT_CHARACTER),
        6,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapped(s: &str) -> Mapped {
        Mapped::of_file(s, 0..s.len())
    }

    #[test]
    fn flags_end_at_the_first_other_word() {
        let t = "--mount=type=cache,target=/x --security=\"insecure\" apk add";
        let (flags, args) = builder_flags(t, 0, t.len());
        assert_eq!(flags.len(), 2);
        assert_eq!(flags[1].text, "--security=insecure");
        assert_eq!(&t[flags[1].start..flags[1].end], "--security=\"insecure\"");
        assert_eq!(&t[args..], "apk add");
        // A quoted word is not a flag: the command starts there.
        let t = "\"--security=insecure\" apk";
        assert!(builder_flags(t, 0, t.len()).0.is_empty());
        // A value as the next word, while no flag had `=`.
        let t = "--security insecure echo";
        let (flags, args) = builder_flags(t, 0, t.len());
        assert_eq!(flags[0].text, "--security=insecure");
        assert_eq!(&t[flags[0].start..flags[0].end], "--security insecure");
        assert_eq!(&t[args..], "echo");
        let t = "-- --security=insecure";
        let (flags, args) = builder_flags(t, 0, t.len());
        assert!(flags.is_empty());
        assert_eq!(&t[args..], " --security=insecure");
    }

    #[test]
    fn label_words_and_their_unquoted_values() {
        let t = r#"RUN="docker run \"x\" --privileged" a='b c' d=e\ f"#;
        let words = label_words(t, 0, t.len(), '\\');
        let raw: Vec<_> = words.iter().map(|&(s, e)| &t[s..e]).collect();
        assert_eq!(
            raw,
            [
                r#"RUN="docker run \"x\" --privileged""#,
                "a='b c'",
                r"d=e\ f"
            ]
        );
        let m = mapped(t);
        let (s, e) = words[0];
        let v = unquote(&m, s + 4, e, '\\').unwrap();
        assert_eq!(v.text(), r#"docker run "x" --privileged"#);
        assert_eq!(&t[v.span(15, 27).range()], "--privileged");
        assert_eq!(
            unquote(&m, words[2].0 + 2, words[2].1, '\\')
                .unwrap()
                .text(),
            "e f"
        );
        assert!(unquote(&mapped("'open"), 0, 5, '\\').is_none());
    }

    #[test]
    fn heredoc_delimiters() {
        assert_eq!(heredoc_name("<<EOF"), Some(("EOF".into(), false)));
        assert_eq!(heredoc_name("<<-'EOT'"), Some(("EOT".into(), true)));
        assert_eq!(heredoc_name("3<<\"x\""), Some(("x".into(), false)));
        assert_eq!(heredoc_name("<<"), None);
        assert_eq!(heredoc_name("<<<word"), None);
        assert_eq!(heredoc_name("\"<<EOF\""), None);
        let line = r#"RUN cat <<'A' "<<B" x\ <<C"#;
        let words: Vec<_> = heredoc_words(line)
            .into_iter()
            .map(|(s, e)| &line[s..e])
            .collect();
        assert_eq!(words, ["RUN", "cat", "<<'A'", "\"<<B\"", r"x\ <<C"]);
    }

    #[test]
    fn exec_form_strings_keep_their_offsets() {
        let t = r#"  ["docker", "run", "--security-opt=\"seccomp=unconfined\"", "x\u0041"]"#;
        let Form::Exec(words) = exec_form(&mapped(t), 0) else {
            panic!("not exec form")
        };
        assert_eq!(words[2].text(), r#"--security-opt="seccomp=unconfined""#);
        assert_eq!(&t[words[2].span(16, 34).range()], "seccomp=unconfined");
        assert_eq!(words[3].text(), "xA");
        assert!(matches!(
            exec_form(&mapped("[\"a\", 1]"), 0),
            Form::NotStrings
        ));
        assert!(matches!(exec_form(&mapped("['a']"), 0), Form::Shell));
        assert!(matches!(exec_form(&mapped("echo [x]"), 0), Form::Shell));
    }
}
