//! The command line as users run it: exit codes, formats, output files,
//! discovery rules.

use std::path::Path;

use assert_cmd::Command;

fn seccheck() -> Command {
    let mut cmd = Command::cargo_bin("seccheck").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    cmd
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const PRIVILEGED: &str = "services:\n  web:\n    image: nginx\n    privileged: true\n";
const CLEAN: &str = "services:\n  web:\n    image: nginx\n    privileged: false\n";

#[test]
fn exit_codes() {
    seccheck()
        .args(["scan", "testdata/compose/forms"])
        .assert()
        .code(1);
    seccheck()
        .args(["scan", "testdata/compose/not-compose"])
        .assert()
        .code(0);
    seccheck()
        .args(["scan", "--fail-on", "never", "testdata/compose/forms"])
        .assert()
        .code(0);
    seccheck()
        .args(["scan", "--fail-on", "error", "testdata/compose/forms"])
        .assert()
        .code(1);
    // Usage errors and missing paths are 2.
    seccheck().args(["scan", "--bogus"]).assert().code(2);
    seccheck()
        .args(["scan", "testdata/does-not-exist"])
        .assert()
        .code(2);
    seccheck()
        .args(["scan", "--enable", "no-such-rule", "testdata"])
        .assert()
        .code(2);
    seccheck()
        .args(["scan", "--format", "xml", "testdata"])
        .assert()
        .code(2);
}

#[test]
fn broken_files_are_reported_not_fatal() {
    let out = seccheck()
        .args(["scan", "testdata/compose/bad-input"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("compose.ok.yaml:4:17"), "{out}");
    assert!(
        out.contains("error: testdata/compose/bad-input/compose.yaml:4:15: not valid YAML"),
        "{out}"
    );
    assert!(
        out.contains("error: testdata/compose/bad-input/compose.latin1.yaml:3:15: not valid UTF-8"),
        "{out}"
    );
}

#[test]
fn rules_and_explain() {
    let out = seccheck()
        .arg("rules")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("seccomp-unconfined"));
    assert!(out.contains("privileged-container"));
    let doc = seccheck()
        .args(["explain", "seccomp-unconfined"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let doc = String::from_utf8(doc).unwrap();
    assert!(doc.contains("## Why is this bad?"));
    assert!(doc.contains("CIS Docker Benchmark"));
    seccheck().args(["explain", "nope"]).assert().code(2);
}

#[test]
fn rules_has_a_header_and_unknown_ids_suggest_the_nearest() {
    let out = seccheck().arg("rules").output().unwrap();
    let out = String::from_utf8(out.stdout).unwrap();
    let header: Vec<&str> = out.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["rule", "level", "severity", "title"]);
    let stderr = |args: &[&str]| {
        let out = seccheck().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        String::from_utf8(out.stderr).unwrap()
    };
    assert_eq!(
        stderr(&["explain", "seccomp-unconfind"]),
        "error: unknown rule `seccomp-unconfind`; did you mean `seccomp-unconfined`? `seccheck rules` lists them\n"
    );
    assert!(
        stderr(&["scan", "--disable", "privileged", "testdata/compose/forms"])
            .contains("did you mean `privileged-container`?")
    );
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".seccheck.toml",
        "[rules]\nenable = [\"k8s-seccomp-unst\"]\n",
    );
    write(dir.path(), "compose.yaml", PRIVILEGED);
    let out = Command::cargo_bin("seccheck")
        .unwrap()
        .current_dir(dir.path())
        .args(["scan", "."])
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stderr).unwrap().contains(
        ".seccheck.toml:2:11: unknown rule `k8s-seccomp-unst`; did you mean `k8s-seccomp-unset`?"
    ));
}

#[test]
fn json_has_a_schema_version_and_exact_positions() {
    let out = seccheck()
        .args(["scan", "--format", "json", "testdata/compose/anchors"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["schema"], "seccheck-json-v1");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "seccomp-unconfined")
        .unwrap();
    assert_eq!(
        f["location"]["path"],
        "testdata/compose/anchors/docker-compose.yml"
    );
    assert_eq!(f["location"]["start"]["line"], 4);
    assert_eq!(f["location"]["start"]["column"], 7);
    assert_eq!(f["location"]["end"]["column"], 25);
    assert_eq!(
        f["subjects"],
        serde_json::json!(["service `api`", "service `worker`"])
    );
}

#[test]
fn output_file_is_written_whole_and_nothing_else_left() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report.sarif");
    seccheck()
        .args(["scan", "--format", "sarif", "--output"])
        .arg(&target)
        .arg("testdata/compose/forms")
        .assert()
        .code(1)
        .stdout("");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("report.sarif")]);
}

#[test]
fn gitignore_is_honoured_unless_no_ignore_and_explicit_paths_always_scanned() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitignore", "ignored/\n");
    write(dir.path(), "ignored/compose.yaml", PRIVILEGED);
    write(dir.path(), "kept/compose.yaml", CLEAN);
    let run = |args: &[&str]| {
        let mut cmd = Command::cargo_bin("seccheck").unwrap();
        cmd.current_dir(dir.path()).args(args).assert()
    };
    run(&["scan", "."]).code(0);
    run(&["scan", "--no-ignore", "."]).code(1);
    // pre-commit passes file names: judged whatever the ignore files say.
    run(&["scan", "ignored/compose.yaml"]).code(1);
    // Hidden directories are walked (.devcontainer, .github live there).
    write(dir.path(), ".hidden/compose.yaml", PRIVILEGED);
    run(&["scan", "."]).code(1);
}

#[cfg(unix)]
#[test]
fn symlinks_do_not_lead_out_of_the_root() {
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "compose.yaml", PRIVILEGED);
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "compose.yaml", CLEAN);
    std::os::unix::fs::symlink(outside.path(), root.path().join("linked-dir")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("compose.yaml"),
        root.path().join("docker-compose.yml"),
    )
    .unwrap();
    Command::cargo_bin("seccheck")
        .unwrap()
        .current_dir(root.path())
        .args(["scan", "."])
        .assert()
        .code(0);
}

#[cfg(unix)]
#[test]
fn a_fifo_named_like_compose_is_a_diagnostic_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("compose.yaml");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    write(dir.path(), "other/compose.yaml", PRIVILEGED);
    let out = Command::cargo_bin("seccheck")
        .unwrap()
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["scan", "compose.yaml", "other"])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("error: compose.yaml: cannot read: not a regular file"),
        "{out}"
    );
    assert!(out.contains("other/compose.yaml:4:17"), "{out}");
}

#[test]
fn fingerprints_survive_unrelated_line_shifts() {
    let dir = tempfile::tempdir().unwrap();
    let fingerprint = |text: &str| {
        write(dir.path(), "compose.yaml", text);
        let out = Command::cargo_bin("seccheck")
            .unwrap()
            .current_dir(dir.path())
            .args(["scan", "--format", "sarif", "."])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let result = &v["runs"][0]["results"][0];
        (
            result["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .unwrap()
                .to_string(),
            result["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap(),
        )
    };
    let (before, line_before) = fingerprint(PRIVILEGED);
    let shifted = format!(
        "# a comment\n\n{}",
        PRIVILEGED.replace("  web:\n", "  db:\n    image: postgres\n  web:\n")
    );
    let (after, line_after) = fingerprint(&shifted);
    assert_eq!(line_before + 4, line_after);
    assert_eq!(before, after);
}

#[test]
fn a_path_that_vanishes_is_a_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "compose.yaml", PRIVILEGED);
    let gone = dir.path().join("gone/compose.yaml");
    let options = seccheck::scan::ScanOptions::new(vec![gone.clone(), dir.path().to_path_buf()]);
    let result = seccheck::scan::scan(&options);
    assert_eq!(result.findings.len(), 1);
    assert_eq!(result.diagnostics.len(), 1);
    assert_eq!(result.diagnostics[0].path, gone);
    assert!(result.diagnostics[0].to_string().contains("cannot read"));
}

#[test]
fn large_and_binary_files_are_skipped_with_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "big/compose.yaml", PRIVILEGED);
    write(
        dir.path(),
        "bin/compose.yaml",
        "services:\0\n  privileged: true\n",
    );
    let out = Command::cargo_bin("seccheck")
        .unwrap()
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["scan", "--max-file-size", "20", "--format", "json", "."])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let diags = v["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 2, "{diags:?}");
    assert_eq!(diags[0]["path"], "big/compose.yaml");
    assert_eq!(diags[0]["severity"], "notice");
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .contains("over the 20-byte limit")
    );
    // The binary file is smaller than the limit, so it is read and refused.
    let out = Command::cargo_bin("seccheck")
        .unwrap()
        .current_dir(dir.path())
        .args(["scan", "--format", "json", "bin"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["diagnostics"][0]["message"], "skipped: binary file");
    assert_eq!(v["diagnostics"][0]["severity"], "notice");
}

#[test]
fn an_explicit_file_may_extend_a_neighbour_in_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "common/base.yml",
        "services:\n  base:\n    image: x\n    privileged: true\n",
    );
    write(
        dir.path(),
        "app/compose.yaml",
        "services:\n  app:\n    extends:\n      file: ../common/base.yml\n      service: base\n",
    );
    let out = Command::cargo_bin("seccheck")
        .unwrap()
        .current_dir(dir.path())
        .args(["scan", "--format", "json", "app/compose.yaml"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["location"]["path"], "common/base.yml");
    assert_eq!(
        v["findings"][0]["subjects"],
        serde_json::json!(["service `app`"])
    );
}

#[test]
fn github_format_emits_workflow_commands() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a,b:c.yaml",
        "services:\n  web:\n    image: nginx\n    privileged: true\n",
    );
    let out = seccheck()
        .current_dir(dir.path())
        .args(["scan", "--format", "github", "."])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert_eq!(
        out,
        "::error file=a%2Cb%3Ac.yaml,line=4,col=17,endLine=4,endColumn=21,\
         title=privileged-container%3A Container runs in privileged mode%2C which also disables seccomp\
         ::service `web`: runs privileged, which disables seccomp and every other confinement\n"
    );
}

#[test]
fn config_file_in_the_scanned_root() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "compose.yaml", PRIVILEGED);
    write(d, "generated/compose.yaml", PRIVILEGED);
    write(d, "deploy/app.stack.txt", PRIVILEGED);
    let json = |args: &[&str]| -> Vec<(String, String, String)> {
        let out = seccheck()
            .current_dir(d)
            .args(["scan", "--format", "json", "--fail-on", "never"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["level"].as_str().unwrap().to_string(),
                    f["location"]["path"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    // No configuration: the `.txt` file is not read (its name says text,
    // so not even its first bytes are), generated/ is.
    assert_eq!(json(&["."]).len(), 2);
    write(
        d,
        ".seccheck.toml",
        "exclude = [\"generated\"]\n[rules.levels]\nprivileged-container = \"warning\"\n\
         [formats]\ncompose = [\"*.stack.txt\"]\n",
    );
    let p = |path: &str| ("privileged-container".into(), "warning".into(), path.into());
    assert_eq!(json(&["."]), [p("compose.yaml"), p("deploy/app.stack.txt")]);
    // The command line wins over the file, both ways.
    write(
        d,
        ".seccheck.toml",
        "[rules]\ndisable = [\"privileged-container\"]\n",
    );
    assert_eq!(json(&["."]), []);
    assert_eq!(json(&["--enable", "privileged-container", "."]).len(), 2);
    write(
        d,
        "other.toml",
        "[rules]\nenable = [\"privileged-container\"]\n",
    );
    assert_eq!(json(&["--config", "other.toml", "."]).len(), 2);
    assert_eq!(
        json(&[
            "--config",
            "other.toml",
            "--disable",
            "privileged-container",
            "."
        ]),
        []
    );
}

#[test]
fn config_errors_have_positions_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "compose.yaml", PRIVILEGED);
    write(
        dir.path(),
        ".seccheck.toml",
        "[rules]\nenable = []\nlevel = {}\n",
    );
    let out = seccheck()
        .current_dir(dir.path())
        .args(["scan", "."])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("error: .seccheck.toml:3:1: unknown field `level`"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn baseline_reports_only_new_findings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "compose.yaml", PRIVILEGED);
    seccheck()
        .current_dir(d)
        .args(["scan", "--format", "sarif", "-o", "base.sarif", "."])
        .assert()
        .code(1);
    // The same findings, moved down by a line: nothing new.
    write(d, "compose.yaml", &format!("# moved\n{PRIVILEGED}"));
    let out = seccheck()
        .current_dir(d)
        .args(["scan", "--baseline", "base.sarif", "--format", "json", "."])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 finding(s) already in the baseline"));
    // A new service with the same value is new.
    write(
        d,
        "compose.yaml",
        &format!("{PRIVILEGED}  api:\n    image: x\n    privileged: true\n"),
    );
    let out = seccheck()
        .current_dir(d)
        .args([
            "scan",
            "--baseline",
            "base.sarif",
            "--format",
            "github",
            ".",
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("line=7,col=17"), "{text}");
    // A baseline that is not SARIF is a usage error.
    write(d, "bad.sarif", "{\"runs\": 3}");
    seccheck()
        .current_dir(d)
        .args(["scan", "--baseline", "bad.sarif", "."])
        .assert()
        .code(2);
}

/// A profile reference to a FIFO must not block on open, and a symlinked
/// profile that leads out of the root must not be read.
#[cfg(unix)]
#[test]
fn profile_references_to_fifos_and_escaping_symlinks_are_unresolved() {
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "allow.json",
        "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": []}",
    );
    let root = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(root.path().join("fifo.json"))
        .status()
        .unwrap();
    assert!(status.success());
    std::os::unix::fs::symlink(
        outside.path().join("allow.json"),
        root.path().join("link.json"),
    )
    .unwrap();
    write(
        root.path(),
        "compose.yaml",
        "services:\n  a:\n    image: x\n    security_opt: [\"seccomp=fifo.json\"]\n  b:\n    image: x\n    security_opt: [\"seccomp=link.json\"]\n",
    );
    let out = Command::cargo_bin("seccheck")
        .unwrap()
        .current_dir(root.path())
        .args(["scan", ".", "--format", "json"])
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<(&str, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap(),
                f["location"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        vec![
            ("seccomp-profile-unresolved", 4),
            ("seccomp-profile-unresolved", 7)
        ]
    );
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(messages[0].contains("not a regular file"), "{messages:?}");
    assert!(
        messages[1].contains("leads outside the repository"),
        "{messages:?}"
    );
}

#[cfg(unix)]
#[test]
fn output_to_a_fifo_is_written_in_place_not_renamed_over() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("out.fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    seccheck()
        .args(["scan", "--format", "json", "--output"])
        .arg(&fifo)
        .arg("testdata/compose/anchors")
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(1);
    let text = reader.join().unwrap();
    assert!(text.contains("seccheck-json-v1"));
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

/// JSON of a run, without what differs between runs of the same input.
fn json_of(cmd: &mut Command) -> serde_json::Value {
    let out = cmd.output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn standard_input_is_judged_as_the_named_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "common/base.yml",
        "services:\n  base:\n    image: x\n    privileged: true  # seccheck: ignore[privileged-container] kvm\n",
    );
    let app = "services:\n  app:\n    extends:\n      file: ../common/base.yml\n      service: base\n    security_opt: [\"seccomp:unconfined\"]\n";
    write(dir.path(), "app/compose.yaml", app);
    let on_disk = json_of(
        Command::cargo_bin("seccheck")
            .unwrap()
            .current_dir(dir.path())
            .args(["scan", "--format", "json", "app/compose.yaml"]),
    );
    let piped = json_of(
        Command::cargo_bin("seccheck")
            .unwrap()
            .current_dir(dir.path())
            .args(["scan", "--format", "json", "-", "--stdin-filename"])
            .arg("app/compose.yaml")
            .write_stdin(app),
    );
    assert_eq!(on_disk, piped);
    // The referenced file's finding, suppressed in that file, and the
    // input's own finding at its exact place.
    let f = &piped["findings"];
    assert_eq!(f[0]["location"]["path"], "app/compose.yaml");
    assert_eq!(f[0]["rule"], "seccomp-unconfined");
    assert_eq!(f[0]["location"]["start"]["line"], 6);
    assert_eq!(f[0]["location"]["start"]["column"], 21);
    assert_eq!(f[1]["location"]["path"], "common/base.yml");
    assert_eq!(f[1]["suppressed"], "kvm");
    assert_eq!(piped["files_scanned"], 1);

    // A name that does not exist is fine: the name decides the format.
    let v = json_of(
        Command::cargo_bin("seccheck")
            .unwrap()
            .current_dir(dir.path())
            .args(["scan", "--format", "json", "-", "--stdin-filename"])
            .arg("new/docker-compose.yml")
            .write_stdin(PRIVILEGED),
    );
    assert_eq!(
        v["findings"][0]["location"]["path"],
        "new/docker-compose.yml"
    );
    assert_eq!(v["findings"][0]["location"]["start"]["line"], 4);

    // Without a name, or mixed with paths: a usage error.
    let out = seccheck()
        .args(["scan", "-"])
        .write_stdin(PRIVILEGED)
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8(out).unwrap().contains("--stdin-filename"));
    seccheck()
        .args(["scan", "-", "testdata", "--stdin-filename", "x.yaml"])
        .write_stdin(PRIVILEGED)
        .assert()
        .code(2);
    // Over the size limit: refused with the limit's notice, not read whole.
    let v = json_of(
        seccheck()
            .args(["scan", "--format", "json", "--max-file-size", "10", "-"])
            .args(["--stdin-filename", "compose.yaml"])
            .write_stdin(PRIVILEGED),
    );
    assert_eq!(
        v["diagnostics"][0]["message"],
        "skipped: 11 bytes is over the 10-byte limit"
    );
}

#[test]
fn scan_source_is_the_per_file_step_of_scan() {
    let dir = tempfile::tempdir().unwrap();
    let text = "services:\n  a:\n    image: x\n    # seccheck: ignore[seccomp-unconfined] perf\n    security_opt: [\"seccomp=unconfined\"]\n    privileged: true\n";
    write(dir.path(), "compose.yaml", text);
    let path = dir.path().join("compose.yaml");
    let options = seccheck::scan::ScanOptions::new(vec![path.clone()]);
    let walked = seccheck::scan::scan(&options);
    let judged = seccheck::scan::scan_source(&path, text.as_bytes().to_vec(), &options);
    let summary = |r: &seccheck::scan::ScanResult| {
        r.findings
            .iter()
            .map(|f| {
                let p = f.location.start();
                (f.rule.id, p.line, p.column, f.suppression.is_some())
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        summary(&judged),
        [
            ("seccomp-unconfined", 5, 21, true),
            ("privileged-container", 6, 17, false)
        ]
    );
    assert_eq!(summary(&walked), summary(&judged));
    assert_eq!(judged.files_scanned, 1);
    // Bytes a file could not hold are diagnostics, not panics.
    let r = seccheck::scan::scan_source(&path, b"services:\xff\n".to_vec(), &options);
    assert!(r.findings.is_empty());
    assert!(r.diagnostics[0].to_string().contains("not valid UTF-8"));
}

#[test]
fn a_file_reached_twice_is_scanned_once() {
    let v = json_of(seccheck().args([
        "scan",
        "--format",
        "json",
        "testdata/compose/forms",
        "testdata/compose/forms",
        "testdata/compose",
        "testdata/compose/forms/compose.yaml",
    ]));
    let once = json_of(seccheck().args(["scan", "--format", "json", "testdata/compose"]));
    assert_eq!(v["files_scanned"], once["files_scanned"]);
    assert_eq!(v["findings"], once["findings"]);
    assert_eq!(v["diagnostics"], once["diagnostics"]);
}

#[test]
fn piped_report_names_the_level_and_colour_follows_the_environment() {
    let run = |env: &[(&str, &str)]| {
        let mut cmd = Command::cargo_bin("seccheck").unwrap();
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("CLICOLOR")
            .args(["scan", "testdata/compose/forms"]);
        for (k, v) in env {
            cmd.env(k, v);
        }
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    // Piped: no colour, and the level in words for grep.
    let plain = run(&[("TERM", "xterm-256color")]);
    assert!(!plain.contains('\x1b'), "{plain}");
    assert!(
        plain
            .lines()
            .any(|l| l.starts_with("error[seccomp-unconfined]: service")),
        "{plain}"
    );
    // CLICOLOR_FORCE colours even a pipe; NO_COLOR wins over it.
    let forced = run(&[("CLICOLOR_FORCE", "1"), ("TERM", "dumb")]);
    assert!(
        forced.contains("\x1b[1;31merror[seccomp-unconfined]\x1b[0m"),
        "{forced}"
    );
    let refused = run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert_eq!(refused, plain);
}

#[test]
fn json_says_how_columns_count() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "compose.yaml",
        "services:\n  x:\n    image: \"界😀\"\n    labels: [\"😀\"]\n    security_opt: [\"😀\", \"seccomp=unconfined\"]\n",
    );
    let v = json_of(
        Command::cargo_bin("seccheck")
            .unwrap()
            .current_dir(dir.path())
            .args(["scan", "--format", "json", "."]),
    );
    assert_eq!(v["column_kind"], "utf16CodeUnits");
    // `    security_opt: ["😀", "` is 25 characters, 26 UTF-16 code units.
    assert_eq!(v["findings"][0]["location"]["start"]["column"], 27);
    let human = Command::cargo_bin("seccheck")
        .unwrap()
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["scan", "."])
        .output()
        .unwrap();
    let human = String::from_utf8(human.stdout).unwrap();
    assert!(human.contains(" --> compose.yaml:5:26\n"), "{human}");
}

#[test]
fn version_names_the_commit_when_the_build_knew_it() {
    let out = seccheck()
        .arg("--version")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    let version = out
        .trim_end()
        .strip_prefix("seccheck ")
        .expect("`seccheck <version>`");
    // build.rs: SECCHECK_COMMIT, else `git rev-parse HEAD` when this
    // directory is the git work tree (a crates.io package reads
    // .cargo_vcs_info.json instead; .ci/run checks that path).
    let root = env!("CARGO_MANIFEST_DIR");
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8(o.stdout).unwrap().trim().to_string())
    };
    let in_checkout = git(&["rev-parse", "--show-toplevel"]).is_some_and(|top| {
        Path::new(&top).canonicalize().ok() == Path::new(root).canonicalize().ok()
    });
    let commit = std::env::var("SECCHECK_COMMIT")
        .ok()
        .or_else(|| in_checkout.then(|| git(&["rev-parse", "HEAD"])).flatten());
    let expected = match commit {
        Some(sha) => format!("{} (commit {sha})", env!("CARGO_PKG_VERSION")),
        None => env!("CARGO_PKG_VERSION").to_string(),
    };
    assert_eq!(version, expected);
    // SARIF's tool.driver says the same; semanticVersion stays plain semver.
    let sarif = seccheck()
        .args(["scan", "--format", "sarif", "testdata/compose/not-compose"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&sarif).unwrap();
    let driver = &v["runs"][0]["tool"]["driver"];
    assert_eq!(driver["version"], expected.as_str());
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
}

fn sarif_of(cmd: &mut Command) -> serde_json::Value {
    let v = json_of(cmd);
    assert_eq!(v["version"], "2.1.0", "{v}");
    v
}

#[test]
fn sarif_uris_are_relative_to_the_source_root() {
    let repo = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::create_dir(repo.path().join(".git")).unwrap();
    write(repo.path(), "deploy/compose.yaml", PRIVILEGED);
    let root = repo.path().canonicalize().unwrap();
    let run = |extra: &[&str], path: &Path| {
        sarif_of(
            Command::cargo_bin("seccheck")
                .unwrap()
                .current_dir(elsewhere.path())
                .args(["scan", "--format", "sarif"])
                .args(extra)
                .arg(path),
        )
    };
    let artifact = |v: &serde_json::Value| {
        v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"].clone()
    };
    // From another directory: relative to the repository's work tree.
    let v = run(&[], repo.path());
    assert_eq!(
        artifact(&v),
        serde_json::json!({"uri": "deploy/compose.yaml", "uriBaseId": "%SRCROOT%"})
    );
    assert_eq!(
        v["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        format!("file://{}/", root.display())
    );
    // --srcroot wins; a file outside it is an absolute URI without a base.
    let v = run(
        &["--srcroot", root.join("deploy").to_str().unwrap()],
        repo.path(),
    );
    assert_eq!(
        artifact(&v),
        serde_json::json!({"uri": "compose.yaml", "uriBaseId": "%SRCROOT%"})
    );
    let other = tempfile::tempdir().unwrap();
    let v = run(&["--srcroot", other.path().to_str().unwrap()], repo.path());
    assert_eq!(
        artifact(&v),
        serde_json::json!({"uri": format!("file://{}/deploy/compose.yaml", root.display())})
    );
    // Without a work tree, outside the working directory: the scanned
    // directory (an absolute URI is refused by GitHub unless it lies under
    // the checkout); inside it, the working directory.
    std::fs::remove_dir(repo.path().join(".git")).unwrap();
    let v = run(&[], repo.path());
    assert_eq!(
        artifact(&v),
        serde_json::json!({"uri": "deploy/compose.yaml", "uriBaseId": "%SRCROOT%"})
    );
    assert_eq!(
        v["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        format!("file://{}/", root.display())
    );
    let v = run(&[], &repo.path().join("deploy/compose.yaml"));
    assert_eq!(
        artifact(&v),
        serde_json::json!({"uri": "compose.yaml", "uriBaseId": "%SRCROOT%"})
    );
    let v = sarif_of(
        Command::cargo_bin("seccheck")
            .unwrap()
            .current_dir(repo.path())
            .args(["scan", "--format", "sarif", "deploy"]),
    );
    assert_eq!(
        artifact(&v),
        serde_json::json!({"uri": "deploy/compose.yaml", "uriBaseId": "%SRCROOT%"})
    );
    // Fingerprints do not depend on where the scan ran from.
    std::fs::create_dir(repo.path().join(".git")).unwrap();
    let fingerprint = |v: &serde_json::Value| {
        v["runs"][0]["results"][0]["partialFingerprints"]["primaryLocationLineHash"].clone()
    };
    let from_inside = sarif_of(
        Command::cargo_bin("seccheck")
            .unwrap()
            .current_dir(repo.path())
            .args(["scan", "--format", "sarif", "."]),
    );
    assert_eq!(
        fingerprint(&from_inside),
        fingerprint(&run(&[], repo.path()))
    );
    let bad = tempfile::tempdir().unwrap();
    seccheck()
        .args(["scan", "--srcroot"])
        .arg(bad.path().join("missing"))
        .arg("testdata/compose/forms")
        .assert()
        .code(2);
}

#[test]
fn regions_end_inside_their_file() {
    let dir = tempfile::tempdir().unwrap();
    // The `extends` block is the last thing in the file: its span runs on
    // to the final line break, and in a CRLF file past the `\r`.
    let text = "services:\r\n  base:\r\n    image: x\r\n    privileged: true\r\n  child:\r\n    extends:\r\n      service: base\r\n";
    write(dir.path(), "compose.yaml", text);
    let v = sarif_of(
        Command::cargo_bin("seccheck")
            .unwrap()
            .current_dir(dir.path())
            .args(["scan", "--format", "sarif", "."]),
    );
    let lines: Vec<&str> = text.split("\r\n").collect();
    let mut regions = 0;
    for result in v["runs"][0]["results"].as_array().unwrap() {
        let locations = result["locations"]
            .as_array()
            .unwrap()
            .iter()
            .chain(result["relatedLocations"].as_array().into_iter().flatten());
        for loc in locations {
            let r = &loc["physicalLocation"]["region"];
            let end_line = r["endLine"].as_u64().unwrap() as usize;
            assert!(end_line <= 7, "{r}");
            let width = lines[end_line - 1].chars().count();
            assert!(
                r["endColumn"].as_u64().unwrap() as usize <= width + 1,
                "{r}"
            );
            regions += 1;
        }
    }
    // The finding and the `extends` that carries it to `child`.
    assert_eq!(regions, 2, "{v}");
}

#[test]
fn fingerprints_survive_tag_bumps_reformatting_and_moves() {
    let dir = tempfile::tempdir().unwrap();
    let fingerprints = |name: &str, text: &str| -> Vec<String> {
        let _ = std::fs::remove_file(dir.path().join("compose.yaml"));
        let _ = std::fs::remove_file(dir.path().join("run.sh"));
        write(dir.path(), name, text);
        let v = sarif_of(
            Command::cargo_bin("seccheck")
                .unwrap()
                .current_dir(dir.path())
                .args(["scan", "--format", "sarif", "."]),
        );
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["primaryLocationLineHash"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let shell = fingerprints(
        "run.sh",
        "docker run --security-opt seccomp=unconfined example/app:1.0\n",
    );
    assert_eq!(shell.len(), 1);
    // Tag bump on the same line; a digest; reformatted over three lines
    // with quotes; moved below other code.
    for text in [
        "docker run --security-opt seccomp=unconfined example/app:1.1\n",
        "docker run --security-opt seccomp=unconfined example/app@sha256:0123456789abcdef\n",
        "docker run \\\n  --security-opt \"seccomp=unconfined\" \\\n  example/app:2.0\n",
        "set -e\necho start\n\ndocker run --security-opt 'seccomp=unconfined' example/app:1.0\n",
    ] {
        assert_eq!(fingerprints("run.sh", text), shell, "{text}");
    }
    // Another image is another container.
    assert_ne!(
        fingerprints(
            "run.sh",
            "docker run --security-opt seccomp=unconfined example/other:1.0\n"
        ),
        shell
    );
    let compose = fingerprints(
        "compose.yaml",
        "services:\n  web:\n    image: example/app:1.0\n    security_opt: [\"seccomp=unconfined\"]\n",
    );
    for text in [
        "services:\n  web:\n    image: example/app:1.1\n    security_opt:\n      - seccomp=unconfined\n",
        "services:\n  db:\n    image: postgres\n  web:\n    security_opt: ['seccomp=unconfined']\n    image: example/app:1.0\n",
    ] {
        assert_eq!(fingerprints("compose.yaml", text), compose, "{text}");
    }
}

#[test]
fn baselines_written_by_seccheck_0_1_still_match() {
    // The fingerprints seccheck 0.1 wrote for testdata/compose/anchors
    // (its SARIF snapshot before the fingerprint changed).
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.sarif");
    std::fs::write(
        &old,
        r#"{"version": "2.1.0", "runs": [{"results": [
            {"partialFingerprints": {"primaryLocationLineHash": "5400d5821ff7b3a6:1"}},
            {"partialFingerprints": {"primaryLocationLineHash": "f361ce8f2bf94582:1"}}]}]}"#,
    )
    .unwrap();
    // (A rule added since finds something new there; it is not compared.)
    let out = seccheck()
        .args(["scan", "--format", "json", "--baseline"])
        .arg(&old)
        .args(["--disable", "seccomp-widened-by-capability"])
        .arg("testdata/compose/anchors")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn unreadable_files_are_counted_annotated_and_fail_strict_runs() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "compose.yaml", CLEAN);
    // Only files that may hold a finding are parsed (the keyword
    // prefilter), so the broken one names `privileged`.
    write(
        dir.path(),
        "broken/compose.yaml",
        "services:\n  x: {privileged: true\n",
    );
    std::fs::create_dir_all(dir.path().join("latin1")).unwrap();
    std::fs::write(
        dir.path().join("latin1/compose.yaml"),
        b"services:\n  x:\n    image: caf\xe9\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        Command::cargo_bin("seccheck")
            .unwrap()
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .args(args)
            .output()
            .unwrap()
    };
    // Findings decide the exit code, as before; the summary counts both.
    let out = run(&["scan", "."]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.ends_with(
            "0 findings (0 error, 0 warning, 0 note) in 2 files scanned, 1 file could not be read, 1 file could not be parsed\n"
        ),
        "{text}"
    );
    let out = run(&["scan", "--strict", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 files could not be read or parsed"));
    // GitHub annotations: errors, so that the pull request shows them.
    let out = run(&["scan", "--format", "github", "."]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "::error file=broken/compose.yaml,line=3,col=1,title=seccheck::not valid YAML"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "::error file=latin1/compose.yaml,line=3,col=15,title=seccheck::not valid UTF-8"
        ),
        "{text}"
    );
    // A clean tree passes --strict.
    std::fs::remove_dir_all(dir.path().join("broken")).unwrap();
    std::fs::remove_dir_all(dir.path().join("latin1")).unwrap();
    assert_eq!(run(&["scan", "--strict", "."]).status.code(), Some(0));
}

#[test]
fn several_reports_from_one_scan() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "compose.yaml", PRIVILEGED);
    let run = |args: &[&str]| {
        Command::cargo_bin("seccheck")
            .unwrap()
            .current_dir(d)
            .env("NO_COLOR", "1")
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[
        "scan", "--format", "sarif", "--output", "r.sarif", "--format", "human", "--format",
        "json", "-o", "r.json", ".",
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let human = String::from_utf8(out.stdout).unwrap();
    assert!(human.starts_with("error[privileged-container]:"), "{human}");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("r.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 1);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("r.json")).unwrap()).unwrap();
    assert_eq!(json["schema"], "seccheck-json-v1");
    // --sarif-output beside the terminal report.
    let out = run(&["scan", "--sarif-output", "s.sarif", "."]);
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("error[privileged-container]:")
    );
    assert!(
        std::fs::read_to_string(d.join("s.sarif"))
            .unwrap()
            .contains("\"2.1.0\"")
    );
    // A single pair in either order, as before.
    run(&["scan", "-o", "one.json", "--format", "json", "."]);
    assert!(
        std::fs::read_to_string(d.join("one.json"))
            .unwrap()
            .contains("seccheck-json-v1")
    );
    // What cannot be meant is a usage error, before anything is scanned.
    for (args, says) in [
        (
            &["--format", "json", "--format", "sarif"][..],
            "standard output",
        ),
        (
            &[
                "-o", "a", "--format", "json", "--format", "sarif", "-o", "b",
            ][..],
            "--output a",
        ),
        (&["--format", "json", "-o", "a", "-o", "b"][..], "two files"),
        (
            &["--format", "json", "-o", "x", "--sarif-output", "x"][..],
            "two reports would be written to x",
        ),
    ] {
        let out = run(&[&["scan"], args, &["."]].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

#[test]
fn output_to_a_directory_or_through_a_symlink_says_where_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "compose.yaml", PRIVILEGED);
    std::fs::create_dir(d.join("out")).unwrap();
    let run = |args: &[&str]| {
        Command::cargo_bin("seccheck")
            .unwrap()
            .current_dir(d)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["scan", "--format", "sarif", "-o", "out", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: --output out: is a directory; name a file in it, e.g. out/seccheck.sarif\n"
    );
    #[cfg(unix)]
    {
        // A link is written through, and stays a link.
        std::os::unix::fs::symlink("out/report.sarif", d.join("link.sarif")).unwrap();
        let out = run(&["scan", "--format", "sarif", "-o", "link.sarif", "."]);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        assert!(
            std::fs::symlink_metadata(d.join("link.sarif"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(
            std::fs::read_to_string(d.join("out/report.sarif"))
                .unwrap()
                .contains("2.1.0")
        );
        // A link into a directory that does not exist: which path, and why.
        std::os::unix::fs::symlink("gone/report.sarif", d.join("dangling.sarif")).unwrap();
        let out = run(&["scan", "--format", "sarif", "-o", "dangling.sarif", "."]);
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(
            String::from_utf8(out.stderr).unwrap(),
            "error: cannot write the sarif report to dangling.sarif: it is a symbolic link to gone/report.sarif, whose directory does not exist\n"
        );
    }
}

#[test]
fn configuration_is_found_from_each_scanned_path_up_to_the_repository() {
    let repo = tempfile::tempdir().unwrap();
    let d = repo.path();
    std::fs::create_dir(d.join(".git")).unwrap();
    write(
        d,
        ".seccheck.toml",
        "exclude = [\"vendor\"]\n[rules.levels]\nprivileged-container = \"note\"\n",
    );
    write(d, "a/compose.yaml", PRIVILEGED);
    write(d, "b/compose.yaml", PRIVILEGED);
    write(d, "b/vendor/compose.yaml", PRIVILEGED);
    // A directory with its own configuration, for the paths given below it.
    write(
        d,
        "c/.seccheck.toml",
        "[rules]\ndisable = [\"privileged-container\"]\n",
    );
    write(d, "c/compose.yaml", PRIVILEGED);
    let levels = |cwd: &Path, args: &[&str]| -> Vec<(String, String)> {
        let v = json_of(
            Command::cargo_bin("seccheck")
                .unwrap()
                .current_dir(cwd)
                .args(["scan", "--format", "json"])
                .args(args),
        );
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["location"]["path"].as_str().unwrap().to_string(),
                    f["level"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let note = |p: &str| (p.to_string(), "note".to_string());
    // pre-commit passes staged files in any order: the same answer.
    let files = [
        "a/compose.yaml",
        "b/compose.yaml",
        "c/compose.yaml",
        "b/vendor/compose.yaml",
    ];
    let mut reversed = files;
    reversed.reverse();
    let expected = [note("a/compose.yaml"), note("b/compose.yaml")];
    assert_eq!(levels(d, &files), expected);
    assert_eq!(levels(d, &reversed), expected);
    // From a subdirectory, the repository's file still applies, and its
    // excludes are relative to its own directory.
    assert_eq!(levels(&d.join("b"), &["."]), [note("compose.yaml")]);
    assert_eq!(
        levels(&d.join("b"), &["compose.yaml", "vendor/compose.yaml"]),
        [note("compose.yaml")]
    );
    // Above the repository nothing is looked for.
    let outer = tempfile::tempdir().unwrap();
    write(
        outer.path(),
        ".seccheck.toml",
        "[rules]\ndisable = [\"seccomp-unconfined\"]\n",
    );
    write(
        outer.path(),
        "repo/compose.yaml",
        "services:\n  x:\n    image: y\n    security_opt: [\"seccomp=unconfined\"]\n",
    );
    std::fs::create_dir(outer.path().join("repo/.git")).unwrap();
    assert_eq!(levels(&outer.path().join("repo"), &["."]).len(), 1);
}

#[test]
fn unused_suppression_is_not_a_security_alert() {
    let v = sarif_of(seccheck().args([
        "scan",
        "--format",
        "sarif",
        "testdata/suppressions/constructs",
    ]));
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let meta = rules
        .iter()
        .find(|r| r["id"] == "unused-suppression")
        .unwrap();
    assert!(
        meta["properties"].get("security-severity").is_none(),
        "{meta}"
    );
    let tags = meta["properties"]["tags"].as_array().unwrap();
    assert!(!tags.iter().any(|t| t == "security"), "{tags:?}");
    let unconfined = rules
        .iter()
        .find(|r| r["id"] == "seccomp-unconfined")
        .unwrap();
    assert_eq!(unconfined["properties"]["security-severity"], "8.0");
    // The comment without a reason: reported, its finding still suppressed.
    let results = v["runs"][0]["results"].as_array().unwrap();
    let needs = results
        .iter()
        .find(|r| {
            r["message"]["text"]
                .as_str()
                .unwrap()
                .contains("needs a reason")
        })
        .unwrap();
    assert_eq!(needs["ruleId"], "unused-suppression");
    assert_eq!(
        needs["locations"][0]["physicalLocation"]["region"]["startLine"],
        19
    );
    let quiet = results
        .iter()
        .find(|r| {
            r["message"]["text"]
                .as_str()
                .unwrap()
                .starts_with("service `quiet`")
        })
        .unwrap();
    assert_eq!(quiet["suppressions"][0]["justification"], "");
}

#[test]
fn bake_targets_that_inherit_the_entitlement_are_named() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "docker-bake.hcl",
        "target \"_kernel\" {\n  entitlements = [\"security.insecure\"]\n}\n\
         target \"modules\" {\n  inherits = [\"_kernel\"]\n  context = \"modules\"\n}\n",
    );
    let v = json_of(
        Command::cargo_bin("seccheck")
            .unwrap()
            .current_dir(dir.path())
            .args(["scan", "--format", "json", "."]),
    );
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{v}");
    assert_eq!(findings[0]["rule"], "build-insecure");
    assert_eq!(
        findings[0]["subjects"],
        serde_json::json!(["bake target `_kernel`", "bake target `modules`"])
    );
    assert_eq!(findings[0]["location"]["start"]["line"], 2);
}

/// Findings as `rule path:line`, sorted, and the notices' messages by path.
fn findings_and_notices(v: &serde_json::Value) -> (Vec<String>, Vec<String>) {
    let mut findings: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}",
                f["rule"].as_str().unwrap(),
                f["location"]["path"].as_str().unwrap(),
                f["location"]["start"]["line"]
            )
        })
        .collect();
    findings.sort();
    let mut notices: Vec<String> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}: {}",
                d["path"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            )
        })
        .collect();
    notices.sort();
    (findings, notices)
}

#[test]
fn vendored_trees_are_skipped_with_a_count_unless_asked_or_named() {
    let root = "testdata/vendored/default";
    let scan = |args: &[&str]| {
        findings_and_notices(&json_of(
            seccheck().args(["scan", "--format", "json"]).args(args),
        ))
    };
    let (findings, notices) = scan(&[root]);
    assert_eq!(
        findings,
        [
            "privileged-container testdata/vendored/default/deploy/compose.yaml:4",
            "privileged-container testdata/vendored/default/src/third_party_notes/compose.yaml:4",
            "privileged-container testdata/vendored/default/tools/deps/compose.yaml:4",
            "privileged-container testdata/vendored/default/vendoring/compose.yaml:4",
        ]
    );
    let skipped = |dir: &str, n: &str| {
        format!(
            "testdata/vendored/default/{dir}: skipped: {n} in a vendored directory (third-party code); --include-vendored scans them"
        )
    };
    assert_eq!(
        notices,
        [
            skipped(".venv", "1 file"),
            skipped("deps", "1 file"),
            skipped("node_modules", "1 file"),
            skipped("py-env", "2 files"),
            skipped("third_party", "1 file"),
            skipped("vendor", "3 files"),
        ]
    );

    // --include-vendored: the same tree, every finding, no notice.
    let (all, notices) = scan(&["--include-vendored", root]);
    assert!(notices.is_empty(), "{notices:?}");
    let vendored: Vec<&String> = all.iter().filter(|f| !findings.contains(f)).collect();
    assert_eq!(
        vendored,
        [
            "privileged-container testdata/vendored/default/.venv/lib/python3.12/site-packages/docker/compose.yaml:4",
            "privileged-container testdata/vendored/default/deps/compose.yaml:4",
            "privileged-container testdata/vendored/default/py-env/lib/compose.yaml:4",
            "privileged-container testdata/vendored/default/third_party/tool/run.sh:2",
            "privileged-container testdata/vendored/default/vendor/github.com/containers/common/docs/compose.yaml:4",
            "seccomp-unconfined testdata/vendored/default/node_modules/some-pkg/test/docker-compose.yml:4",
            "seccomp-unconfined testdata/vendored/default/vendor/github.com/containers/buildah/tests/compose.yaml:4",
        ]
    );

    // A vendored directory or file named on the command line is read.
    let (named_dir, notices) = scan(&["testdata/vendored/default/vendor"]);
    assert_eq!(named_dir.len(), 2, "{named_dir:?}");
    assert!(notices.is_empty(), "{notices:?}");
    let (named_file, _) =
        scan(&["testdata/vendored/default/node_modules/some-pkg/test/docker-compose.yml"]);
    assert_eq!(
        named_file,
        [
            "seccomp-unconfined testdata/vendored/default/node_modules/some-pkg/test/docker-compose.yml:4"
        ]
    );

    // The configuration key does what the flag does; a misspelt key is an error.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "vendor/x/compose.yaml", PRIVILEGED);
    let run = |config: &str| {
        write(dir.path(), ".seccheck.toml", config);
        seccheck()
            .current_dir(dir.path())
            .args(["scan", "--format", "json", "."])
            .output()
            .unwrap()
    };
    let on = run("include-vendored = true\n");
    let (findings, _) = findings_and_notices(&serde_json::from_slice(&on.stdout).unwrap());
    assert_eq!(findings, ["privileged-container vendor/x/compose.yaml:4"]);
    let off = run("include-vendored = false\n");
    let (findings, notices) = findings_and_notices(&serde_json::from_slice(&off.stdout).unwrap());
    assert!(findings.is_empty());
    assert_eq!(notices.len(), 1);
    let typo = run("include_vendored = true\n");
    assert_eq!(typo.status.code(), Some(2));
}

#[test]
fn files_git_tracks_are_scanned_even_where_an_ignore_file_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .current_dir(dir.path())
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    git(&["init", "-q"]);
    for name in [
        "compose.yaml",
        "listed.yaml",
        "build/compose.yaml",
        "hidden.yaml",
        "untracked.yaml",
        "vendor/compose.yaml",
    ] {
        write(dir.path(), name, PRIVILEGED);
    }
    write(
        dir.path(),
        ".gitignore",
        "listed.yaml\nbuild/\nuntracked.yaml\nvendor/\n",
    );
    // ripgrep's .ignore is an ignore file too: it cannot hide a tracked file.
    write(dir.path(), ".ignore", "hidden.yaml\n");
    git(&[
        "add",
        "compose.yaml",
        ".gitignore",
        ".ignore",
        "hidden.yaml",
    ]);
    git(&[
        "add",
        "-f",
        "listed.yaml",
        "build/compose.yaml",
        "vendor/compose.yaml",
    ]);
    let scan = |args: &[&str]| {
        findings_and_notices(&json_of(
            seccheck()
                .current_dir(dir.path())
                .args(["scan", "--format", "json"])
                .args(args),
        ))
        .0
    };
    let tracked = [
        "privileged-container build/compose.yaml:4",
        "privileged-container compose.yaml:4",
        "privileged-container hidden.yaml:4",
        "privileged-container listed.yaml:4",
    ];
    // Tracked files whatever .gitignore says; an untracked ignored file
    // stays out, and so does vendored code.
    assert_eq!(scan(&["."]), tracked);
    // Below a directory of the work tree, from the index's paths under it.
    assert_eq!(
        scan(&["build"]),
        ["privileged-container build/compose.yaml:4"]
    );
    // --no-ignore: every file, tracked or not; vendored code still waits
    // for --include-vendored.
    let mut everything = tracked.map(String::from).to_vec();
    everything.push("privileged-container untracked.yaml:4".into());
    everything.sort();
    assert_eq!(scan(&["--no-ignore", "."]), everything);
    everything.push("privileged-container vendor/compose.yaml:4".into());
    everything.sort();
    assert_eq!(
        scan(&["--no-ignore", "--include-vendored", "."]),
        everything
    );
    assert_eq!(
        scan(&["--include-vendored", "."]).len(),
        tracked.len() + 1,
        "tracked vendored file with --include-vendored"
    );
}
