//! What a rule reports: one offending value, the containers it affects, and
//! where else it matters.

use crate::rules::Rule;
use crate::source::Location;

/// Reporting level, ordered so that `--fail-on` can compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Note,
    Warning,
    Error,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "error" => Some(Level::Error),
            "warning" => Some(Level::Warning),
            "note" => Some(Level::Note),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
}

/// A secondary place that explains the finding (an alias that uses the
/// value, the `.env` line an interpolation took it from).
#[derive(Debug, Clone)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// Why a finding is not counted: the user's own words.
#[derive(Debug, Clone)]
pub struct Suppression {
    pub justification: String,
    pub at: Location,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static Rule,
    pub level: Level,
    /// The containers (or daemons, builds) the value applies to: "service `db`".
    pub subjects: Vec<String>,
    /// What is wrong, without the subject: "seccomp is disabled by `seccomp:unconfined`".
    pub what: String,
    /// The short annotation printed under the marked value.
    pub label: String,
    /// The offending value itself.
    pub location: Location,
    pub related: Vec<Related>,
    pub suppression: Option<Suppression>,
    /// This finding's own `security-severity` when it differs from the
    /// rule's (`seccomp-widened-by-capability` grades by capability).
    pub security_severity: Option<&'static str>,
}

impl Finding {
    pub fn new(
        rule: &'static Rule,
        subject: impl Into<String>,
        what: impl Into<String>,
        label: impl Into<String>,
        location: Location,
    ) -> Finding {
        Finding {
            rule,
            level: rule.level,
            subjects: vec![subject.into()],
            what: what.into(),
            label: label.into(),
            location,
            related: Vec::new(),
            suppression: None,
            security_severity: None,
        }
    }

    pub fn with_related(mut self, location: Location, message: impl Into<String>) -> Finding {
        let message = message.into();
        if !self
            .related
            .iter()
            .any(|r| r.location == location && r.message == message)
        {
            self.related.push(Related { location, message });
        }
        self
    }

    /// "service `a`, service `b`: seccomp is disabled by …"
    pub fn message(&self) -> String {
        if self.subjects.is_empty() {
            return self.what.clone();
        }
        format!("{}: {}", self.subjects.join(", "), self.what)
    }

    /// Stable across everyday edits: built from the rule, the file (as
    /// `path`, relative to the source root), the container's identity
    /// without image tag or digest, and the offending value with quotes,
    /// line continuations and runs of blanks taken out. No line numbers,
    /// so moving a block keeps it; no tag, so `app:1.0` → `app:1.1` on the
    /// same line keeps it; no layout, so reformatting the line keeps it.
    pub fn fingerprint(&self, path: &str) -> String {
        let mut h = Fnv::default();
        h.write(b"v2");
        h.write(self.rule.id.as_bytes());
        h.write(path.as_bytes());
        if let Some(s) = self.subjects.iter().map(|s| identity(s)).min() {
            h.write(s.as_bytes());
        }
        h.write(normalized_value(self.location.text()).as_bytes());
        format!("{:016x}", h.0)
    }

    /// The fingerprint of seccheck 0.1 (rule, path as given, first subject,
    /// value as written), so that baselines written by it keep matching.
    pub fn legacy_fingerprint(&self) -> String {
        let mut h = Fnv::default();
        h.write(self.rule.id.as_bytes());
        h.write(self.location.source.path.to_string_lossy().as_bytes());
        if let Some(s) = self.subjects.iter().min() {
            h.write(s.as_bytes());
        }
        h.write(self.location.text().as_bytes());
        format!("{:016x}", h.0)
    }
}

/// A subject without the tag or digest of any image reference in it:
/// "`docker run` of example/app:1.0" → "`docker run` of example/app".
/// A `:` followed by a `/` belongs to a registry port and stays.
fn identity(subject: &str) -> String {
    subject
        .split(' ')
        .map(|word| {
            let (lead, rest) =
                word.split_at(word.len() - word.trim_start_matches(['`', '\'', '"']).len());
            let core = rest.trim_end_matches(['`', '\'', '"', ',']);
            let tail = &rest[core.len()..];
            let core = core.split('@').next().unwrap_or(core);
            let core = match core.rfind(':') {
                Some(i) if !core[i..].contains('/') && i > 0 => &core[..i],
                _ => core,
            };
            format!("{lead}{core}{tail}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A value as a shell or YAML reader would compare it: no quotes, no
/// backslash-newline continuations, blanks collapsed.
fn normalized_value(text: &str) -> String {
    text.replace("\\\r\n", " ")
        .replace("\\\n", " ")
        .chars()
        .filter(|c| !matches!(c, '"' | '\''))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// FNV-1a, 64 bit: small, stable across releases and platforms (unlike
/// `std`'s `DefaultHasher`), which is what a fingerprint needs.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        // Field separator, so that ("ab","c") and ("a","bc") differ.
        self.0 ^= 0xff;
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }
}

/// Merges findings that mark the same value: a YAML anchor merged into three
/// services is one finding that names all three, not three alerts.
pub fn merge_same_value(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut index: std::collections::HashMap<
        (&'static str, std::path::PathBuf, usize, usize),
        usize,
    > = std::collections::HashMap::new();
    for f in findings {
        let key = (
            f.rule.id,
            f.location.source.path.clone(),
            f.location.span.start,
            f.location.span.end,
        );
        match index.get(&key) {
            Some(&i) => {
                let existing = &mut out[i];
                for s in f.subjects {
                    if !existing.subjects.contains(&s) {
                        existing.subjects.push(s);
                    }
                }
                for r in f.related {
                    if !existing
                        .related
                        .iter()
                        .any(|e| e.location == r.location && e.message == r.message)
                    {
                        existing.related.push(r);
                    }
                }
            }
            None => {
                index.insert(key, out.len());
                out.push(f);
            }
        }
    }
    out.sort_by(|a, b| {
        (&a.location.source.path, a.location.span.start, a.rule.id).cmp(&(
            &b.location.source.path,
            b.location.span.start,
            b.rule.id,
        ))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::{identity, normalized_value};

    #[test]
    fn identity_drops_tags_and_digests_only() {
        assert_eq!(
            identity("`docker run` of example/app:1.0"),
            "`docker run` of example/app"
        );
        assert_eq!(
            identity("`podman run` of registry.example:5000/app:2@sha256:abc"),
            "`podman run` of registry.example:5000/app"
        );
        assert_eq!(
            identity("`docker run` of registry.example:5000/app"),
            "`docker run` of registry.example:5000/app"
        );
        assert_eq!(identity("service `web`"), "service `web`");
        assert_eq!(
            identity("container `a` of Pod `b`"),
            "container `a` of Pod `b`"
        );
    }

    #[test]
    fn values_compare_without_quotes_and_layout() {
        assert_eq!(
            normalized_value("seccomp=\"unconfined\""),
            "seccomp=unconfined"
        );
        assert_eq!(
            normalized_value("'seccomp=unconfined'"),
            "seccomp=unconfined"
        );
        assert_eq!(
            normalized_value("--security-opt \\\n    seccomp=unconfined"),
            "--security-opt seccomp=unconfined"
        );
    }
}
