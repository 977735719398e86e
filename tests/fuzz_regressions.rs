//! Inputs found by fuzzing (`fuzz/`, README "Fuzzing") whose failure runs
//! through several modules, read end to end as `scan -` reads a file and
//! rendered in every report format. Failures inside one module are unit
//! tests there (the `fuzz_regressions` modules).

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use seccheck::report::{self, Context, Format};
use seccheck::scan::{ScanOptions, ScanResult, scan_source};

fn scan(name: &str, text: &str) -> ScanResult {
    let path = Path::new(name);
    let options = ScanOptions::new(vec![path.to_path_buf()]);
    scan_source(path, text.as_bytes().to_vec(), &options)
}

fn render(result: &ScanResult, format: Format) -> String {
    let mut out = Vec::new();
    report::write(
        format,
        &mut out,
        result,
        &Context::new(PathBuf::from("/nonexistent")),
    )
    .unwrap();
    String::from_utf8(out).unwrap()
}

/// Thousands of findings on one long line (a minified script): every
/// position used to be counted from the start of the line, and the
/// terminal report walked the whole line for each finding, so the reports
/// took time quadratic in the line (a 432 KB line with 16,000 findings:
/// 4 s for SARIF, 37 s for the terminal report; a 1 MB line, minutes).
/// The columns stay exact past the line index's checkpoints.
#[test]
fn thousands_of_findings_on_one_long_line() {
    let unit = "docker run --privileged é😀; ";
    let n = 4_000;
    let text = format!("{}\n", unit.repeat(n));
    let result = scan("minified.sh", &text);
    assert_eq!(result.findings.len(), n);
    let last = &result.findings[n - 1];
    assert_eq!(last.rule.id, "privileged-container");
    let at = (n - 1) * unit.len() + "docker run ".len();
    assert_eq!(last.location.span.start, at);
    let utf16 = |s: &str| s.encode_utf16().count();
    let start = last.location.start();
    assert_eq!(
        (start.line, start.column),
        (1, (n - 1) * utf16(unit) + "docker run ".len() + 1)
    );
    let chars_before = (n - 1) * unit.chars().count() + "docker run ".len();
    for &format in Format::value_variants() {
        let out = render(&result, format);
        match format {
            Format::Human => {
                assert!(out.contains(&format!("minified.sh:1:{}", chars_before + 1)));
                assert!(out.lines().all(|l| l.chars().count() < 400));
            }
            Format::Github => assert_eq!(out.lines().count(), n),
            _ => {
                let json: serde_json::Value = serde_json::from_str(&out).unwrap();
                assert!(!json.is_null());
            }
        }
    }
}

/// A diagnostic that quotes the file (a profile whose syscall name holds a
/// DEL) reached the terminal raw through the inventory table, which
/// printed diagnostics without the terminal report's cleaning (found by
/// the `json` target in inventory mode).
#[test]
fn inventory_table_diagnostics_carry_no_control_characters() {
    let text = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"s390_runtime\u{7f}instr\"], \"action\": \"SCMP_ACT_ALLOW\"}]}\n";
    let path = Path::new("profiles/seccomp.json");
    let mut options = ScanOptions::new(vec![path.to_path_buf()]);
    options.inventory = true;
    let result = scan_source(path, text.as_bytes().to_vec(), &options);
    assert!(
        result
            .diagnostics
            .iter()
            .any(|d| d.problem.to_string().contains('\u{7f}')),
        "{:?}",
        result.diagnostics
    );
    let mut out = Vec::new();
    seccheck::inventory::table::write(
        &mut out,
        &result,
        &Context::new(PathBuf::from("/nonexistent")),
    )
    .unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("not a syscall name"), "{out}");
    for line in out.lines() {
        assert!(!line.chars().any(char::is_control), "{line:?}");
    }
    for format in Format::value_variants() {
        let text = render(&result, *format);
        if *format == Format::Human {
            assert!(
                !text.lines().any(|l| l.chars().any(char::is_control)),
                "{text}"
            );
        }
    }
}
