//! Kubernetes manifests: every YAML document with `apiVersion` and `kind`.
//! Per container: `securityContext.privileged`, `seccompProfile`,
//! `capabilities.add`/`drop`, and the legacy seccomp annotations.
//!
//! **Where pod specs are.** Not only in the core workloads: Argo Workflows
//! (`templates[].container`, `script`, `containerSet.containers`,
//! `initContainers`, `sidecars`), Argo Rollouts, Knative Services,
//! OpenShift DeploymentConfigs, Tekton Tasks and Pipelines (`steps`,
//! `stepTemplate`, `sidecars`), KEDA ScaledJobs and any operator's custom
//! resource embed the core pod shape somewhere below their `spec`. So one
//! walk over each document finds them all: a mapping that holds a list of
//! containers (`containers`, `initContainers`, `ephemeralContainers` under a
//! `spec`, or any of those and `sidecars`/`steps` whose items have an
//! `image`) or a single container (`container`, `script` with an `image`) is
//! a pod level, and its `securityContext` is the pod's. A Tekton step takes
//! what it does not set itself from its task's `stepTemplate` (Tekton merges
//! the template into each step). A pod level without
//! one inherits the nearest enclosing `securityContext` (Argo applies the
//! workflow's `spec.securityContext` to a template that sets none:
//! `workflow/controller/workflowpod.go`). A ConfigMap that holds a pod spec
//! as a string holds a string, not a pod spec. The walk keeps its own stack
//! (no recursion on the input's depth) and visits each written node once
//! (an alias is read where it is used, never walked twice), so a `List` of
//! 100,000 items costs linear time.
//!
//! **Precedence**, per container, as the API server and the kubelet apply
//! it: the container's `securityContext.seccompProfile`, else the
//! container's annotation `container.seccomp.security.alpha.kubernetes.io/
//! <name>`, else the pod's `securityContext.seccompProfile`, else the pod's
//! annotation `seccomp.security.alpha.kubernetes.io/pod`. Since 1.19 the API
//! server copies an annotation into the field of its own level when that
//! field is empty (`applySeccompVersionSkew` in
//! `pkg/registry/core/pod/strategy.go`) and the kubelet takes the
//! container's field before the pod's (`getSeccompProfile` in
//! `pkg/kubelet/kuberuntime/helpers.go`): a pod annotation `unconfined`
//! never reaches a container whose own field says `RuntimeDefault`. Only
//! that effective setting enters the model, with one exception: an
//! `unconfined` annotation that disagrees with the field of its own level
//! is kept too, since the API server rejects only such a same-level
//! mismatch (`validateSeccompAnnotationsAndFields`), and a cluster older
//! than 1.19 honours only the annotation. A container with none gets an
//! empty `seccomp` list: on Kubernetes that means Unconfined (the
//! `k8s-seccomp-unset` rule).
//!
//! **Values** are decoded as `kubectl` and the API server decode YAML:
//! through `sigs.k8s.io/yaml`, which converts YAML 1.1 to JSON with
//! `go.yaml.in/yaml/v2`, so a plain `yes`, `on`, `y`, `True` is a boolean
//! true and `no`, `off`, `n` false ([`api_bool`]); a quoted `"true"` is a
//! string, which the API rejects for a boolean field.
//!
//! **Templates.** A masked template (see [`template`](super::template)) is
//! read like any manifest. A value written by an action (`{{ .Values.x }}`)
//! is not judged; a security context that an action writes (`securityContext:
//! {{- toYaml .Values.securityContext | nindent 12 }}`, or an `include` line
//! that adds keys to the container) makes the container's profile
//! [`Seccomp::Templated`]: known only once rendered. Branches of a template
//! may repeat a key; every repetition is read, and the weakest setting wins.

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Problem};
use crate::model::{Capabilities, Capability, Container, Parsed, Platform, Seccomp, Use, Value};
use crate::source::{Location, Source, Span};
use crate::yaml::{Yaml, YamlRef};

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// The core pod spec's container lists: under a `spec` they are containers
/// even when an item lacks an `image` (the author's intent is plain).
const CORE_LISTS: &[&str] = &["initContainers", "containers", "ephemeralContainers"];
/// Lists of containers elsewhere (Argo and Tekton `sidecars`, Tekton
/// `steps`): containers when an item has an `image`.
const OTHER_LISTS: &[&str] = &["sidecars", "steps"];
/// Keys that hold one container (Argo `container` and `script` templates).
const SINGLE: &[&str] = &["container", "script"];

/// Whether a YAML document is a Kubernetes object.
pub fn has_k8s_shape(root: YamlRef<'_>) -> bool {
    root.is_mapping()
        && root.get("apiVersion").and_then(|v| v.as_str()).is_some()
        && root.get("kind").and_then(|v| v.as_str()).is_some()
}

/// A boolean as `sigs.k8s.io/yaml` decodes it (YAML 1.1 via
/// `go.yaml.in/yaml/v2`'s `resolve.go`): plain scalars only.
pub fn api_bool(node: YamlRef<'_>) -> Option<bool> {
    match node.as_plain()? {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Some(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Some(false)
        }
        _ => None,
    }
}

/// Whether a node is written by a template action (its text in the file
/// holds one: after masking, its value is a placeholder).
pub fn is_templated(source: &Source, node: YamlRef<'_>) -> bool {
    let written = source.text.get(node.span().range()).unwrap_or("");
    written.contains("{{") || written.contains("{%")
}

/// Reads every Kubernetes object of every document into the model.
pub fn read(source: &Arc<Source>, yaml: &Yaml, out: &mut Parsed) {
    let mut walk = Walk {
        source,
        templated: source.text.contains("{{") || source.text.contains("{%"),
        objects: Vec::new(),
        levels: Vec::new(),
        out,
    };
    for root in yaml.roots() {
        if has_k8s_shape(root) {
            walk.document(root);
        }
    }
}

struct Walk<'s, 'o> {
    source: &'s Arc<Source>,
    /// Whether the file holds template actions at all.
    templated: bool,
    /// (kind, name) of each object met.
    objects: Vec<(String, String)>,
    /// Pod-level settings that enclosing levels pass down.
    levels: Vec<Level>,
    out: &'o mut Parsed,
}

/// A `securityContext` that levels below inherit.
#[derive(Clone, Default)]
struct Level {
    field: Option<Value<Seccomp>>,
    /// Where a template action writes it, when one does.
    templated: Option<Span>,
}

#[derive(Clone, Copy)]
struct Ctx<'a> {
    object: usize,
    inherited: Option<usize>,
    /// The mapping whose `spec` this node is: where pod annotations live.
    spec_of: Option<YamlRef<'a>>,
}

/// A container found in a pod level: how messages name it, and its node.
struct Found<'a> {
    label: String,
    node: YamlRef<'a>,
    name: Option<&'a str>,
    /// Tekton's `stepTemplate`, whose settings a step takes where it sets
    /// none of its own.
    template: Option<YamlRef<'a>>,
}

impl<'a> Walk<'_, '_> {
    fn document(&mut self, root: YamlRef<'a>) {
        let mut stack = vec![(
            root,
            Ctx {
                object: 0,
                inherited: None,
                spec_of: None,
            },
        )];
        while let Some((node, mut ctx)) = stack.pop() {
            if node.is_sequence() {
                for item in node.items().into_iter().rev() {
                    if item.used_at().is_none() {
                        stack.push((
                            item,
                            Ctx {
                                spec_of: None,
                                ..ctx
                            },
                        ));
                    }
                }
                continue;
            }
            if !node.is_mapping() {
                continue;
            }
            if has_k8s_shape(node) {
                let kind = node.get("kind").and_then(|k| k.as_str()).unwrap_or("");
                let meta = node.get("metadata");
                let name = meta
                    .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
                    .map(|n| self.text(n))
                    .unwrap_or_else(|| "(unnamed)".into());
                self.objects.push((kind.to_string(), name));
                ctx = Ctx {
                    object: self.objects.len() - 1,
                    inherited: None,
                    spec_of: ctx.spec_of,
                };
            }
            let found = self.containers(node, ctx);
            let mut skip: Vec<usize> = found.iter().map(|f| f.node.id()).collect();
            if found.is_empty() {
                if let Some(level) = self.security_level(node, ctx) {
                    self.levels.push(level);
                    ctx.inherited = Some(self.levels.len() - 1);
                }
            } else {
                self.pod(node, ctx, found);
                // The lists themselves were read as containers.
                for key in CORE_LISTS.iter().chain(OTHER_LISTS).chain(SINGLE) {
                    if let Some(v) = node.get(key) {
                        skip.push(v.id());
                    }
                }
            }
            let mut children = Vec::new();
            for (key, value) in node.pairs() {
                if value.used_at().is_some()
                    || !(value.is_mapping() || value.is_sequence())
                    || skip.contains(&value.id())
                    || key.as_str() == Some("metadata")
                {
                    continue;
                }
                let spec_of = (key.as_str() == Some("spec")).then_some(node);
                children.push((value, Ctx { spec_of, ..ctx }));
            }
            stack.extend(children.into_iter().rev());
        }
    }

    /// The containers a mapping holds directly, if it is a pod level.
    fn containers(&mut self, node: YamlRef<'a>, ctx: Ctx<'a>) -> Vec<Found<'a>> {
        let (kind, name) = self.objects[ctx.object].clone();
        let mut found = Vec::new();
        let has_image = |c: &YamlRef<'_>| c.is_mapping() && c.get("image").is_some();
        // Tekton merges the `stepTemplate` into every step (a step's own
        // fields win), so a step reads it as its defaults.
        let step_template = node.get("stepTemplate").filter(|t| t.is_mapping());
        for key in CORE_LISTS.iter().chain(OTHER_LISTS) {
            let Some(list) = node.get(key).filter(|l| !l.is_null()) else {
                continue;
            };
            let core = CORE_LISTS.contains(key) && ctx.spec_of.is_some();
            if !list.is_sequence() {
                if core && !is_templated(self.source, list) {
                    self.out.diagnostics.push(Diagnostic::at(
                        self.source,
                        list.span().start,
                        Problem::Shape {
                            format: "YAML",
                            expected: "valid Kubernetes object",
                            message: format!("`{key}` of {kind} `{name}` is not a list"),
                        },
                    ));
                }
                continue;
            }
            let items = list.items();
            if !core && !items.iter().any(has_image) {
                continue;
            }
            for item in items.into_iter().filter(|i| i.is_mapping()) {
                let cname = item.get("name").and_then(|n| n.as_str());
                let label = match item.get("name").filter(|n| n.as_str().is_some()) {
                    Some(n) => format!("container `{}` of {kind} `{name}`", self.text(n)),
                    None => format!("a container of {kind} `{name}`"),
                };
                found.push(Found {
                    label,
                    node: item,
                    name: cname,
                    template: step_template.filter(|_| *key == "steps"),
                });
            }
        }
        let holder = node
            .get("name")
            .filter(|n| n.as_str().is_some())
            .map(|n| self.text(n));
        let of = match &holder {
            Some(h) => format!("`{h}` in {kind} `{name}`"),
            None => format!("{kind} `{name}`"),
        };
        for key in SINGLE {
            if let Some(c) = node.get(key).filter(has_image) {
                found.push(Found {
                    label: format!("the `{key}` of {of}"),
                    node: c,
                    name: None,
                    template: None,
                });
            }
        }
        found
    }

    /// A mapping's `securityContext` as the level for the pod levels below
    /// it; like Argo, a level that writes one replaces what it inherits.
    fn security_level(&mut self, node: YamlRef<'a>, ctx: Ctx<'a>) -> Option<Level> {
        let contexts = every(node, "securityContext");
        if contexts.is_empty() {
            return None;
        }
        let mut invalid = Vec::new();
        let level = Level {
            field: self.profile(&contexts, &mut invalid),
            templated: self.templated_value(node, "securityContext"),
        };
        self.report_invalid(ctx, invalid);
        Some(level)
    }

    /// Reads the containers of one pod level with its pod-level settings.
    fn pod(&mut self, spec: YamlRef<'a>, ctx: Ctx<'a>, found: Vec<Found<'a>>) {
        let meta = ctx
            .spec_of
            .and_then(|p| p.get("metadata"))
            .or_else(|| spec.get("metadata"));
        let annotations = meta.and_then(|m| m.get("annotations"));
        let annotations_templated = meta.and_then(|m| self.templated_value(m, "annotations"));
        let annotations = annotations.filter(|a| a.is_mapping());
        let mut invalid = Vec::new();
        let contexts = every(spec, "securityContext");
        let inherited = ctx.inherited.map(|i| self.levels[i].clone());
        let own = Level {
            field: self.profile(&contexts, &mut invalid),
            templated: self
                .templated_value(spec, "securityContext")
                .or(annotations_templated)
                .or_else(|| self.injects_keys(spec).then_some(spec.span())),
        };
        let pod = match (contexts.is_empty(), inherited) {
            (true, Some(outer)) => Level {
                templated: own.templated.or(outer.templated),
                field: outer.field,
            },
            _ => own,
        };
        let pod_annotation = annotations
            .and_then(|a| a.get(POD_ANNOTATION))
            .and_then(|v| self.annotation(v));
        let mut containers = Vec::new();
        for f in found {
            let mut container = Container::new(
                f.label,
                Platform::Kubernetes,
                Location::new(self.source, first_entry(f.node)),
            );
            let security: Vec<_> = every(f.node, "securityContext")
                .into_iter()
                .filter(|s| s.is_mapping())
                .collect();
            let own_annotation = f.name.and_then(|c| {
                annotations
                    .and_then(|a| a.get(&format!("{CONTAINER_ANNOTATION_PREFIX}{c}")))
                    .and_then(|v| self.annotation(v))
            });
            let inherited: Vec<_> = f
                .template
                .map(|t| every(t, "securityContext"))
                .unwrap_or_default()
                .into_iter()
                .filter(|s| s.is_mapping())
                .collect();
            let own_field = self.profile(&security, &mut invalid).or_else(|| {
                let v = self.profile(&inherited, &mut invalid)?;
                Some(through_template(v, &container.at))
            });
            // An `unconfined` annotation that the field of its own level
            // contradicts is reported too: the API server rejects exactly
            // that mismatch, and clusters before 1.19 read only annotations.
            let contradicted = match (&own_field, &own_annotation) {
                (Some(_), Some(a)) => Some(a.clone()),
                (None, None) if pod.field.is_some() => pod_annotation.clone(),
                _ => None,
            }
            .filter(|a| a.value == Seccomp::Unconfined);
            let effective = own_field
                .or(own_annotation)
                .or_else(|| pod.field.clone())
                .or_else(|| pod_annotation.clone())
                .or_else(|| {
                    let at = self
                        .templated_value(f.node, "securityContext")
                        .or_else(|| self.injects_keys(f.node).then_some(f.node.span()))
                        .or(pod.templated)?;
                    Some(Value::new(
                        Seccomp::Templated,
                        Location::new(self.source, at),
                    ))
                });
            container.image = f
                .node
                .get("image")
                .filter(|i| !is_templated(self.source, *i))
                .and_then(|i| Some(self.value(i, i.as_str()?.to_string())));
            container.seccomp.extend(effective);
            container.seccomp.extend(contradicted);
            container.privileged = self.privileged(&security).or_else(|| {
                Some(through_template(
                    self.privileged(&inherited)?,
                    &container.at,
                ))
            });
            container.capabilities = self.capabilities(&security);
            if container.capabilities.is_empty() {
                container.capabilities = self.capabilities(&inherited);
            }
            containers.push(container);
        }
        if invalid.is_empty() {
            self.out.containers.extend(containers);
        } else {
            // The API server rejects the whole object: nothing of it runs.
            self.report_invalid(ctx, invalid);
        }
    }

    fn report_invalid(&mut self, ctx: Ctx<'_>, invalid: Vec<Span>) {
        let (kind, name) = &self.objects[ctx.object];
        for ty in invalid {
            self.out.diagnostics.push(Diagnostic::at(
                self.source,
                ty.start,
                Problem::Shape {
                    format: "YAML",
                    expected: "valid Kubernetes object",
                    message: format!(
                        "`seccompProfile.type: {}` is not Unconfined, RuntimeDefault or Localhost; the API server rejects {kind} `{name}`",
                        self.source.slice(ty)
                    ),
                },
            ));
        }
    }

    /// `privileged` over every security context written (template branches
    /// may write several): a true one wins.
    fn privileged(&self, contexts: &[YamlRef<'_>]) -> Option<Value<bool>> {
        let mut first = None;
        for sc in contexts {
            for p in every(*sc, "privileged") {
                let Some(b) = api_bool(p) else { continue };
                let value = self.value(p, b);
                if b {
                    return Some(value);
                }
                first.get_or_insert(value);
            }
        }
        first
    }

    /// `securityContext.capabilities.add`/`drop` (only containers have
    /// them), over every security context written.
    fn capabilities(&self, contexts: &[YamlRef<'_>]) -> Capabilities {
        let mut caps = Capabilities::default();
        for sc in contexts {
            for c in every(*sc, "capabilities") {
                for (key, list) in [("add", &mut caps.add), ("drop", &mut caps.drop)] {
                    for l in every(c, key) {
                        list.extend(l.items().into_iter().filter_map(|item| {
                            Some(self.value(item, Capability::parse(item.as_str()?)?))
                        }));
                    }
                }
            }
        }
        caps
    }

    /// `seccompProfile.type` over every security context written, as the
    /// API defines its values; an Unconfined one wins. Anything else is
    /// rejected by the API server: noted in `invalid`.
    fn profile(&self, contexts: &[YamlRef<'_>], invalid: &mut Vec<Span>) -> Option<Value<Seccomp>> {
        let mut first = None;
        for sc in contexts {
            for profile in every(*sc, "seccompProfile") {
                for ty in every(profile, "type") {
                    let value = match ty.as_str() {
                        _ if is_templated(self.source, ty) => Seccomp::Templated,
                        Some("Unconfined") => Seccomp::Unconfined,
                        Some("RuntimeDefault") => Seccomp::RuntimeDefault,
                        Some("Localhost") => Seccomp::Localhost(
                            profile
                                .get("localhostProfile")
                                .and_then(|p| p.as_str())
                                .unwrap_or("")
                                .to_string(),
                        ),
                        _ => {
                            invalid.push(ty.span());
                            continue;
                        }
                    };
                    let unconfined = value == Seccomp::Unconfined;
                    let value = self.value(ty, value);
                    if unconfined {
                        return Some(value);
                    }
                    first.get_or_insert(value);
                }
            }
        }
        first
    }

    /// The legacy annotations' values: `unconfined`, `runtime/default`,
    /// `docker/default`, `localhost/<path>`.
    fn annotation(&self, value: YamlRef<'_>) -> Option<Value<Seccomp>> {
        let text = value.as_str()?;
        let seccomp = match text {
            "unconfined" => Seccomp::Unconfined,
            "runtime/default" | "docker/default" => Seccomp::RuntimeDefault,
            _ => Seccomp::Localhost(text.strip_prefix("localhost/")?.to_string()),
        };
        Some(self.value(value, seccomp))
    }

    fn value<T>(&self, node: YamlRef<'_>, value: T) -> Value<T> {
        let mut v = Value::new(value, Location::new(self.source, node.span()));
        if let Some(alias) = node.used_at() {
            v.used_at.push(Use::new(
                Location::new(self.source, alias),
                "applied through this alias to",
            ));
        }
        v
    }

    /// A name as messages show it: as written when a template writes it.
    fn text(&self, node: YamlRef<'_>) -> String {
        if is_templated(self.source, node) {
            return super::template::one_line(self.source.slice(node.span()));
        }
        node.as_str().unwrap_or("").to_string()
    }

    /// Where a template action writes the value of `key` in `map`: the
    /// value holds one (`securityContext: {{- toYaml … }}`), or the value is
    /// empty and an action is the next thing written after the key (an
    /// `include`/`toYaml` on the following line).
    fn templated_value(&self, map: YamlRef<'_>, key: &str) -> Option<Span> {
        if !self.templated {
            return None;
        }
        for (k, v) in map.pairs() {
            if k.as_str() != Some(key) {
                continue;
            }
            if v.as_str().is_some() && is_templated(self.source, v) {
                return Some(v.span());
            }
            if v.is_null() {
                let after = self.source.text.get(k.span().end..).unwrap_or("");
                let after = after.trim_start_matches(['"', '\'']);
                let after = after.strip_prefix(':').unwrap_or(after).trim_start();
                if after.starts_with("{{") || after.starts_with("{%") {
                    return Some(k.span());
                }
            }
        }
        None
    }

    /// Whether a line of its own that is a template output action (an
    /// `include`, `toYaml` or `template` line) adds keys to `map`: its
    /// indentation, or its `indent`/`nindent` argument, is the column of
    /// `map`'s keys. Control actions (`if`, `end`, …) add nothing.
    fn injects_keys(&self, map: YamlRef<'_>) -> bool {
        if !self.templated || !map.is_mapping() {
            return false;
        }
        let text = &self.source.text;
        let start = map.span().start;
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let column = start - line_start;
        let Some(first_break) = text[start..].find('\n') else {
            return false;
        };
        for line in text[start + first_break + 1..].lines() {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if let Some(action) = standalone_action(trimmed) {
                if is_control(action) {
                    continue;
                }
                if indent_argument(action).unwrap_or(indent) == column {
                    return true;
                }
                continue;
            }
            if indent < column {
                return false;
            }
        }
        false
    }
}

/// The body of a line that is one action and nothing else.
fn standalone_action(trimmed: &str) -> Option<&str> {
    let trimmed = trimmed.trim_end();
    let inner = trimmed
        .strip_prefix("{{")
        .and_then(|r| r.strip_suffix("}}"))
        .or_else(|| {
            trimmed
                .strip_prefix("{%")
                .and_then(|r| r.strip_suffix("%}"))
        })?;
    Some(inner.trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace()))
}

fn is_control(action: &str) -> bool {
    let word = action
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or("");
    matches!(
        word,
        "if" | "else"
            | "elif"
            | "end"
            | "range"
            | "with"
            | "define"
            | "block"
            | "for"
            | "set"
            | "macro"
    ) || word.starts_with("end")
        || action.starts_with("/*")
}

/// `N` of `indent N` / `nindent N` in an action's pipeline.
fn indent_argument(action: &str) -> Option<usize> {
    let mut words = action.split_whitespace();
    while let Some(w) = words.next() {
        if w == "indent" || w == "nindent" {
            return words.next()?.trim_end_matches(')').parse().ok();
        }
    }
    None
}

/// A value a Tekton step takes from its task's `stepTemplate`.
fn through_template<T>(mut v: Value<T>, step: &Location) -> Value<T> {
    v.used_at.push(Use::new(
        step.clone(),
        "applied through the `stepTemplate` to",
    ));
    v
}

/// Every value of `key` written in `map` (template branches may repeat a
/// key), or the one a `<<` merge brings in.
fn every<'a>(map: YamlRef<'a>, key: &str) -> Vec<YamlRef<'a>> {
    let written: Vec<_> = map
        .pairs()
        .filter(|(k, _)| k.as_str() == Some(key) && k.as_plain() != Some("<<"))
        .map(|(_, v)| v)
        .collect();
    if written.is_empty() {
        return map.get(key).into_iter().collect();
    }
    written
}

/// The span of a list item's first `key: value`, where the item starts
/// (`- name: x`): a container's own place when no value can be marked.
fn first_entry(item: YamlRef<'_>) -> Span {
    match item.pairs().next() {
        Some((k, v)) if v.as_str().is_some() && v.span().start >= k.span().start => Span {
            start: k.span().start,
            end: v.span().end,
        },
        Some((k, _)) => k.span(),
        None => item.span(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bools(src: &str) -> Vec<Option<bool>> {
        let y = Yaml::parse(src);
        y.roots()
            .next()
            .unwrap()
            .items()
            .into_iter()
            .map(api_bool)
            .collect()
    }

    #[test]
    fn booleans_as_sigs_k8s_io_yaml_reads_them() {
        assert_eq!(
            bools("[yes, Yes, on, ON, y, Y, true, True, TRUE]"),
            vec![Some(true); 9]
        );
        assert_eq!(
            bools("[no, off, n, N, false, False, OFF]"),
            vec![Some(false); 7]
        );
        assert_eq!(bools("['true', \"yes\", tRUE, 1, enabled]"), vec![None; 5]);
    }

    #[test]
    fn a_list_of_100_000_items_is_read_in_one_pass() {
        let mut text = String::from("apiVersion: v1\nkind: List\nitems:\n");
        for i in 0..100_000 {
            text.push_str(&format!(
                "- {{apiVersion: v1, kind: Pod, spec: {{containers: [{{name: c{i}, securityContext: {{privileged: true}}}}]}}}}\n"
            ));
        }
        let source = Source::new("list.yaml", text);
        let yaml = Yaml::parse(&source.text);
        assert!(yaml.errors.is_empty(), "{:?}", yaml.errors);
        let mut out = Parsed::default();
        read(&source, &yaml, &mut out);
        assert_eq!(out.containers.len(), 100_000);
        assert_eq!(
            out.containers[99_999].name,
            "container `c99999` of Pod `(unnamed)`"
        );
    }

    #[test]
    fn indent_arguments() {
        assert_eq!(indent_argument("toYaml . | nindent 12"), Some(12));
        assert_eq!(indent_argument("include \"x\" . | indent 8"), Some(8));
        assert_eq!(indent_argument("toYaml ."), None);
        assert!(is_control("- if .Values.x"[2..].trim()));
        assert!(is_control("endfor"));
        assert!(!is_control("include \"x\" ."));
    }
}
