//! `docker buildx bake` files: `docker-bake.hcl` and `docker-bake.json`
//! (also the `.override.` variants). A `target`'s `entitlements` list with
//! `security.insecure` lets its `RUN --security=insecure` steps run
//! without seccomp or any other confinement.
//!
//! HCL through `hcl-edit` 0.10 (as for Terraform and Nomad: a span on every
//! expression), JSON through [`super::json`] (strict: Bake reads JSON with
//! Go's `encoding/json`).

use std::sync::Arc;

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use jsonc_parser::ast::Value as Json;

use super::json;
use crate::diagnostic::{Diagnostic, Problem};
use crate::model::{InsecureBuild, Parsed};
use crate::source::{Location, Source, Span};

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
    let body = match hcl_edit::parser::parse_body(&source.text) {
        Ok(body) => body,
        Err(e) => {
            let loc = e.location();
            let line0 = loc
                .line()
                .saturating_sub(1)
                .min(source.lines.line_count().saturating_sub(1));
            let offset = (source.lines.line_start(line0) + loc.column().saturating_sub(1))
                .min(source.text.len());
            out.diagnostics.push(Diagnostic::at(
                source,
                offset,
                Problem::Syntax {
                    format: "HCL",
                    message: e.message().to_string(),
                },
            ));
            return;
        }
    };
    for block in body.get_blocks("target") {
        let target = block.labels.first().map(|l| l.as_str()).unwrap_or("");
        let Some(attr) = block.body.get_attribute("entitlements") else {
            continue;
        };
        let Expression::Array(items) = &attr.value else {
            continue;
        };
        for item in items.iter() {
            let Expression::String(s) = item else {
                continue;
            };
            if s.value().as_str() != INSECURE {
                continue;
            }
            let Some(r) = item.span() else { continue };
            // The span includes the quotes; mark the entitlement itself.
            let span = Span::new(r.start + 1, r.end.saturating_sub(1).max(r.start + 1));
            out.builds.push(InsecureBuild {
                name: format!("bake target `{target}`"),
                at: Location::new(source, span),
            });
        }
    }
}

pub fn read_json(source: &Arc<Source>, out: &mut Parsed) {
    let Some(doc) = json::parse_or_report(source, json::Dialect::Strict, out) else {
        return;
    };
    let Some(targets) = doc
        .root
        .as_ref()
        .and_then(Json::as_object)
        .and_then(|r| r.get_object("target"))
    else {
        return;
    };
    for target in &targets.properties {
        let Json::Object(body) = &target.value else {
            continue;
        };
        let Some(list) = body.get_array("entitlements") else {
            continue;
        };
        for item in &list.elements {
            if item.as_string_lit().is_some_and(|s| s.value == INSECURE) {
                out.builds.push(InsecureBuild {
                    name: format!("bake target `{}`", target.name.as_str()),
                    at: Location::new(source, json::span(item)),
                });
            }
        }
    }
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
}
