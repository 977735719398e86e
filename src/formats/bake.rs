//! `docker buildx bake` files: `docker-bake.hcl` and `docker-bake.json`
//! (also the `.override.` variants). A `target`'s `entitlements` list with
//! `security.insecure` lets its `RUN --security=insecure` steps run
//! without seccomp or any other confinement.
//!
//! Bake reads both syntaxes with HashiCorp's HCL (docker/buildx `bake/hcl.go`
//! and `bake/hclparser`), so both go through [`super::hcl`] into one tree
//! (JSON strictly: HCL's JSON scanner has no comments). As Bake evaluates
//! them (docs.docker.com/build/bake): a `variable "X"` is the bare name `X`
//! (`entitlements = X`, `"${X}"`), with its `default` unless the
//! environment sets it at build time; a target's `inherits` takes the
//! attributes of the targets it names, the later one winning, and the
//! target's own attributes winning over all.

use std::collections::HashSet;
use std::sync::Arc;

use super::hcl::eval::{Eval, Module, Scope, Val};
use super::hcl::syntax::{Block, Expr, ExprKind, File};
use super::json;
use crate::model::{InsecureBuild, Parsed};
use crate::source::{Location, Source};

const INSECURE: &str = "security.insecure";

/// Whether `name` is one of the file names Bake reads.
pub fn is_bake_name(lower: &str) -> Option<bool> {
    let rest = lower.strip_prefix("docker-bake")?;
    if rest.ends_with(".hcl") {
        Some(true)
    } else if rest.ends_with(".json") {
        Some(false)
    } else {
        None
    }
}

pub fn read_hcl(source: &Arc<Source>, out: &mut Parsed) {
    out.comments = super::hcl::comments(&source.text)
        .into_iter()
        .map(|span| Location::new(source, span))
        .collect();
    match super::hcl::parse(source) {
        Ok(file) => read(&file, out),
        Err(d) => out.diagnostics.push(d),
    }
}

pub fn read_json(source: &Arc<Source>, out: &mut Parsed) {
    let Some(doc) = json::parse_or_report(source, json::Dialect::Strict, out) else {
        return;
    };
    let Some(root) = doc.root.as_ref() else {
        return;
    };
    let labels = |block: &str| match block {
        "target" | "group" | "variable" | "function" => 1,
        _ => 0,
    };
    let file = File {
        source: Arc::clone(source),
        body: super::hcl::json::lower_document(root, &source.text, &labels),
    };
    read(&file, out);
}

fn read(file: &File, out: &mut Parsed) {
    let ev = Eval::root(Module::new([file]));
    let mut scope = Scope::default();
    for variable in file.body.blocks("variable") {
        let (Some(name), Some(default)) = (variable.label(0), variable.body.attr("default")) else {
            continue;
        };
        let value = ev.eval(file, &default.value, &Scope::default());
        // The environment may set it at build time.
        scope = scope.bind(
            name,
            Val {
                input: true,
                ..value
            },
        );
    }
    let targets: Vec<&Block> = file.body.blocks("target").collect();
    for target in &targets {
        let Some(expr) = entitlements(target, &targets, &mut HashSet::new()) else {
            continue;
        };
        let name = format!("bake target `{}`", target.label(0).unwrap_or(""));
        for item in ev.eval(file, expr, &scope).items() {
            for value in item.alternatives() {
                if value.as_str() == Some(INSECURE)
                    && let Some(at) = value.at
                {
                    out.builds.push(InsecureBuild {
                        name: name.clone(),
                        at,
                    });
                }
            }
        }
    }
    out.diagnostics.extend(ev.take_diagnostics());
}

/// The `entitlements` a target builds with: its own, else those of the
/// last target in `inherits` that has them (each target looked at once).
fn entitlements<'a>(
    target: &'a Block,
    targets: &[&'a Block],
    seen: &mut HashSet<&'a str>,
) -> Option<&'a Expr> {
    if let Some(own) = target.body.attr("entitlements") {
        return Some(&own.value);
    }
    let ExprKind::Array(parents) = &target.body.attr("inherits")?.value.kind else {
        return None;
    };
    for parent in parents.iter().rev() {
        let ExprKind::Str(name) = &parent.kind else {
            continue;
        };
        let Some(block) = targets.iter().find(|b| b.label(0) == Some(name)) else {
            continue;
        };
        if !seen.insert(block.label(0).unwrap_or("")) {
            continue;
        }
        if let Some(found) = entitlements(block, targets, seen) {
            return Some(found);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(parsed: &Parsed) -> Vec<(String, &str)> {
        parsed
            .builds
            .iter()
            .map(|b| (b.name.clone(), b.at.text()))
            .collect()
    }

    #[test]
    fn hcl_entitlements() {
        let text = "# comment: entitlements = [\"security.insecure\"]\n\
                    target \"app\" {\n  entitlements = [\"network.host\", \"security.insecure\"]\n}\n\
                    target \"safe\" {\n  entitlements = [\"network.host\"]\n}\n";
        let source = Source::new("docker-bake.hcl", text);
        let mut out = Parsed::default();
        read_hcl(&source, &mut out);
        assert_eq!(
            marked(&out),
            vec![("bake target `app`".into(), "security.insecure")]
        );
        let at = &out.builds[0].at;
        let (s, e) = source.region(at.span);
        assert_eq!((s.line, s.column, e.line, e.column), (3, 36, 3, 53));
        assert_eq!(out.comments.len(), 1);
    }

    #[test]
    fn json_entitlements_and_errors() {
        let text = "{\"target\": {\"app\": {\"entitlements\": [\"security.insecure\"]},\n \"ok\": {\"entitlements\": [\"security.sandbox\"]}}}";
        let source = Source::new("docker-bake.json", text);
        let mut out = Parsed::default();
        read_json(&source, &mut out);
        assert_eq!(
            marked(&out),
            vec![("bake target `app`".into(), "security.insecure")]
        );
        let source = Source::new("docker-bake.json", "{\"target\": {,}}");
        let mut out = Parsed::default();
        read_json(&source, &mut out);
        assert_eq!(out.diagnostics.len(), 1);
        let source = Source::new("docker-bake.hcl", "target \"a\" {\n  x = = 1\n}\n");
        let mut out = Parsed::default();
        read_hcl(&source, &mut out);
        assert_eq!(out.diagnostics.len(), 1);
        assert_eq!(out.diagnostics[0].position.map(|p| p.line), Some(2));
    }

    #[test]
    fn variables_and_inherited_entitlements() {
        let text = "variable \"ENT\" {\n  default = [\"security.insecure\"]\n}\n\
                    target \"base\" {\n  entitlements = ENT\n}\n\
                    target \"app\" {\n  inherits = [\"base\"]\n}\n\
                    target \"own\" {\n  inherits = [\"base\"]\n  entitlements = []\n}\n\
                    target \"loop\" {\n  inherits = [\"loop\"]\n}\n";
        let source = Source::new("docker-bake.hcl", text);
        let mut out = Parsed::default();
        read_hcl(&source, &mut out);
        let mut names: Vec<_> = marked(&out).into_iter().map(|(n, _)| n).collect();
        names.sort();
        assert_eq!(names, ["bake target `app`", "bake target `base`"]);
        assert!(
            out.builds
                .iter()
                .all(|b| b.at.text() == "security.insecure")
        );
        let (s, _) = source.region(out.builds[0].at.span);
        assert_eq!((s.line, s.column), (2, 15));
        let json = "{\"variable\": {\"E\": {\"default\": \"security.insecure\"}},\n \"target\": {\"t\": {\"entitlements\": [\"${E}\"]}}}";
        let source = Source::new("docker-bake.json", json);
        let mut out = Parsed::default();
        read_json(&source, &mut out);
        assert_eq!(
            marked(&out),
            vec![("bake target `t`".into(), "security.insecure")]
        );
    }
}
