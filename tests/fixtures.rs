//! Every folder under `testdata/` that holds an `expected.txt` is scanned,
//! and its findings and diagnostics must match that file exactly: rule,
//! file, start line and column, end line and column. Nothing missing,
//! nothing extra.
//!
//! `expected.txt` lines (paths relative to the folder, `#` starts a comment):
//!
//! ```text
//! seccomp-unconfined anchors.yaml:3:7-3:25
//! diagnostic error broken.yaml:2:9
//! diagnostic notice big.yaml
//! ```
//! Findings that a suppression comment silences are listed as
//! `suppressed <rule> <file>:<line>:<col>-<line>:<col>`.
//! Scan options for a folder can be given on a first line
//! `# options: --enable k8s-seccomp-unset`.

use std::path::{Path, PathBuf};

use seccheck::scan::{ScanOptions, scan};

fn fixture_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut dirs = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        if dir.join("expected.txt").is_file() {
            dirs.push(dir.clone());
        }
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() && !path.is_symlink() {
                stack.push(path);
            }
        }
    }
    dirs.sort();
    dirs
}

fn actual(dir: &Path, options_line: &str) -> Vec<String> {
    let mut options = ScanOptions::new(vec![dir.to_path_buf()]);
    let mut words = options_line.split_whitespace();
    while let Some(w) = words.next() {
        match w {
            "--enable" => options.enable.push(words.next().unwrap().to_string()),
            "--disable" => options.disable.push(words.next().unwrap().to_string()),
            "--no-ignore" => options.no_ignore = true,
            "--include-docs" => options.include_docs = true,
            other => panic!("unknown option {other} in {}", dir.display()),
        }
    }
    let result = scan(&options);
    let rel = |p: &Path| {
        p.strip_prefix(dir)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let mut lines = Vec::new();
    for f in &result.findings {
        let (s, e) = f.location.source.region(f.location.span);
        let prefix = if f.suppression.is_some() {
            "suppressed "
        } else {
            ""
        };
        lines.push(format!(
            "{prefix}{} {}:{}:{}-{}:{}",
            f.rule.id,
            rel(&f.location.source.path),
            s.line,
            s.column,
            e.line,
            e.column
        ));
    }
    for d in &result.diagnostics {
        let sev = match d.severity() {
            seccheck::diagnostic::Severity::Error => "error",
            seccheck::diagnostic::Severity::Notice => "notice",
        };
        let pos = d
            .position
            .map(|p| format!(":{}:{}", p.line, p.column))
            .unwrap_or_default();
        lines.push(format!("diagnostic {sev} {}{pos}", rel(&d.path)));
    }
    lines.sort();
    lines
}

#[test]
fn every_fixture_folder_matches_its_expectations() {
    let dirs = fixture_dirs();
    assert!(!dirs.is_empty(), "no testdata folders with expected.txt");
    let mut failures = Vec::new();
    for dir in dirs {
        let text = std::fs::read_to_string(dir.join("expected.txt")).unwrap();
        let options = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# options:"))
            .unwrap_or("");
        let mut expected: Vec<String> = text
            .lines()
            .map(|l| l.split(" #").next().unwrap().trim())
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect();
        expected.sort();
        let actual = actual(&dir, options);
        if actual != expected {
            let missing: Vec<_> = expected.iter().filter(|e| !actual.contains(e)).collect();
            let extra: Vec<_> = actual.iter().filter(|a| !expected.contains(a)).collect();
            failures.push(format!(
                "{}:\n  missing: {missing:#?}\n  extra: {extra:#?}",
                dir.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
