//! The engines' own default profiles, recognised by content.
//!
//! Repositories carry copies of them (a Go `vendor/` tree of
//! containers/common, an old Docker default kept beside a Compose file).
//! They are not custom profiles, so judging them as such reports what the
//! engine ships. A file name proves nothing, so a profile is compared by
//! what it does: its [`signature`] is a hash over the rules the engine would
//! apply to an ordinary container and to one with every capability — each
//! as `action name args`, sorted and without duplicates — and the default
//! action. Formatting, key order, comments, `name` against `names`, the
//! pre-2017 one-entry-per-syscall format against `includes.caps`, `archMap`
//! against `architectures` all leave it unchanged; any change to what the
//! filter lets through changes it.
//!
//! `vendor/engine-default-seccomp-signatures.tsv` lists the signature of
//! every version of the engines' default profiles in their repositories'
//! history — Docker's `default.json`, containers-common's `seccomp.json`,
//! and containerd's Go-built profile as rendered to OCI JSON (see
//! vendor/README.md for how it is made).

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::model::SeccompProfile;
use crate::model::capability::{DEFAULT, KNOWN};
use crate::model::profile::KnownDefault;

const TABLE: &str = include_str!("../../../vendor/engine-default-seccomp-signatures.tsv");

/// Signatures → which default, from the vendored table.
static KNOWN_DEFAULTS: LazyLock<HashMap<u64, KnownDefault>> = LazyLock::new(|| {
    let current = signature(super::docker_default());
    let mut map = HashMap::new();
    for line in TABLE.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.splitn(3, '\t');
        let (Some(hash), Some(engine), Some(version)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let Ok(hash) = u64::from_str_radix(hash, 16) else {
            continue;
        };
        let engine = match engine {
            "moby" => "Docker's",
            "containers-common" => "Podman's (containers-common, also CRI-O's and Buildah's)",
            "containerd" => "containerd's",
            _ => continue,
        };
        map.entry(hash).or_insert(KnownDefault {
            engine,
            version,
            current_docker: hash == current,
        });
    }
    map
});

/// The engine default `profile` is, if it is one.
pub fn recognise(profile: &SeccompProfile) -> Option<&'static KnownDefault> {
    KNOWN_DEFAULTS.get(&signature(profile))
}

/// A hash of what the profile does (see the module documentation).
pub fn signature(profile: &SeccompProfile) -> u64 {
    let mut lines: Vec<String> = Vec::new();
    for (context, caps) in [("default", DEFAULT), ("all", KNOWN)] {
        let has_cap = |c: &str| caps.contains(&c);
        for rule in &profile.rules {
            if !rule.applies(&has_cap) {
                continue;
            }
            let mut args: Vec<String> = rule
                .args
                .iter()
                .map(|a| {
                    // An absent number is Go's zero value.
                    let or_zero = |v: &str| {
                        if v.is_empty() {
                            "0".to_string()
                        } else {
                            v.to_string()
                        }
                    };
                    format!(
                        "{}:{}:{}:{}",
                        or_zero(&a.index),
                        or_zero(&a.value),
                        or_zero(&a.value_two),
                        a.op
                    )
                })
                .collect();
            args.sort();
            let args = args.join(",");
            for name in &rule.names {
                lines.push(format!(
                    "{context} {} {} {args}",
                    rule.action.value.as_str(),
                    name.value
                ));
            }
        }
    }
    lines.sort();
    lines.dedup();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut write = |bytes: &[u8]| {
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    write(profile.default_action.value.as_str().as_bytes());
    for line in &lines {
        write(b"\n");
        write(line.as_bytes());
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    fn parse(text: String) -> SeccompProfile {
        super::super::parse(&Source::new("p.json", text)).unwrap_or_else(|e| panic!("{e:?}"))
    }

    /// The vendored default, rewritten: one entry per name with the legacy
    /// `name` key, entries in reverse order, no comments, minified.
    fn rewritten(edit: impl Fn(&mut Vec<serde_json::Value>)) -> String {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../../vendor/docker-default-seccomp.json"))
                .unwrap();
        let mut out = doc.clone();
        let mut entries = Vec::new();
        for rule in doc["syscalls"].as_array().unwrap().iter().rev() {
            for name in rule["names"].as_array().unwrap() {
                let mut one = rule.clone();
                let obj = one.as_object_mut().unwrap();
                obj.remove("names");
                obj.remove("comment");
                obj.insert("name".into(), name.clone());
                entries.push(one);
            }
        }
        edit(&mut entries);
        out["syscalls"] = entries.into();
        serde_json::to_string(&out).unwrap()
    }

    #[test]
    fn the_vendored_default_is_docker_current() {
        let known = recognise(super::super::docker_default()).expect("in the table");
        assert!(known.current_docker);
        assert_eq!(known.engine, "Docker's");
    }

    #[test]
    fn recognised_whatever_the_layout() {
        let p = parse(rewritten(|_| {}));
        assert_eq!(signature(&p), signature(super::super::docker_default()));
        assert!(recognise(&p).is_some_and(|k| k.current_docker));
    }

    #[test]
    fn one_more_call_is_a_custom_profile() {
        let p = parse(rewritten(|e| {
            e.push(serde_json::json!({"name": "kexec_load", "action": "SCMP_ACT_ALLOW"}))
        }));
        assert!(recognise(&p).is_none());
        // So is one call fewer, or a changed argument filter.
        let p = parse(rewritten(|e| e.retain(|r| r["name"] != "read")));
        assert!(recognise(&p).is_none());
        let p = parse(rewritten(|e| {
            for r in e.iter_mut().filter(|r| r["name"] == "personality") {
                r["args"][0]["value"] = 1.into();
            }
        }));
        assert!(recognise(&p).is_none());
    }

    #[test]
    fn the_table_covers_each_engine() {
        let engines: std::collections::HashSet<&str> =
            KNOWN_DEFAULTS.values().map(|k| k.engine).collect();
        assert!(engines.contains("Docker's"));
        assert!(engines.iter().any(|e| e.starts_with("Podman's")));
        assert!(engines.contains("containerd's"));
    }
}
