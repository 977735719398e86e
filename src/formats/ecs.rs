//! Amazon ECS container definitions, wherever they are written: a task
//! definition in JSON (what `aws ecs register-task-definition
//! --cli-input-json` takes and `describe-task-definition` prints, or the
//! bare `containerDefinitions` array Terraform's `file()` reads),
//! CloudFormation's `AWS::ECS::TaskDefinition` (YAML with its short-form
//! tags `!Ref`/`!Sub`/…, and JSON), and Terraform's
//! `aws_ecs_task_definition` `container_definitions` (`jsonencode([...])`
//! evaluated, or a heredoc of JSON read in place, with spans inside it).
//!
//! The settings, from the ECS API reference (`ContainerDefinition`,
//! docs.aws.amazon.com/AmazonECS/latest/APIReference): `privileged`
//! (boolean; "the container is given elevated privileges on the host
//! container instance (similar to the root user)", maps to `--privileged`),
//! `linuxParameters.capabilities.add`/`drop` (capability names without
//! `CAP_`, map to `--cap-add`/`--cap-drop`), `dockerSecurityOptions`
//! ("maps to SecurityOpt … and the --security-opt option to docker run";
//! the documented values are `no-new-privileges`, `apparmor:`, `label:` and
//! `credentialspec:`, and a `seccomp` option written there is read as
//! Docker reads it), `name` and `image`. The container agent runs the
//! container on Docker, whose default profile applies otherwise.
//!
//! Values, by where they are written:
//! - the ECS API's JSON is decoded into typed fields (the SDKs, and
//!   Terraform's provider with Go's `encoding/json`): `privileged` must be
//!   a JSON boolean; the string `"true"` is refused, so it is no finding;
//! - CloudFormation properties are named in PascalCase (`Privileged`,
//!   `LinuxParameters.Capabilities.Add`, `DockerSecurityOptions`);
//!   CloudFormation reads YAML 1.1 ("Template formats" in its user guide)
//!   and converts the strings `"true"`/`"false"` for a Boolean property, so
//!   `Privileged: yes` and `Privileged: 'true'` are privileged. A value
//!   given by an intrinsic function (a tag such as `!Ref`, or a mapping
//!   with `Ref`/`Fn::…`) is known only at deploy time: never judged;
//! - Terraform values go through its evaluator (variables, locals,
//!   conditionals); a heredoc's `${…}` interpolations are opaque.

use std::path::Path;
use std::sync::Arc;

use super::hcl::eval::{Kind, Val};
use crate::model::{Capability, Container, Parsed, Platform, SecurityOpt, Value};
use crate::source::{Location, Source, Span};
use crate::yaml::{Yaml, YamlRef};

/// One container definition's settings, from whichever tree holds them.
#[derive(Default)]
struct Definition {
    name: Option<Value<String>>,
    image: Option<Value<String>>,
    privileged: Option<Value<bool>>,
    security_options: Vec<Value<String>>,
    add: Vec<Value<String>>,
    drop: Vec<Value<String>>,
}

/// How a container definition is named and who reads its values.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    /// The ECS API's JSON (camelCase, strict booleans).
    Api,
    /// CloudFormation (PascalCase, YAML 1.1 and string booleans).
    CloudFormation,
}

impl Dialect {
    fn key(self, camel: &str) -> String {
        match self {
            Dialect::Api => camel.to_string(),
            Dialect::CloudFormation => {
                let mut c = camel.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            }
        }
    }
}

/// The model container of one definition.
fn container(def: Definition, owner: &str, declared: Location, base: &Path) -> Container {
    let label = match &def.name {
        Some(n) => format!("container `{}` of {owner}", n.value),
        None => format!("a container of {owner}"),
    };
    let at = def.name.as_ref().map_or(declared, |n| n.at.clone());
    let mut c = Container::new(label, Platform::Engine, at);
    c.image = def.image;
    c.privileged = def.privileged;
    for opt in def.security_options {
        let Some(seccomp) = SecurityOpt::parse(&opt.value).seccomp(base) else {
            continue;
        };
        c.seccomp.push(Value {
            value: seccomp,
            at: opt.at,
            used_at: opt.used_at,
        });
    }
    for (from, to) in [
        (def.add, &mut c.capabilities.add),
        (def.drop, &mut c.capabilities.drop),
    ] {
        to.extend(from.into_iter().filter_map(|v| {
            Some(Value {
                value: Capability::parse(&v.value)?,
                at: v.at,
                used_at: v.used_at,
            })
        }));
    }
    c
}

fn base_of(source: &Source) -> std::path::PathBuf {
    source
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

// ---- the YAML tree: task definition JSON, CloudFormation ----

/// Whether a document holds ECS container definitions: a task definition
/// (`containerDefinitions`, also inside `describe-task-definition`'s
/// `taskDefinition`), or the bare array of definitions (objects with an
/// `image` and a key only ECS container definitions have).
pub fn is_task_definition(root: YamlRef<'_>) -> bool {
    task_definition(root).is_some() || is_definition_list(root)
}

fn task_definition(root: YamlRef<'_>) -> Option<YamlRef<'_>> {
    let td = root.get("taskDefinition").unwrap_or(root);
    td.get("containerDefinitions")
        .filter(|d| d.is_sequence())
        .map(|_| td)
}

fn is_definition_list(root: YamlRef<'_>) -> bool {
    const ECS_ONLY: &[&str] = &[
        "essential",
        "portMappings",
        "logConfiguration",
        "linuxParameters",
        "dockerSecurityOptions",
        "memoryReservation",
        "repositoryCredentials",
    ];
    let items = root.items();
    !items.is_empty()
        && items.iter().all(|i| {
            i.is_mapping()
                && i.get("image").is_some()
                && ECS_ONLY.iter().any(|k| i.get(k).is_some())
        })
}

/// Reads a task definition document (JSON read as YAML), or the bare array
/// of container definitions.
pub fn read_task_definition(source: &Arc<Source>, root: YamlRef<'_>, out: &mut Parsed) {
    let base = base_of(source);
    let (defs, owner) = match task_definition(root) {
        Some(td) => {
            let family = td.get("family").and_then(|f| f.as_str());
            let owner = match family {
                Some(f) => format!("task definition `{f}`"),
                None => "the task definition".to_string(),
            };
            (td.get("containerDefinitions").map(|d| d.items()), owner)
        }
        None => (Some(root.items()), "the container definitions".to_string()),
    };
    for def in defs.unwrap_or_default() {
        let declared = Location::new(source, first_byte(def.span()));
        let def = from_yaml(source, def, Dialect::Api);
        out.containers.push(container(def, &owner, declared, &base));
    }
}

/// Whether a document is a CloudFormation template with an ECS task
/// definition.
pub fn is_cloudformation(root: YamlRef<'_>) -> bool {
    root.get("Resources").is_some_and(|r| {
        r.pairs().any(|(_, res)| {
            res.get("Type").and_then(|t| t.as_str()) == Some("AWS::ECS::TaskDefinition")
        })
    })
}

/// Reads every `AWS::ECS::TaskDefinition` of a CloudFormation template.
pub fn read_cloudformation(source: &Arc<Source>, yaml: &Yaml, out: &mut Parsed) {
    let base = base_of(source);
    for root in yaml.roots() {
        let Some(resources) = root.get("Resources") else {
            continue;
        };
        for (id, res) in resources.pairs() {
            if res.get("Type").and_then(|t| t.as_str()) != Some("AWS::ECS::TaskDefinition") {
                continue;
            }
            let owner = format!(
                "`{}` (AWS::ECS::TaskDefinition)",
                id.as_str().unwrap_or("?")
            );
            let defs = res
                .get("Properties")
                .and_then(|p| p.get("ContainerDefinitions"))
                .map(|d| d.items())
                .unwrap_or_default();
            for def in defs {
                let declared = Location::new(source, first_byte(def.span()));
                let def = from_yaml(source, def, Dialect::CloudFormation);
                out.containers.push(container(def, &owner, declared, &base));
            }
        }
    }
}

fn first_byte(span: Span) -> Span {
    Span::new(span.start, (span.start + 1).min(span.end))
}

fn from_yaml<'a>(source: &Arc<Source>, def: YamlRef<'a>, dialect: Dialect) -> Definition {
    let get = |node: YamlRef<'a>, camel: &str| -> Option<YamlRef<'a>> {
        node.get(&dialect.key(camel)).filter(|v| !opaque(*v))
    };
    // A `${…}` in the text as written is a placeholder (a Terraform
    // interpolation masked in place, an envsubst template): not the value.
    let string = |node: YamlRef<'a>| -> Option<Value<String>> {
        let written = source.slice(node.span());
        if opaque(node) || written.contains("${") || written.contains("%{") {
            return None;
        }
        Some(Value::new(
            node.as_str()?.to_string(),
            Location::new(source, node.span()),
        ))
    };
    let strings = |node: Option<YamlRef<'a>>| -> Vec<Value<String>> {
        node.map(|l| l.items())
            .unwrap_or_default()
            .into_iter()
            .filter_map(string)
            .collect()
    };
    let caps = get(def, "linuxParameters").and_then(|l| get(l, "capabilities"));
    Definition {
        name: get(def, "name").and_then(string),
        image: get(def, "image").and_then(string),
        privileged: get(def, "privileged").and_then(|p| {
            let b = match dialect {
                Dialect::Api => p.as_bool(),
                Dialect::CloudFormation => cloudformation_bool(p),
            }?;
            Some(Value::new(b, Location::new(source, p.span())))
        }),
        security_options: strings(get(def, "dockerSecurityOptions")),
        add: strings(caps.and_then(|c| get(c, "add"))),
        drop: strings(caps.and_then(|c| get(c, "drop"))),
    }
}

/// A value CloudFormation computes at deploy time: a short-form tag
/// (`!Ref`, `!If`, `!Sub`, …) or a mapping holding one intrinsic function
/// (`{"Ref": …}`, `{"Fn::If": …}`).
fn opaque(node: YamlRef<'_>) -> bool {
    node.tag()
        .is_some_and(|t| t.starts_with('!') && t.len() > 1)
        || (node.is_mapping()
            && node.pairs().count() == 1
            && node
                .pairs()
                .next()
                .and_then(|(k, _)| k.as_str())
                .is_some_and(|k| k == "Ref" || k == "Condition" || k.starts_with("Fn::")))
}

/// A Boolean property as CloudFormation reads it: YAML 1.1 booleans, and
/// the strings `true`/`false` in any case.
fn cloudformation_bool(node: YamlRef<'_>) -> Option<bool> {
    if let Some(b) = super::kubernetes::api_bool(node) {
        return Some(b);
    }
    match node.as_str()?.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

// ---- Terraform: `aws_ecs_task_definition` ----

/// `container_definitions = jsonencode([...])`, evaluated.
pub fn from_terraform_value(
    source: &Arc<Source>,
    value: Val,
    owner: &str,
    declared: &Location,
    out: &mut Parsed,
) {
    let base = base_of(source);
    for def in value.items() {
        let string = |v: Option<Val>| -> Option<Value<String>> {
            v?.alternatives().into_iter().find_map(|a| {
                Some(Value {
                    value: a.as_str()?.to_string(),
                    at: a.at?,
                    used_at: a.uses,
                })
            })
        };
        let strings = |v: Option<Val>| -> Vec<Value<String>> {
            v.map(Val::items)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|i| string(Some(i)))
                .collect()
        };
        // Encoded to JSON and decoded by the provider into a boolean
        // field: only a boolean is one. Of a conditional's branches, a
        // true one counts.
        let privileged = def.field("privileged").and_then(|p| {
            let alts = p.alternatives();
            let pick = alts
                .iter()
                .find(|a| matches!(a.kind, Kind::Bool(true)) && a.at.is_some())
                .or_else(|| {
                    alts.iter()
                        .find(|a| matches!(a.kind, Kind::Bool(_)) && a.at.is_some())
                })?;
            Some(Value {
                value: matches!(pick.kind, Kind::Bool(true)),
                at: pick.at.clone()?,
                used_at: pick.uses.clone(),
            })
        });
        let caps = def
            .field("linuxParameters")
            .and_then(|l| l.field("capabilities"));
        let d = Definition {
            name: string(def.field("name")),
            image: string(def.field("image")),
            privileged,
            security_options: strings(def.field("dockerSecurityOptions")),
            add: strings(caps.as_ref().and_then(|c| c.field("add"))),
            drop: strings(caps.as_ref().and_then(|c| c.field("drop"))),
        };
        let at = def.at.clone().unwrap_or_else(|| declared.clone());
        out.containers.push(container(d, owner, at, &base));
    }
}

/// `container_definitions = <<EOF … EOF` (or a plain string): the JSON in
/// the file between `body` bytes, read in place. `${…}` and `%{…}` become
/// opaque text of the same length (a string between quotes, `_` inside
/// one), so every offset stays the file's.
pub fn from_embedded_json(
    source: &Arc<Source>,
    body: Span,
    owner: &str,
    declared: &Location,
    out: &mut Parsed,
) {
    let text = &source.text;
    let mut copy: Vec<u8> = text
        .bytes()
        .map(|b| if b == b'\n' { b'\n' } else { b' ' })
        .collect();
    copy[body.range()].copy_from_slice(mask_interpolations(&text[body.range()]).as_bytes());
    let Ok(masked) = String::from_utf8(copy) else {
        return;
    };
    let yaml = Yaml::parse(&masked);
    if !yaml.errors.is_empty() {
        return;
    }
    let base = base_of(source);
    for root in yaml.roots() {
        let defs = match task_definition(root) {
            Some(td) => td
                .get("containerDefinitions")
                .map(|d| d.items())
                .unwrap_or_default(),
            None => root.items(),
        };
        for def in defs.into_iter().filter(|d| d.is_mapping()) {
            let at = Location::new(source, first_byte(def.span()));
            let d = from_yaml(source, def, Dialect::Api);
            let mut c = container(d, owner, at, &base);
            if c.at.span.is_empty() {
                c.at = declared.clone();
            }
            out.containers.push(c);
        }
    }
}

/// The JSON of a Terraform template with each `${…}`/`%{…}` replaced by
/// text of the same length: inside a JSON string by `_`, elsewhere by a
/// JSON string (`"___"`), which no setting reads as a boolean.
fn mask_interpolations(json: &str) -> String {
    let b = json.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut in_string = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if (c == b'$' || c == b'%') && b.get(i + 1) == Some(&b'{') {
            // `$${` and `%%{` are escapes for the literal text.
            if i > 0 && b[i - 1] == c {
                out.push(b'_');
                i += 1;
                continue;
            }
            let mut depth = 0;
            let mut j = i + 1;
            while j < b.len() {
                match b[j] {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    b'\n' => break,
                    _ => {}
                }
                j += 1;
            }
            let end = (j + 1).min(b.len());
            let n = end - i;
            if in_string || n < 2 {
                out.extend(std::iter::repeat_n(b'_', n));
            } else {
                out.push(b'"');
                out.extend(std::iter::repeat_n(b'_', n - 2));
                out.push(b'"');
            }
            i = end;
            continue;
        }
        if c == b'"' && !(in_string && i > 0 && b[i - 1] == b'\\') {
            in_string = !in_string;
        }
        out.push(c);
        i += 1;
    }
    // Only ASCII was replaced, byte for byte: still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| " ".repeat(json.len()))
}

#[cfg(test)]
mod tests {
    use super::mask_interpolations;

    #[test]
    fn interpolations_keep_their_length() {
        let json = r#"[{"image": "${var.image}", "privileged": ${var.p}, "x": "$${lit}"}]"#;
        let masked = mask_interpolations(json);
        assert_eq!(masked.len(), json.len());
        assert_eq!(
            masked,
            r#"[{"image": "____________", "privileged": "______", "x": "$_{lit}"}]"#
        );
    }
}
