//! Dev containers: `.devcontainer.json` and `.devcontainer/**/devcontainer.json`.
//!
//! The spec's format is JSON with comments and trailing commas (VS Code's
//! `jsonc` dialect), read through [`super::json`] with everything else JSON
//! forbids switched off. Read: `securityOpt` (Docker's security options,
//! interpreted by [`SecurityOpt`]), `privileged`, `capAdd`, and `runArgs` (docker
//! flags, through the shared [`cmdline`](crate::cmdline) reader). A relative profile path
//! resolves against the file's directory.

use std::sync::Arc;

use jsonc_parser::ast::Value as Json;

use super::json;
use crate::diagnostic::{Diagnostic, Problem};
use crate::model::{Capability, Container, Parsed, Platform, SecurityOpt, Value};
use crate::source::{Location, Source, Span};

/// Whether `path` names a dev container configuration.
pub fn is_devcontainer_name(path: &std::path::Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name == ".devcontainer.json"
        || (name == "devcontainer.json"
            && path
                .parent()
                .into_iter()
                .flat_map(|p| p.components())
                .any(|c| c.as_os_str() == ".devcontainer"))
}

pub fn read(source: &Arc<Source>, out: &mut Parsed) {
    let Some(doc) = json::parse_or_report(source, json::Dialect::Devcontainer, out) else {
        return;
    };
    out.comments = doc
        .comments
        .iter()
        .map(|&span| Location::new(source, span))
        .collect();
    let Some(root) = doc.root.as_ref().and_then(Json::as_object) else {
        return;
    };
    let name = match root.get_string("name") {
        Some(n) => format!("dev container `{}`", n.value),
        None => format!("dev container `{}`", source.path.display()),
    };
    let mut container = Container::new(
        name,
        Platform::Engine,
        Location::new(source, Span::new(0, 0)),
    );
    if let Some(prop) = root.get("image")
        && let Json::StringLit(s) = &prop.value
    {
        let at = Location::new(source, json::span(&prop.value));
        container.image = Some(Value::new(s.value.to_string(), at));
    }
    let base = source
        .path
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    if let Some(prop) = root.get("securityOpt") {
        match &prop.value {
            Json::Array(items) => {
                for item in &items.elements {
                    let Json::StringLit(s) = item else { continue };
                    let Some(seccomp) = SecurityOpt::parse(&s.value).seccomp(&base) else {
                        continue;
                    };
                    container
                        .seccomp
                        .push(Value::new(seccomp, Location::new(source, json::span(item))));
                }
            }
            other => out
                .diagnostics
                .push(shape(source, other, "`securityOpt` is not a list")),
        }
    }
    if let Some(prop) = root.get("privileged") {
        match &prop.value {
            Json::BooleanLit(b) => {
                container.privileged = Some(Value::new(
                    b.value,
                    Location::new(source, json::span(&prop.value)),
                ));
            }
            other => out
                .diagnostics
                .push(shape(source, other, "`privileged` is not a boolean")),
        }
    }
    if let Some(prop) = root.get("capAdd") {
        match &prop.value {
            Json::Array(items) => {
                for item in &items.elements {
                    let Json::StringLit(s) = item else { continue };
                    if let Some(cap) = Capability::parse(&s.value) {
                        let at = Location::new(source, json::span(item));
                        container.capabilities.add.push(Value::new(cap, at));
                    }
                }
            }
            other => out
                .diagnostics
                .push(shape(source, other, "`capAdd` is not a list")),
        }
    }
    if let Some(prop) = root.get("runArgs") {
        match &prop.value {
            Json::Array(items) => {
                // Each element is one argument: split only inside it, so the
                // two-element form `"--security-opt", "seccomp=unconfined"`
                // and the attached form read alike.
                let mut words = Vec::new();
                for item in &items.elements {
                    if let Json::StringLit(_) = item {
                        let span = json::span(item);
                        let split =
                            crate::cmdline::words::split(&source.text, span.start, span.end);
                        words.extend(split.commands.into_iter().flatten());
                    }
                }
                crate::cmdline::apply_run_flags(source, &words, &base, &mut container);
            }
            other => out
                .diagnostics
                .push(shape(source, other, "`runArgs` is not a list")),
        }
    }
    // A configuration that builds or pulls its own container is one even
    // when it sets nothing (an inventory lists it); one that points at a
    // Compose file has its containers there.
    let own = ["image", "build", "dockerFile"]
        .iter()
        .any(|k| root.get(k).is_some());
    if own
        || !container.seccomp.is_empty()
        || container.privileged.is_some()
        || !container.capabilities.is_empty()
    {
        out.containers.push(container);
    }
}

fn shape(source: &Source, value: &Json<'_>, message: &str) -> Diagnostic {
    Diagnostic::at(
        source,
        json::span(value).start,
        Problem::Shape {
            format: "JSONC",
            expected: "dev container configuration",
            message: message.into(),
        },
    )
}
