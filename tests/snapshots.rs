//! The rendered reports, pinned: a change to what users see shows up in
//! review as a snapshot diff.

use assert_cmd::Command;

fn run(args: &[&str]) -> String {
    let out = Command::cargo_bin("seccheck")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn human_report() {
    insta::assert_snapshot!(run(&[
        "scan",
        "testdata/compose/anchors",
        "testdata/compose/extends"
    ]));
}

#[test]
fn human_report_with_env_and_broken_files() {
    insta::assert_snapshot!(run(&[
        "scan",
        "testdata/compose/interpolation",
        "testdata/compose/bad-input"
    ]));
}

#[test]
fn sarif_report() {
    let sarif = run(&["scan", "--format", "sarif", "testdata/compose/anchors"]);
    let mut v: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let run = &mut v["runs"][0];
    // The only machine-specific value: the absolute directory of the run.
    run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///SRCROOT/".into();
    // The catalogue grows with every rule; pin only the rules these results
    // use, and check that each ruleIndex points at its rule before dropping
    // the indices from the snapshot.
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap().clone();
    let mut used = Vec::new();
    for result in run["results"].as_array_mut().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        result.as_object_mut().unwrap().remove("ruleIndex");
        if !used.contains(&rules[index]) {
            used.push(rules[index].clone());
        }
    }
    run["tool"]["driver"]["rules"] = used.into();
    run["tool"]["driver"]["version"] = "VERSION".into();
    run["tool"]["driver"]["semanticVersion"] = "VERSION".into();
    insta::assert_json_snapshot!(v);
}

/// The terminal report of files written for the test, run from their
/// directory so that paths are short and stable.
fn run_in(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::cargo_bin("seccheck")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn human_report_on_a_70000_character_line() {
    let dir = tempfile::tempdir().unwrap();
    let many = |prefix: &str| {
        (0..3500)
            .map(|i| format!("\"{prefix}{i:016}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // A generated Compose file: one flow sequence of 7,000 options on one
    // line with the offending value in the middle, and an alias far to the
    // right on another long line.
    let text = format!(
        "x-opts: &opts [{}, \"seccomp=unconfined\", {}]\nservices:\n  web: {{image: nginx, security_opt: *opts, labels: [{}], privileged: true}}\n",
        many("label:a"),
        many("label:b"),
        many("l"),
    );
    assert!(text.lines().next().unwrap().len() > 70_000);
    std::fs::write(dir.path().join("compose.yaml"), text).unwrap();
    let out = run_in(dir.path(), &["scan", "."]);
    assert!(out.lines().all(|l| l.chars().count() < 200), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn human_report_counts_columns_in_characters() {
    let dir = tempfile::tempdir().unwrap();
    // Accents, CJK and emoji (two columns each on a terminal, two UTF-16
    // units for the emoji), a tab, and an escape sequence that must not
    // reach the terminal.
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  café:\n    image: \"nginx\" # 界😀\n    labels: {note: \"界😀\"}\n    security_opt: [\"界😀\", \"seccomp=unconfined\"]\n    privileged: true\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("run.sh"),
        "# \x1b[31m red \u{202e} reversed\necho \"über 界😀\";\tdocker run --security-opt seccomp=unconfined alpine\n",
    )
    .unwrap();
    // A parse error after wide characters: its column in characters too.
    std::fs::write(
        dir.path().join("docker-compose.yml"),
        "services:\n  界😀: {image: x, privileged: true]\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["scan", "."]);
    assert!(!out.contains('\x1b'), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn human_report_of_flags_held_in_variables() {
    // Findings on the value where the variable is defined, the expansion as
    // a related location, and containers named by their image.
    insta::assert_snapshot!(run(&[
        "scan",
        "testdata/shell/variables",
        "testdata/makefile/variables"
    ]));
}

#[test]
fn gitlab_report() {
    // Every severity seccheck gives (blocker, critical, major, minor), and
    // suppressed findings left out.
    let report = run(&[
        "scan",
        "--format",
        "gitlab",
        "testdata/compose/anchors",
        "testdata/suppressions/compose",
        "testdata/dockerfile/run",
    ]);
    let v: serde_json::Value = serde_json::from_str(&report).unwrap();
    insta::assert_json_snapshot!(v);
}
