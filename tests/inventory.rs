//! `seccheck inventory`: every container, confined or not, in each output
//! format (pinned as snapshots), and its exit codes.

use assert_cmd::Command;

fn seccheck() -> Command {
    let mut cmd = Command::cargo_bin("seccheck").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    cmd
}

fn stdout(args: &[&str]) -> String {
    let out = seccheck().args(args).output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn table() {
    insta::assert_snapshot!(stdout(&["inventory", "testdata/inventory/mixed"]));
}

#[test]
fn json() {
    let text = stdout(&["inventory", "--format", "json", "testdata/inventory/mixed"]);
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["schema"], "seccheck-inventory-v1");
    v["version"] = "VERSION".into();
    insta::assert_json_snapshot!(v);
}

#[test]
fn csv() {
    insta::assert_snapshot!(stdout(&[
        "inventory",
        "--format",
        "csv",
        "testdata/inventory/mixed"
    ]));
}

#[test]
fn exit_code_is_zero_unless_fail_on_is_given() {
    seccheck()
        .args(["inventory", "testdata/inventory/mixed"])
        .assert()
        .code(0);
    seccheck()
        .args([
            "inventory",
            "--fail-on",
            "error",
            "testdata/inventory/mixed",
        ])
        .assert()
        .code(1);
    // A container without findings, and one whose only finding is
    // suppressed: nothing fails.
    seccheck()
        .args([
            "inventory",
            "--fail-on",
            "note",
            "testdata/inventory/mixed/web.container",
        ])
        .assert()
        .code(0);
    seccheck()
        .args([
            "inventory",
            "--fail-on",
            "note",
            "--disable",
            "seccomp-profile-unresolved",
            "--disable",
            "seccomp-profile-permissive",
            "--disable",
            "seccomp-unconfined",
            "--disable",
            "seccomp-widened-by-capability",
            "testdata/inventory/mixed/compose.yaml",
        ])
        .assert()
        .code(1);
    seccheck()
        .args(["inventory", "--fail-on", "nope", "testdata/inventory/mixed"])
        .assert()
        .code(2);
}

#[test]
fn standard_input_is_judged_by_its_name() {
    let out = seccheck()
        .args([
            "inventory",
            "-",
            "--stdin-filename",
            "compose.yaml",
            "--format",
            "csv",
        ])
        .write_stdin(
            "services:\n  a:\n    image: alpine\n  b:\n    image: alpine\n    privileged: yes\n",
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "path,line,column,name,platform,image,seccomp,profile,verdict,widened_by,findings\r\n\
         compose.yaml,2,3,service `a`,compose,alpine,default,,,,\r\n\
         compose.yaml,4,3,service `b`,compose,alpine,privileged,,,,privileged-container\r\n"
    );
    let out = seccheck()
        .args(["inventory", "-"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("`inventory -` needs `--stdin-filename PATH`")
    );
}

#[test]
fn docker_inspect_on_standard_input() {
    // `docker inspect $(docker ps -qa) | seccheck scan - --stdin-filename inspect.json`
    let inspect = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/runtime/inspect/inspect.json"),
    )
    .unwrap();
    let out = seccheck()
        .args([
            "scan",
            "-",
            "--stdin-filename",
            "inspect.json",
            "--format",
            "json",
        ])
        .write_stdin(inspect)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}:{}",
                f["rule"].as_str().unwrap(),
                f["location"]["path"].as_str().unwrap(),
                f["location"]["start"]["line"],
                f["location"]["start"]["column"]
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            "seccomp-unconfined inspect.json:48:18",
            "privileged-container inspect.json:76:27",
            "seccomp-widened-by-capability inspect.json:107:18",
            "seccomp-profile-permissive inspect.json:138:167",
        ]
    );
}
