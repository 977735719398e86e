//! Where profile paths resolve, and the fence around what is read: the git
//! work tree holding the scanned paths (a `.git` entry marks it), else the
//! working directory. Each test builds a small repository in a temporary
//! directory and runs the binary there.

use std::path::Path;

use assert_cmd::Command;

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// (rule, level, path, line, message) of every finding.
fn scan(cwd: &Path, args: &[&str]) -> Vec<(String, String, String, u64, String)> {
    let out = Command::cargo_bin("seccheck")
        .unwrap()
        .current_dir(cwd)
        .args(["scan", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["level"].as_str().unwrap().to_string(),
                f["location"]["path"].as_str().unwrap().to_string(),
                f["location"]["start"]["line"].as_u64().unwrap(),
                format!(
                    "{} | {}",
                    f["message"].as_str().unwrap(),
                    f["related"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|r| r["message"].as_str().unwrap())
                        .collect::<Vec<_>>()
                        .join(" | ")
                ),
            )
        })
        .collect()
}

const MOUNT: &str = r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read", "mount"], "action": "SCMP_ACT_ALLOW"}]}"#;
const STRICT: &str = r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}"#;

#[test]
fn scanning_a_subdirectory_follows_references_anywhere_in_the_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    write(
        &repo,
        "deploy/compose.yaml",
        "services:\n  app:\n    image: x\n    security_opt: [\"seccomp=../seccomp/app.json\"]\n  child:\n    extends:\n      file: ../common.yml\n      service: base\n  away:\n    image: x\n    security_opt: [\"seccomp=../../outside.json\"]\n",
    );
    write(&repo, "seccomp/app.json", MOUNT);
    write(
        &repo,
        "common.yml",
        "services:\n  base:\n    image: x\n    privileged: true\n",
    );
    write(tmp.path(), "outside.json", MOUNT);
    let found = scan(&repo.join("deploy"), &["."]);
    let rules: Vec<(&str, &str, u64)> = found
        .iter()
        .map(|f| (f.0.as_str(), f.2.as_str(), f.3))
        .collect();
    assert!(
        rules.contains(&("seccomp-profile-permissive", "../seccomp/app.json", 1)),
        "{found:#?}"
    );
    assert!(
        rules.contains(&("privileged-container", "../common.yml", 4)),
        "{found:#?}"
    );
    let away = found
        .iter()
        .find(|f| f.3 == 11)
        .expect("the outside reference");
    assert_eq!(away.0, "seccomp-profile-unresolved");
    assert!(
        away.4.contains("leads outside the repository"),
        "{}",
        away.4
    );
    assert!(
        !found.iter().any(|f| f.2.contains("outside.json")),
        "{found:#?}"
    );
}

#[test]
fn without_git_the_working_directory_is_the_fence() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "sub/compose.yaml",
        "services:\n  app:\n    image: x\n    security_opt: [\"seccomp=../p.json\"]\n",
    );
    write(tmp.path(), "p.json", MOUNT);
    let found = scan(tmp.path(), &["sub"]);
    assert!(
        found
            .iter()
            .any(|f| f.0 == "seccomp-profile-permissive" && f.2 == "p.json"),
        "{found:#?}"
    );
}

#[test]
fn host_paths_are_notes_unless_the_repository_holds_a_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    write(
        repo,
        "etc/docker/daemon.json",
        r#"{"seccomp-profile": "/etc/docker/seccomp/app.json"}"#,
    );
    write(repo, "etc/docker/seccomp/app.json", MOUNT);
    write(
        repo,
        "compose.yaml",
        "services:\n  app:\n    image: x\n    security_opt: [\"seccomp=/usr/share/containers/seccomp.json\"]\n",
    );
    let found = scan(repo, &["."]);
    let copy = found
        .iter()
        .find(|f| f.0 == "seccomp-profile-permissive")
        .expect("the copy is judged");
    assert_eq!(copy.2, "etc/docker/seccomp/app.json");
    assert!(
        copy.4.contains(
            "host path `/etc/docker/seccomp/app.json` applied to the Docker daemon (`daemon.json`) here, judged from the repository's copy `etc/docker/seccomp/app.json`"
        ),
        "{}",
        copy.4
    );
    let host = found
        .iter()
        .find(|f| f.0 == "seccomp-profile-unresolved")
        .expect("the host path");
    assert_eq!(host.1, "note");
    assert!(
        host.4
            .contains("`/usr/share/containers/seccomp.json` is a file on the host, which cannot be judged from this repository"),
        "{}",
        host.4
    );
}

#[test]
fn a_script_resolves_against_its_directory_or_the_repository_root() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    write(
        repo,
        "scripts/run.sh",
        "docker run --security-opt seccomp=profiles/root.json a\ndocker run --security-opt seccomp=beside.json b\ndocker run --security-opt seccomp=nowhere.json c\n",
    );
    write(repo, "profiles/root.json", MOUNT);
    write(repo, "scripts/beside.json", STRICT);
    let found = scan(repo, &["scripts"]);
    assert!(
        found
            .iter()
            .any(|f| f.0 == "seccomp-profile-permissive" && f.2 == "profiles/root.json"),
        "{found:#?}"
    );
    let unresolved: Vec<_> = found
        .iter()
        .filter(|f| f.0 == "seccomp-profile-unresolved")
        .collect();
    assert_eq!(unresolved.len(), 1, "{found:#?}");
    assert!(
        unresolved[0]
            .4
            .contains("does not exist (tried `scripts/nowhere.json` and `nowhere.json`)"),
        "{}",
        unresolved[0].4
    );
}
