//! Kubernetes manifests: every YAML document with `apiVersion` and `kind`.
//!
//! Reads the pod spec of Pod, Deployment, StatefulSet, DaemonSet,
//! ReplicaSet, ReplicationController, Job, CronJob and PodTemplate (and the
//! items of a `kind: List`), over the shared [`yaml`](crate::yaml) tree, so
//! no extra crate is needed. For each container (`containers`,
//! `initContainers`, `ephemeralContainers`) it computes the seccomp profile
//! the kubelet will apply, in the kubelet's order: the container's
//! `securityContext.seccompProfile`, then the container's legacy annotation
//! `container.seccomp.security.alpha.kubernetes.io/<name>`, then the pod's
//! `securityContext.seccompProfile`, then the pod annotation
//! `seccomp.security.alpha.kubernetes.io/pod`. Only that effective setting
//! enters the model, so an override in either direction is already applied
//! when rules look — except an `unconfined` annotation contradicted by a
//! field, which is kept too: the API server rejects such a pod, and a
//! cluster older than 1.19 honours only the annotation, so it is reported.
//! A container with none gets an empty `seccomp` list: on
//! Kubernetes that means Unconfined (the `k8s-seccomp-unset` rule).

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Problem};
use crate::model::{Capabilities, Capability, Container, Parsed, Platform, Seccomp, Value};
use crate::source::{Location, Source, Span};
use crate::yaml::{Yaml, YamlRef};

/// `kind: List` nesting deeper than this is not followed.
const MAX_LIST_DEPTH: usize = 4;

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// Whether a YAML document is a Kubernetes object.
pub fn has_k8s_shape(root: YamlRef<'_>) -> bool {
    root.is_mapping()
        && root.get("apiVersion").and_then(|v| v.as_str()).is_some()
        && root.get("kind").and_then(|v| v.as_str()).is_some()
}

/// Reads every Kubernetes object of every document into the model.
pub fn read(source: &Arc<Source>, yaml: &Yaml, out: &mut Parsed) {
    for root in yaml.roots() {
        if has_k8s_shape(root) {
            read_object(source, root, out, 0);
        }
    }
}

fn read_object(source: &Arc<Source>, obj: YamlRef<'_>, out: &mut Parsed, depth: usize) {
    let Some(kind) = obj.get("kind").and_then(|k| k.as_str()) else {
        return;
    };
    if kind == "List" || kind.ends_with("List") {
        if depth < MAX_LIST_DEPTH {
            for item in obj.get("items").map(|i| i.items()).unwrap_or_default() {
                if has_k8s_shape(item) {
                    read_object(source, item, out, depth + 1);
                }
            }
        }
        return;
    }
    let name = obj
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(|n| n.as_str())
        .unwrap_or("(unnamed)");
    let template = match kind {
        "Pod" => Some(obj),
        "PodTemplate" => obj.get("template"),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => obj.get("spec").and_then(|s| s.get("template")),
        "CronJob" => obj
            .get("spec")
            .and_then(|s| s.get("jobTemplate"))
            .and_then(|j| j.get("spec"))
            .and_then(|s| s.get("template")),
        _ => None,
    };
    let Some(template) = template.filter(|t| t.is_mapping()) else {
        return;
    };
    let Some(spec) = template.get("spec").filter(|s| s.is_mapping()) else {
        return;
    };
    let annotations = template
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .filter(|a| a.is_mapping());
    let mut invalid = Vec::new();
    let pod_field = spec
        .get("securityContext")
        .and_then(|sc| profile_field(source, sc, &mut invalid));
    let pod_annotation = annotations
        .and_then(|a| a.get(POD_ANNOTATION))
        .and_then(|v| annotation(source, v));
    let mut containers = Vec::new();
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        let Some(items) = spec.get(list).filter(|l| !l.is_null()) else {
            continue;
        };
        if !items.is_sequence() {
            out.diagnostics.push(Diagnostic::at(
                source,
                items.span().start,
                Problem::Shape {
                    format: "YAML",
                    expected: "valid Kubernetes object",
                    message: format!("`{list}` of {kind} `{name}` is not a list"),
                },
            ));
            continue;
        }
        for item in items.items() {
            if !item.is_mapping() {
                continue;
            }
            let cname = item.get("name").and_then(|n| n.as_str());
            let label = match cname {
                Some(c) => format!("container `{c}` of {kind} `{name}`"),
                None => format!("a container of {kind} `{name}`"),
            };
            let mut container = Container::new(
                label,
                Platform::Kubernetes,
                Location::new(source, first_entry(item)),
            );
            let security = item.get("securityContext").filter(|s| s.is_mapping());
            let own_annotation = cname.and_then(|c| {
                annotations
                    .and_then(|a| a.get(&format!("{CONTAINER_ANNOTATION_PREFIX}{c}")))
                    .and_then(|v| annotation(source, v))
            });
            let own_field = security.and_then(|sc| profile_field(source, sc, &mut invalid));
            // An `unconfined` annotation that a field contradicts is still
            // reported: the API server refuses pods whose field and
            // annotation disagree, and clusters older than 1.19 read only
            // the annotation.
            let overridden_unconfined = match (&own_field, &pod_field) {
                (Some(_), _) => own_annotation.clone().or_else(|| pod_annotation.clone()),
                (None, Some(_)) if own_annotation.is_none() => pod_annotation.clone(),
                _ => None,
            }
            .filter(|a| a.value == Seccomp::Unconfined);
            let effective = own_field
                .or(own_annotation)
                .or_else(|| pod_field.clone())
                .or_else(|| pod_annotation.clone());
            container.seccomp.extend(effective);
            container.seccomp.extend(overridden_unconfined);
            container.privileged = security
                .and_then(|sc| sc.get("privileged"))
                .and_then(|p| Some(Value::new(p.as_bool()?, Location::new(source, p.span()))));
            if let Some(caps) = security.and_then(|sc| sc.get("capabilities")) {
                container.capabilities = capabilities(source, caps);
            }
            containers.push(container);
        }
    }
    if invalid.is_empty() {
        out.containers.extend(containers);
        return;
    }
    // The API server rejects the whole object: nothing of it runs.
    for ty in invalid {
        out.diagnostics.push(Diagnostic::at(
            source,
            ty.start,
            Problem::Shape {
                format: "YAML",
                expected: "valid Kubernetes object",
                message: format!(
                    "`seccompProfile.type: {}` is not Unconfined, RuntimeDefault or Localhost; the API server rejects {kind} `{name}`",
                    source.slice(ty)
                ),
            },
        ));
    }
}

/// `securityContext.capabilities.add`/`drop` (only containers have them).
fn capabilities(source: &Arc<Source>, caps: YamlRef<'_>) -> Capabilities {
    let list = |key: &str| -> Vec<Value<Capability>> {
        caps.get(key)
            .map(|l| l.items())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|item| {
                let cap = Capability::parse(item.as_str()?)?;
                Some(Value::new(cap, Location::new(source, item.span())))
            })
            .collect()
    };
    Capabilities {
        add: list("add"),
        drop: list("drop"),
    }
}

/// The span of a list item's first `key: value`, where the item starts
/// (`- name: x`): a container's own place when no value can be marked.
fn first_entry(item: YamlRef<'_>) -> Span {
    match item.entries().first() {
        Some((k, v)) if v.as_str().is_some() && v.span().start >= k.span().start => Span {
            start: k.span().start,
            end: v.span().end,
        },
        Some((k, _)) => k.span(),
        None => item.span(),
    }
}

/// `securityContext.seccompProfile.type`, as the API defines its values.
/// Anything else is rejected by the API server: noted in `invalid`.
fn profile_field(
    source: &Arc<Source>,
    security: YamlRef<'_>,
    invalid: &mut Vec<Span>,
) -> Option<Value<Seccomp>> {
    let profile = security.get("seccompProfile")?;
    let ty = profile.get("type")?;
    let value = match ty.as_str()? {
        "Unconfined" => Seccomp::Unconfined,
        "RuntimeDefault" => Seccomp::RuntimeDefault,
        "Localhost" => Seccomp::Localhost(
            profile
                .get("localhostProfile")
                .and_then(|p| p.as_str())
                .unwrap_or("")
                .to_string(),
        ),
        _ => {
            invalid.push(ty.span());
            return None;
        }
    };
    Some(Value::new(value, Location::new(source, ty.span())))
}

/// The legacy annotations' values: `unconfined`, `runtime/default`,
/// `docker/default`, `localhost/<path>`.
fn annotation(source: &Arc<Source>, value: YamlRef<'_>) -> Option<Value<Seccomp>> {
    let text = value.as_str()?;
    let seccomp = match text {
        "unconfined" => Seccomp::Unconfined,
        "runtime/default" | "docker/default" => Seccomp::RuntimeDefault,
        _ => Seccomp::Localhost(text.strip_prefix("localhost/")?.to_string()),
    };
    Some(Value::new(seccomp, Location::new(source, value.span())))
}
