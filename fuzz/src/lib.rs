//! What the fuzz targets share: the file names a selector byte picks, the
//! scan of one in-memory file through [`seccheck::scan::scan_source`] (the
//! step `scan` and `scan -` run for every file, not a copy of it), every
//! report rendered from the result, and the checks that hold for any input.
//!
//! The harness adds nothing the command line would not do: the options are
//! the ones a user can set (`--enable k8s-seccomp-unset`, which parses every
//! Kubernetes workload, and `--include-docs`, which reads Markdown; with the
//! selector's high bit set, `seccheck inventory`, which parses every file
//! whether or not it holds a keyword and keeps its containers), and the
//! file is judged inside a directory of its own, so that the files it refers
//! to (`.env`, `extends`, profiles, includes) are looked up and not found, as
//! for a file alone in its repository. That directory holds a `Chart.yaml`
//! and nothing else, so that the Helm names of `names.txt` are read as a
//! chart's templates and values.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use clap::ValueEnum;
use seccheck::report::{self, Context, Format};
use seccheck::scan::{ScanOptions, ScanResult, scan_source};
use seccheck::source::Location;

/// Longest line the terminal report may print when the paths it names are
/// short: a header's message is clipped to 1,000 characters, source lines
/// to 100 columns around their marks, labels to 100 characters.
pub const HUMAN_LINE_CHARS: usize = 2_000;

/// The names a file target's selector byte picks from (see `names.txt`).
pub fn names(target: &str) -> Vec<&'static str> {
    include_str!("../names.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut fields = l.split_whitespace();
            (fields.next()? == target).then_some(())?;
            fields.next()
        })
        .collect()
}

/// The directory every fuzzed file is judged in (the same for every
/// process: its contents never change).
pub fn root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let dir = std::env::temp_dir().join("seccheck-fuzz-root");
        std::fs::create_dir_all(dir.join("chart/templates")).expect("fuzz root");
        std::fs::write(
            dir.join("chart/Chart.yaml"),
            "apiVersion: v2\nname: chart\nversion: 0.1.0\n",
        )
        .expect("Chart.yaml");
        dir.canonicalize().expect("fuzz root")
    })
}

/// The file target: the low seven bits of `data[0]` pick one of `target`'s
/// names, the high bit asks for the inventory, the rest is that file's
/// bytes. Scanned, every report rendered, every check made.
pub fn judge_file(target: &str, data: &[u8]) {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let names = names(target);
    let name = names[usize::from(selector & 0x7f) % names.len()];
    let path = root().join(name);
    let mut options = ScanOptions::new(vec![path.clone()]);
    options.enable = vec!["k8s-seccomp-unset".into()];
    options.include_docs = true;
    options.inventory = selector & 0x80 != 0;
    let result = scan_source(&path, bytes.to_vec(), &options);
    for f in &result.findings {
        check_location(&f.location);
        for r in &f.related {
            check_location(&r.location);
        }
        if let Some(s) = &f.suppression {
            check_location(&s.at);
        }
    }
    let ctx = Context::new(root().to_path_buf());
    render_all(&result, &ctx);
    if options.inventory {
        render_inventory(&result, &ctx);
    }
}

/// A finding marks bytes of the file it names: inside its text, on
/// character boundaries, start before end.
pub fn check_location(loc: &Location) {
    let text = &loc.source.text;
    let span = loc.span;
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{}: span {span:?} outside a text of {} bytes",
        loc.source.path.display(),
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{}: span {span:?} inside a character",
        loc.source.path.display()
    );
}

/// Renders `result` in every report format (each `--format`) and checks
/// what each promises whatever the input: SARIF, JSON and GitLab's Code
/// Quality report parse as JSON, a workflow command is one line, and the
/// terminal report's lines stay bounded and free of control characters.
pub fn render_all(result: &ScanResult, ctx: &Context) {
    for &format in Format::value_variants() {
        let mut out = Vec::new();
        report::write(format, &mut out, result, ctx).expect("writing to memory");
        let text = String::from_utf8(out).expect("reports are UTF-8");
        match format {
            Format::Sarif | Format::Json | Format::Gitlab => is_json(format, &text),
            Format::Github => {
                let shown = result
                    .findings
                    .iter()
                    .filter(|f| f.suppression.is_none())
                    .count();
                assert_eq!(
                    text.lines().count(),
                    shown + result.diagnostics.len(),
                    "one workflow command per finding and diagnostic"
                );
                assert!(text.lines().all(|l| l.starts_with("::")), "{text}");
            }
            Format::Human => for_a_terminal(&text, ctx.color),
            // A format added later is rendered, with no promise checked yet.
            #[allow(unreachable_patterns)]
            _ => {}
        }
    }
}

/// The inventory's reports (`seccheck inventory --format table|json|csv`).
pub fn render_inventory(result: &ScanResult, ctx: &Context) {
    let mut out = Vec::new();
    seccheck::inventory::table::write(&mut out, result, ctx).expect("writing to memory");
    for_a_terminal(&String::from_utf8(out).expect("UTF-8"), false);
    let mut out = Vec::new();
    seccheck::inventory::json::write(&mut out, result, ctx).expect("writing to memory");
    is_json("inventory", &String::from_utf8(out).expect("UTF-8"));
    let mut out = Vec::new();
    seccheck::inventory::csv::write(&mut out, result, ctx).expect("writing to memory");
    String::from_utf8(out).expect("UTF-8");
}

fn is_json(what: impl std::fmt::Debug, text: &str) {
    if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
        panic!("{what:?} report is not JSON: {e}");
    }
}

/// Terminal output: lines of bounded length (when the paths it names are
/// short), and no control character but colour escapes.
fn for_a_terminal(text: &str, color: bool) {
    for line in text.lines() {
        let chars = line.chars().count();
        assert!(
            chars <= HUMAN_LINE_CHARS,
            "a terminal line of {chars} characters"
        );
        assert!(
            !line
                .chars()
                .any(|c| c.is_control() && !(color && c == '\x1b')),
            "a control character reaches the terminal: {line:?}"
        );
    }
}
