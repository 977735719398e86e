//! Levels, severities and messages of the rules that grade what they find
//! (fixtures pin rule and position; this pins the rest).

use seccheck::finding::Level;
use seccheck::scan::{ScanOptions, scan};

fn findings(dir: &str) -> Vec<(String, Level, Option<&'static str>, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let result = scan(&ScanOptions::new(vec![root]));
    result
        .findings
        .iter()
        .map(|f| {
            let (start, _) = f.location.source.region(f.location.span);
            (
                format!(
                    "{}:{}",
                    f.location
                        .source
                        .path
                        .file_name()
                        .unwrap()
                        .to_string_lossy(),
                    start.line
                ),
                f.level,
                f.security_severity,
                f.message(),
            )
        })
        .collect()
}

fn find<'a>(
    all: &'a [(String, Level, Option<&'static str>, String)],
    at: &str,
) -> &'a (String, Level, Option<&'static str>, String) {
    all.iter()
        .find(|f| f.0 == at)
        .unwrap_or_else(|| panic!("no finding at {at}: {all:#?}"))
}

#[test]
fn permissive_profiles_are_graded_by_what_they_open() {
    let all = findings("testdata/seccomp-profile/conditions");
    let clone = find(&all, "conditions.json:6");
    assert_eq!(clone.1, Level::Error);
    assert!(
        clone
            .3
            .contains("`clone` (with every argument), `add_key` and `userfaultfd` (on s390x)"),
        "{}",
        clone.3
    );
    assert_eq!(find(&all, "conditions.json:9").1, Level::Error);
    assert_eq!(find(&all, "conditions.json:7").1, Level::Warning);
    let reboot = find(&all, "conditions.json:10");
    assert_eq!(reboot.1, Level::Note);
    assert!(!reboot.3.contains("service `boot`"), "{}", reboot.3);
}

#[test]
fn engine_defaults_are_notes_that_say_which() {
    let all = findings("testdata/seccomp-profile/engine-defaults");
    let podman = find(&all, "compose.yaml:4");
    assert_eq!(podman.1, Level::Note);
    assert!(
        podman.3.contains("is Podman's (containers-common"),
        "{}",
        podman.3
    );
    assert!(
        podman.3.contains("also lets through `mount`"),
        "{}",
        podman.3
    );
    let docker = find(&all, "compose.yaml:7");
    assert!(docker.3.contains(
        "is Docker's default seccomp profile, which the engine applies without this option"
    ));
    let custom = find(&all, "docker-plus-kexec.json:64");
    assert_eq!(custom.1, Level::Error);
    assert!(custom.3.contains("`kexec_load`"));
}

#[test]
fn capability_findings_carry_the_capability_severity() {
    let all = findings("testdata/compose/capabilities");
    let admin = find(&all, "compose.yaml:7");
    assert_eq!(admin.1, Level::Warning);
    assert_eq!(admin.2, Some("9.0"));
    assert!(
        admin.3.starts_with(
            "service `fuse`: `CAP_SYS_ADMIN` makes the default seccomp profile allow `mount`, `fsopen`"
        ),
        "{}",
        admin.3
    );
    assert!(
        admin
            .3
            .contains("`unshare`, `setns`, `clone`, `clone3`, `bpf`")
    );
    let clock = find(&all, "compose.yaml:29");
    assert_eq!(clock.2, Some("4.0"));
    assert_eq!(
        clock.3,
        "service `clock`: `CAP_SYS_TIME` makes the default seccomp profile allow `clock_settime`, `clock_settime64`, `settimeofday`, `stime`"
    );
    let all_caps = find(&all, "compose.yaml:32");
    assert_eq!(all_caps.2, Some("9.0"));
    assert!(all_caps.3.contains("`CAP_SYS_MODULE` opens `init_module`"));
    assert!(!all_caps.3.contains("CAP_SYS_ADMIN"), "{}", all_caps.3);
}

#[test]
fn privileged_and_unconfined_each_say_the_other_disables_seccomp_too() {
    let all = findings("testdata/compose/both");
    let privileged = find(&all, "compose.yaml:4");
    assert_eq!(
        privileged.3,
        "service `debug`: runs privileged, which disables seccomp and every other confinement; `seccomp=unconfined` does too (either alone disables seccomp: remove both)"
    );
    let unconfined = find(&all, "compose.yaml:6");
    assert_eq!(
        unconfined.3,
        "service `debug`: seccomp filtering is disabled by `seccomp=unconfined`; privileged mode (`true`) does too (either alone disables it: remove both)"
    );
    assert!(!find(&all, "compose.yaml:10").3.contains("either alone"));
    assert!(!find(&all, "compose.yaml:13").3.contains("either alone"));
}
