//! Terraform's JSON syntax (`*.tf.json`): the same resources as
//! [`terraform`](super::terraform), written as JSON objects.
//!
//! JSON is read with the spanned [`yaml`](crate::yaml) tree (JSON is a
//! subset of YAML 1.2 flow syntax, and granit-parser keeps byte spans), so
//! no JSON parser with positions needs adding. In Terraform JSON a nested
//! block is an object or an array of objects, `dynamic` blocks are
//! `"dynamic": {"container": {"content": {…}}}`, and a variable is referred to
//! by a string that is exactly `"${var.x}"`: judged by
//! `"variable": {"x": {"default": …}}` in the same file.

use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::model::{
    Capabilities, Capability, Container, Parsed, Platform, Seccomp, SecurityOpt, Use, Value,
};
use crate::source::{Location, Source, Span};
use crate::yaml::{Yaml, YamlRef};

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

pub fn read(source: &Arc<Source>, out: &mut Parsed) {
    let yaml = Yaml::parse(&source.text);
    for e in &yaml.errors {
        out.diagnostics
            .push(Diagnostic::at(source, e.offset, e.problem("JSON")));
    }
    let Some(root) = yaml.roots().next() else {
        return;
    };
    let ctx = Ctx { source, root };
    let Some(resources) = root.get("resource") else {
        return;
    };
    // `"resource": {…}` or `"resource": [{…}]`.
    for resources in objects(resources) {
        for (ty, by_name) in resources.entries() {
            let Some(ty) = ty.as_str() else { continue };
            for (name, bodies) in objects(by_name).iter().flat_map(|m| m.entries()) {
                let Some(name) = name.as_str() else { continue };
                for body in objects(bodies) {
                    if ty == "docker_container" {
                        ctx.docker(body, name, out);
                    } else if let Some(path) = k8s_pod_spec_path(ty) {
                        ctx.kubernetes(body, ty, name, path, out);
                    }
                }
            }
        }
    }
}

/// Where the pod spec sits in each Kubernetes provider resource.
fn k8s_pod_spec_path(ty: &str) -> Option<&'static [&'static str]> {
    let base = ty.strip_suffix("_v1").unwrap_or(ty);
    Some(match base {
        "kubernetes_pod" => &["spec"],
        "kubernetes_deployment"
        | "kubernetes_stateful_set"
        | "kubernetes_daemonset"
        | "kubernetes_daemon_set"
        | "kubernetes_replication_controller"
        | "kubernetes_job" => &["spec", "template", "spec"],
        "kubernetes_cron_job" => &["spec", "job_template", "spec", "template", "spec"],
        _ => return None,
    })
}

/// A block value: one object, or an array of them.
fn objects(node: YamlRef<'_>) -> Vec<YamlRef<'_>> {
    if node.is_mapping() {
        vec![node]
    } else {
        node.items()
            .into_iter()
            .filter(|i| i.is_mapping())
            .collect()
    }
}

/// Nested blocks `key` (also inside `"dynamic": {"key": {"content": …}}`),
/// each with the span a finding about the block itself points at.
fn children<'a>(node: YamlRef<'a>, key: &str) -> Vec<(YamlRef<'a>, Span)> {
    let mut out = Vec::new();
    if let Some(value) = node.get(key) {
        let key_span = node.key(key).map_or(value.span(), |k| k.span());
        let many = value.is_sequence();
        for o in objects(value) {
            let at = if many {
                Span::new(o.span().start, o.span().start + 1)
            } else {
                key_span
            };
            out.push((o, at));
        }
    }
    for dynamic in node.get("dynamic").map(objects).unwrap_or_default() {
        let Some(d) = dynamic.get(key) else { continue };
        let at = dynamic.key(key).map_or(d.span(), |k| k.span());
        for d in objects(d) {
            for content in d.get("content").map(objects).unwrap_or_default() {
                out.push((content, at));
            }
        }
    }
    out
}

fn child<'a>(node: YamlRef<'a>, key: &str) -> Option<YamlRef<'a>> {
    children(node, key).into_iter().next().map(|(n, _)| n)
}

fn path<'a>(node: YamlRef<'a>, keys: &[&str]) -> Option<YamlRef<'a>> {
    keys.iter().try_fold(node, |n, k| child(n, k))
}

struct Ctx<'a> {
    source: &'a Arc<Source>,
    root: YamlRef<'a>,
}

impl<'a> Ctx<'a> {
    /// The value itself, or the default of the variable a `"${var.x}"`
    /// string names, with the reference as where it is used.
    fn resolve(&self, node: YamlRef<'a>) -> Option<(YamlRef<'a>, Vec<Use>)> {
        let var = node
            .as_str()
            .filter(|_| node.as_plain().is_none())
            .and_then(|s| s.strip_prefix("${var.")?.strip_suffix('}'));
        let Some(var) = var else {
            return Some((node, Vec::new()));
        };
        let default = self
            .root
            .get("variable")
            .and_then(|v| objects(v).into_iter().find_map(|o| o.get(var)))
            .and_then(|v| objects(v).into_iter().find_map(|o| o.get("default")))?;
        let used = Location::new(self.source, node.span());
        Some((
            default,
            vec![Use::new(used, "passed through this variable to")],
        ))
    }

    fn value<T>(&self, node: YamlRef<'_>, value: T, used_at: Vec<Use>) -> Value<T> {
        Value {
            value,
            at: Location::new(self.source, node.span()),
            used_at,
        }
    }

    fn bool(&self, node: Option<YamlRef<'a>>) -> Option<Value<bool>> {
        let (node, used) = self.resolve(node?)?;
        let b = match node.as_bool() {
            Some(b) => b,
            // Terraform converts the strings "true"/"false" to bool.
            None => match node.as_str()? {
                "true" => true,
                "false" => false,
                _ => return None,
            },
        };
        Some(self.value(node, b, used))
    }

    fn string(&self, node: Option<YamlRef<'a>>) -> Option<(YamlRef<'a>, &'a str, Vec<Use>)> {
        let (node, used) = self.resolve(node?)?;
        if node.as_plain().is_some() {
            return None;
        }
        Some((node, node.as_str()?, used))
    }

    fn docker(&self, body: YamlRef<'a>, name: &str, out: &mut Parsed) {
        let mut container = Container::new(
            format!("docker_container `{name}`"),
            Platform::Engine,
            Location::new(self.source, body.span()),
        );
        container.privileged = self.bool(body.get("privileged"));
        if let Some(caps) = child(body, "capabilities") {
            container.capabilities = self.capabilities(caps);
        }
        if let Some((list, used)) = body.get("security_opts").and_then(|l| self.resolve(l)) {
            for item in list.items() {
                let Some((item, text, item_used)) = self.string(Some(item)) else {
                    continue;
                };
                let seccomp = match SecurityOpt::parse(text) {
                    SecurityOpt::SeccompUnconfined => Seccomp::Unconfined,
                    SecurityOpt::SeccompProfile(path) => Seccomp::Profile {
                        path: path.to_string(),
                        base: self
                            .source
                            .path
                            .parent()
                            .unwrap_or(Path::new(""))
                            .to_path_buf(),
                    },
                    SecurityOpt::Other => continue,
                };
                let uses = if item_used.is_empty() {
                    used.clone()
                } else {
                    item_used
                };
                container.seccomp.push(self.value(item, seccomp, uses));
            }
        }
        out.containers.push(container);
    }

    /// `"capabilities": {"add": […], "drop": […]}` (the block as an object).
    fn capabilities(&self, caps: YamlRef<'a>) -> Capabilities {
        let list = |key: &str| -> Vec<Value<Capability>> {
            let Some((list, used)) = caps.get(key).and_then(|l| self.resolve(l)) else {
                return Vec::new();
            };
            list.items()
                .into_iter()
                .filter_map(|item| {
                    let (item, text, item_used) = self.string(Some(item))?;
                    let uses = if item_used.is_empty() {
                        used.clone()
                    } else {
                        item_used
                    };
                    Some(self.value(item, Capability::parse(text)?, uses))
                })
                .collect()
        };
        Capabilities {
            add: list("add"),
            drop: list("drop"),
        }
    }

    fn kubernetes(
        &self,
        resource: YamlRef<'a>,
        ty: &str,
        name: &str,
        spec_path: &[&str],
        out: &mut Parsed,
    ) {
        let Some(spec) = path(resource, spec_path) else {
            return;
        };
        let meta_path = &spec_path[..spec_path.len() - 1];
        let metadata = if meta_path.is_empty() {
            child(resource, "metadata")
        } else {
            path(resource, meta_path).and_then(|t| child(t, "metadata"))
        };
        let annotations = metadata
            .and_then(|m| m.get("annotations"))
            .filter(|a| a.is_mapping());
        let resource_name = child(resource, "metadata")
            .and_then(|m| self.string(m.get("name")))
            .map_or(name.to_string(), |(_, n, _)| n.to_string());
        let pod_field = child(spec, "security_context").and_then(|sc| self.profile(sc));
        let pod_annotation = annotations.and_then(|a| self.annotation(a.get(POD_ANNOTATION)));
        for list in ["init_container", "container"] {
            for (c, at) in children(spec, list) {
                let cname = self.string(c.get("name")).map(|(_, n, _)| n.to_string());
                let label = match &cname {
                    Some(n) => format!("container `{n}` of {ty} `{resource_name}`"),
                    None => format!("a container of {ty} `{resource_name}`"),
                };
                let mut container =
                    Container::new(label, Platform::Kubernetes, Location::new(self.source, at));
                let security = child(c, "security_context");
                let own_annotation = cname.as_ref().and_then(|n| {
                    annotations.and_then(|a| {
                        self.annotation(a.get(&format!("{CONTAINER_ANNOTATION_PREFIX}{n}")))
                    })
                });
                let effective = security
                    .and_then(|sc| self.profile(sc))
                    .or(own_annotation)
                    .or_else(|| pod_field.clone())
                    .or_else(|| pod_annotation.clone());
                container.seccomp.extend(effective);
                container.privileged = security.and_then(|sc| self.bool(sc.get("privileged")));
                if let Some(caps) = security.and_then(|sc| child(sc, "capabilities")) {
                    container.capabilities = self.capabilities(caps);
                }
                out.containers.push(container);
            }
        }
    }

    fn profile(&self, security: YamlRef<'a>) -> Option<Value<Seccomp>> {
        let profile = child(security, "seccomp_profile")?;
        let (node, ty, used) = self.string(profile.get("type"))?;
        let seccomp = match ty {
            "Unconfined" => Seccomp::Unconfined,
            "RuntimeDefault" => Seccomp::RuntimeDefault,
            "Localhost" => Seccomp::Localhost(
                self.string(profile.get("localhost_profile"))
                    .map(|(_, p, _)| p.to_string())
                    .unwrap_or_default(),
            ),
            _ => return None,
        };
        Some(self.value(node, seccomp, used))
    }

    fn annotation(&self, value: Option<YamlRef<'a>>) -> Option<Value<Seccomp>> {
        let (node, text, used) = self.string(value)?;
        let seccomp = match text {
            "unconfined" => Seccomp::Unconfined,
            "runtime/default" | "docker/default" => Seccomp::RuntimeDefault,
            _ => Seccomp::Localhost(text.strip_prefix("localhost/")?.to_string()),
        };
        Some(self.value(node, seccomp, used))
    }
}
