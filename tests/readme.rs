//! README.md's rule table is generated from `rules/*.md`; this keeps it so.
//! After adding or changing a rule: `UPDATE_README=1 cargo test --test readme`.

#[test]
fn readme_rule_table_matches_the_catalogue() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (begin, end) = ("<!-- rules:begin -->\n", "<!-- rules:end -->");
    let start = readme.find(begin).expect("README has a rules:begin marker") + begin.len();
    let stop = readme.find(end).expect("README has a rules:end marker");
    let table = seccheck::rules::markdown_table();
    if readme[start..stop] != table {
        if std::env::var_os("UPDATE_README").is_some() {
            let updated = format!("{}{}{}", &readme[..start], table, &readme[stop..]);
            std::fs::write(&path, updated).unwrap();
        } else {
            panic!(
                "README's rule table is stale; run `UPDATE_README=1 cargo test --test readme`:\n{table}"
            );
        }
    }
}
