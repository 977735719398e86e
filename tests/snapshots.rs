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
