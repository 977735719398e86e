//! nst/JSONTestSuite against the JSON reader ([`seccheck::formats::json`])
//! the way a scan meets a file: bytes through [`Reader::decode`] (size,
//! binary and UTF-8 checks, byte-order mark), then the parser, in each
//! engine's dialect: strict (Go's `encoding/json`, HCL's JSON), dockerd's
//! `daemon.json`, devcontainer.json (JSONC).
//!
//! `y_` must be accepted by all three. `n_` must be rejected as not valid,
//! with a position, by the UTF-8 check or the parser (a file the binary
//! check skips must still be rejected by the parser itself); except that
//! dockerd reads a file of whitespace only as an empty configuration,
//! JSONC allows comments and trailing commas, and for devcontainer.json any
//! other error is "seccheck could not read this file", since the
//! devcontainer CLI reads past syntax errors. `i_` cases may go either way;
//! their strict outcomes are listed below. No case may panic.

use std::collections::BTreeMap;
use std::path::Path;

use seccheck::diagnostic::Problem;
use seccheck::formats::json::{self, Dialect};
use seccheck::read::Reader;

/// `n_` cases that JSONC accepts: comments and trailing commas.
const JSONC_ACCEPTS: &[&str] = &[
    "n_array_extra_comma.json",
    "n_array_number_and_comma.json",
    "n_object_trailing_comma.json",
    "n_object_trailing_comment.json",
    "n_object_trailing_comment_slash_open.json",
    "n_structure_object_with_comment.json",
];

/// `n_` cases that dockerd reads as an empty configuration (after
/// `bytes.TrimSpace`; the byte-order mark is taken off before).
const DAEMON_EMPTY: &[&str] = &[
    "n_single_space.json",
    "n_structure_UTF8_BOM_no_data.json",
    "n_structure_no_data.json",
];

/// What a strict read makes of each `i_` case, and why.
const IMPLEMENTATION_DEFINED: &[(&str, &str)] = &[
    // Numbers beyond f64 are kept as written; Go fails only when it
    // decodes one into a number, which no setting seccheck reads is.
    ("i_number_double_huge_neg_exp.json", "accepted"),
    ("i_number_huge_exp.json", "accepted"),
    ("i_number_neg_int_huge_exp.json", "accepted"),
    ("i_number_pos_double_huge_exp.json", "accepted"),
    ("i_number_real_neg_overflow.json", "accepted"),
    ("i_number_real_pos_overflow.json", "accepted"),
    ("i_number_real_underflow.json", "accepted"),
    ("i_number_too_big_neg_int.json", "accepted"),
    ("i_number_too_big_pos_int.json", "accepted"),
    ("i_number_very_big_negative_int.json", "accepted"),
    // Lone or reversed surrogate escapes: Go decodes them to U+FFFD,
    // jsonc-parser refuses them, so seccheck says it could not read them.
    ("i_object_key_lone_2nd_surrogate.json", "could not read"),
    (
        "i_string_1st_surrogate_but_2nd_missing.json",
        "could not read",
    ),
    (
        "i_string_1st_valid_surrogate_2nd_invalid.json",
        "could not read",
    ),
    (
        "i_string_incomplete_surrogate_and_escape_valid.json",
        "could not read",
    ),
    ("i_string_incomplete_surrogate_pair.json", "could not read"),
    (
        "i_string_incomplete_surrogates_escape_valid.json",
        "could not read",
    ),
    ("i_string_invalid_lonely_surrogate.json", "could not read"),
    ("i_string_invalid_surrogate.json", "could not read"),
    (
        "i_string_inverted_surrogates_U+1D11E.json",
        "could not read",
    ),
    ("i_string_lone_second_surrogate.json", "could not read"),
    // Bytes that are not UTF-8 stop every format at the file reader.
    ("i_string_UTF-16LE_with_BOM.json", "binary"),
    ("i_string_UTF-8_invalid_sequence.json", "not UTF-8"),
    ("i_string_UTF8_surrogate_U+D800.json", "not UTF-8"),
    ("i_string_invalid_utf-8.json", "not UTF-8"),
    ("i_string_iso_latin_1.json", "not UTF-8"),
    ("i_string_lone_utf8_continuation_byte.json", "not UTF-8"),
    ("i_string_not_in_unicode_range.json", "not UTF-8"),
    ("i_string_overlong_sequence_2_bytes.json", "not UTF-8"),
    ("i_string_overlong_sequence_6_bytes.json", "not UTF-8"),
    ("i_string_overlong_sequence_6_bytes_null.json", "not UTF-8"),
    ("i_string_truncated-utf-8.json", "not UTF-8"),
    ("i_string_utf16BE_no_BOM.json", "binary"),
    ("i_string_utf16LE_no_BOM.json", "binary"),
    ("i_structure_500_nested_arrays.json", "accepted"),
    // The file reader takes the mark off for every format; the profile
    // reader refuses it where Go's decoder does.
    ("i_structure_UTF-8_BOM_empty_object.json", "accepted"),
];

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Accepted,
    /// Rejected as not valid JSON, at (line, column).
    NotValid(usize, usize),
    /// "seccheck could not read this file", at (line, column).
    Unreadable(usize, usize),
    NotUtf8(usize, usize),
    /// Skipped by the binary check; what the parser makes of it anyway.
    Binary(Box<Outcome>),
    Other(String),
}

impl Outcome {
    fn label(&self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::NotValid(..) => "not valid",
            Outcome::Unreadable(..) => "could not read",
            Outcome::NotUtf8(..) => "not UTF-8",
            Outcome::Binary(_) => "binary",
            Outcome::Other(_) => "other",
        }
    }

    /// Refused as the engine refuses it, with a position.
    fn not_valid(&self) -> bool {
        match self {
            Outcome::NotValid(..) | Outcome::NotUtf8(..) => true,
            Outcome::Binary(inner) => matches!(**inner, Outcome::NotValid(..)),
            _ => false,
        }
    }
}

fn outcome(path: &Path, dialect: Dialect) -> Outcome {
    let bytes = std::fs::read(path).unwrap();
    let reader = Reader::new(&[], u64::MAX);
    match reader.decode(path, bytes.clone()) {
        Ok(source) => parsed(&source.text, dialect),
        Err(Problem::NotUtf8 { position, .. }) => Outcome::NotUtf8(position.line, position.column),
        Err(Problem::Binary) => Outcome::Binary(Box::new(match String::from_utf8(bytes) {
            Ok(text) => parsed(&text, dialect),
            Err(_) => Outcome::Other("not UTF-8 either".into()),
        })),
        Err(other) => Outcome::Other(other.to_string()),
    }
}

fn parsed(text: &str, dialect: Dialect) -> Outcome {
    match json::parse(text, dialect) {
        Ok(_) => Outcome::Accepted,
        Err(e) => {
            assert!(e.offset <= text.len(), "offset {} past the end", e.offset);
            let at = seccheck::source::LineIndex::new(text).position(text, e.offset);
            match e.problem(dialect) {
                Problem::Unreadable(_) => Outcome::Unreadable(at.line, at.column),
                _ => Outcome::NotValid(at.line, at.column),
            }
        }
    }
}

fn expected(name: &str, dialect: Dialect, o: &Outcome) -> bool {
    match (&name[..2], dialect) {
        ("y_", _) => *o == Outcome::Accepted,
        ("n_", Dialect::DaemonConfig) if DAEMON_EMPTY.contains(&name) => *o == Outcome::Accepted,
        ("n_", Dialect::Devcontainer) if JSONC_ACCEPTS.contains(&name) => *o == Outcome::Accepted,
        ("n_", Dialect::Devcontainer) => match o {
            Outcome::Unreadable(..) => true,
            Outcome::Binary(inner) => matches!(**inner, Outcome::Unreadable(..)) || o.not_valid(),
            _ => o.not_valid(),
        },
        ("n_", _) => o.not_valid(),
        _ => true,
    }
}

#[test]
fn json_test_suite() {
    let root = super::suite_dir("json");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(names.len() > 300, "suite data missing: {}", names.len());

    let dialects = [
        Dialect::Strict,
        Dialect::DaemonConfig,
        Dialect::Devcontainer,
    ];
    let mut wrong: BTreeMap<String, String> = BTreeMap::new();
    let mut implementation: Vec<(String, &'static str)> = Vec::new();
    let mut counts: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    for name in &names {
        let path = root.join(name);
        for dialect in dialects {
            let Ok(o) = std::panic::catch_unwind(|| outcome(&path, dialect)) else {
                wrong.insert(format!("{name} ({dialect:?})"), "panicked".into());
                continue;
            };
            let ok = expected(name, dialect, &o);
            if name.starts_with("i_") && dialect == Dialect::Strict {
                implementation.push((name.clone(), o.label()));
            }
            let entry = counts
                .entry((name[..1].to_string(), format!("{dialect:?}")))
                .or_default();
            entry.1 += 1;
            if ok {
                entry.0 += 1;
            } else {
                wrong.insert(format!("{name} ({dialect:?})"), format!("{o:?}"));
            }
        }
    }
    for ((kind, dialect), (ok, all)) in &counts {
        println!("JSONTestSuite {kind}_ as {dialect}: {ok}/{all} as expected");
    }
    for (name, why) in &wrong {
        println!("  differs: {name}: {why}");
    }
    assert!(wrong.is_empty(), "{} cases differ", wrong.len());
    let listed: BTreeMap<String, &str> = IMPLEMENTATION_DEFINED
        .iter()
        .map(|&(n, o)| (n.to_string(), o))
        .collect();
    let implementation: BTreeMap<String, &str> = implementation.into_iter().collect();
    assert_eq!(
        implementation, listed,
        "strict outcomes of i_ cases changed"
    );
}
