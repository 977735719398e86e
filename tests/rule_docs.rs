//! What the rule documents say about Docker's default seccomp profile,
//! checked against the vendored profile itself (`vendor/`, judged by the
//! same code the rules use), so that `seccheck explain` cannot drift from
//! what the scan does. It once said `ptrace` is blocked by default; the
//! default allows it from kernel 4.8.

use std::collections::HashMap;

use seccheck::formats::seccomp_profile::{DefaultPass, default_passes};
use seccheck::model::capability::DEFAULT;

fn doc(id: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("rules/{id}.md")),
    )
    .unwrap()
}

/// The backticked words of `text` that can be system call names.
fn calls(text: &str) -> Vec<&str> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
        .collect()
}

/// 0 blocked, 1 only some arguments, 2 every call — for a container with
/// Docker's default capabilities plus `extra`.
fn pass(extra: &[&str]) -> impl Fn(&str) -> u8 + use<> {
    let caps: Vec<String> = DEFAULT.iter().chain(extra).map(|c| c.to_string()).collect();
    let passes: std::sync::Arc<HashMap<&'static str, DefaultPass>> =
        default_passes(&|c: &str| caps.iter().any(|x| x == c));
    move |name| match passes.get(name) {
        None => 0,
        Some(DefaultPass::Some) => 1,
        Some(DefaultPass::All) => 2,
    }
}

#[test]
fn calls_said_to_be_blocked_by_default_are() {
    let ordinary = pass(&[]);
    // seccomp-unconfined: the calls the default keeps away from containers.
    let text = doc("seccomp-unconfined");
    let why = text.split("## Why is this bad?").nth(1).unwrap();
    let paragraph = why.trim_start().split("\n\n").next().unwrap();
    let named = calls(paragraph);
    assert!(named.len() >= 8, "{named:?}");
    for call in named {
        assert!(
            ordinary(call) < 2,
            "seccomp-unconfined says the default blocks `{call}`"
        );
    }
    // seccomp-profile-permissive: the escape-class calls a profile opens
    // (a call the default already allows is never "opened").
    let text = doc("seccomp-profile-permissive");
    let row = text.lines().find(|l| l.starts_with("| error |")).unwrap();
    for call in calls(row) {
        assert!(
            ordinary(call) < 2,
            "seccomp-profile-permissive grades `{call}` as opened, but the default allows it"
        );
    }
}

#[test]
fn each_capability_opens_the_calls_its_row_names() {
    let text = doc("seccomp-widened-by-capability");
    let mut rows = 0;
    for line in text.lines().filter(|l| l.starts_with("| `CAP_")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let cap = cells[1].trim_matches('`');
        let without = pass(&[]);
        let with = pass(&[cap]);
        // The calls come before the colon; what follows explains them.
        let named = calls(cells[3].split(": ").next().unwrap());
        assert!(!named.is_empty(), "{line}");
        for call in named {
            assert!(
                with(call) > without(call),
                "seccomp-widened-by-capability: `{cap}` is said to open `{call}`, \
                 but the default profile gives it the same without the capability"
            );
        }
        rows += 1;
    }
    assert!(rows >= 10);
}
