//! `.seccheck.toml`: rule selection, level overrides, path excludes,
//! vendored directories and extra file-name patterns per format.
//!
//! Read with the `toml` crate (the toml-rs reference implementation, the
//! one Cargo uses) through serde with `deny_unknown_fields`, so that a
//! misspelt key is an error rather than a silently ignored setting; values
//! that serde cannot judge (rule ids, levels, globs) are `Spanned`, so every
//! error carries the file's line and column. Only the parser and serde
//! features are compiled in, to keep the hook's build small.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::finding::Level;
use crate::formats::{ExtraNames, Kind};
use crate::rules;
use crate::source::LineIndex;

pub const FILE_NAME: &str = ".seccheck.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    rules: RawRules,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    formats: RawFormats,
    #[serde(default, rename = "include-vendored")]
    include_vendored: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    enable: Vec<Spanned<String>>,
    #[serde(default)]
    disable: Vec<Spanned<String>>,
    #[serde(default)]
    levels: BTreeMap<Spanned<String>, Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFormats {
    #[serde(default)]
    compose: Vec<Spanned<String>>,
    #[serde(default)]
    kubernetes: Vec<Spanned<String>>,
    #[serde(default)]
    terraform: Vec<Spanned<String>>,
    #[serde(default)]
    nomad: Vec<Spanned<String>>,
}

/// A configuration, checked and compiled.
#[derive(Debug, Default)]
pub struct Config {
    pub enable: Vec<String>,
    pub disable: Vec<String>,
    pub levels: BTreeMap<String, Level>,
    pub exclude: Option<GlobSet>,
    pub extra_names: ExtraNames,
    /// Also scan vendored third-party directories.
    pub include_vendored: bool,
}

/// `FILE:LINE:COLUMN: message`, for the command line to print.
#[derive(Debug, thiserror::Error)]
#[error("{path}{position}: {message}")]
pub struct ConfigError {
    pub path: PathBuf,
    pub position: String,
    pub message: String,
}

/// The configuration file that applies to `path`: the nearest
/// `.seccheck.toml` in its directory (its own, for a file) or above, up to
/// the root of the git work tree holding it (a directory with `.git`), or
/// up to `cwd` outside a repository. So every staged file that pre-commit
/// passes finds the same file, whatever the order. The path is returned
/// relative to `cwd` when it lies inside.
pub fn find(path: &Path, cwd: &Path) -> Option<PathBuf> {
    let absolute = crate::read::normalize(&cwd.join(path));
    // A name that does not exist yet (`--stdin-filename`) starts from the
    // nearest directory that does.
    let start = absolute
        .ancestors()
        .find(|a| a.is_dir())
        .map(Path::to_path_buf)?;
    let boundary = start
        .ancestors()
        .find(|a| a.join(".git").exists())
        .or_else(|| start.starts_with(cwd).then_some(cwd))
        .unwrap_or(&start)
        .to_path_buf();
    let found = start
        .ancestors()
        .take_while(|a| a.starts_with(&boundary))
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())?;
    Some(
        found
            .strip_prefix(cwd)
            .map(Path::to_path_buf)
            .unwrap_or(found),
    )
}

pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        position: String::new(),
        message: e.to_string(),
    })?;
    parse(path, &text)
}

pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let lines = LineIndex::new(text);
    let err = |span: Option<std::ops::Range<usize>>, message: String| {
        let position = span
            .map(|s| {
                let p = lines.position(text, s.start.min(text.len()));
                format!(":{}:{}", p.line, p.column)
            })
            .unwrap_or_default();
        ConfigError {
            path: path.to_path_buf(),
            position,
            message,
        }
    };
    let raw: Raw = toml::from_str(text).map_err(|e| err(e.span(), e.message().trim().into()))?;
    let rule_id = |s: &Spanned<String>| -> Result<String, ConfigError> {
        match rules::get(s.get_ref()) {
            Some(r) => Ok(r.id.to_string()),
            None => Err(err(Some(s.span()), rules::unknown(s.get_ref()))),
        }
    };
    let mut config = Config {
        include_vendored: raw.include_vendored,
        ..Config::default()
    };
    for s in &raw.rules.enable {
        config.enable.push(rule_id(s)?);
    }
    for s in &raw.rules.disable {
        config.disable.push(rule_id(s)?);
    }
    for (id, level) in &raw.rules.levels {
        let id = rule_id(id)?;
        let Some(l) = Level::parse(level.get_ref()) else {
            return Err(err(
                Some(level.span()),
                format!(
                    "unknown level `{}`; expected `error`, `warning` or `note`",
                    level.get_ref()
                ),
            ));
        };
        config.levels.insert(id, l);
    }
    let glob = |s: &Spanned<String>, anywhere: bool| -> Result<Glob, ConfigError> {
        let pattern = s.get_ref();
        // A pattern without `/` matches at any depth, as in .gitignore.
        let pattern = if anywhere && !pattern.contains('/') {
            format!("**/{pattern}")
        } else {
            pattern.trim_start_matches("./").to_string()
        };
        GlobBuilder::new(&pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| err(Some(s.span()), format!("invalid glob: {}", e.kind())))
    };
    if !raw.exclude.is_empty() {
        let mut set = GlobSetBuilder::new();
        for s in &raw.exclude {
            set.add(glob(s, true)?);
            // `vendor` and `vendor/` also exclude what is below, at the
            // same depths as the pattern itself (any, without a `/`).
            let pattern = s.get_ref().trim_end_matches('/');
            let dir = if pattern.contains('/') {
                format!("{pattern}/**")
            } else {
                format!("**/{pattern}/**")
            };
            set.add(glob(&Spanned::new(s.span(), dir), true)?);
        }
        config.exclude = Some(set.build().map_err(|e| err(None, e.to_string()))?);
    }
    for (kind, patterns) in [
        (Kind::Yaml, &raw.formats.compose),
        (Kind::Yaml, &raw.formats.kubernetes),
        (Kind::Terraform, &raw.formats.terraform),
        (Kind::Nomad, &raw.formats.nomad),
    ] {
        if patterns.is_empty() {
            continue;
        }
        let mut set = GlobSetBuilder::new();
        for s in patterns {
            set.add(glob(s, false)?);
        }
        let set = set.build().map_err(|e| err(None, e.to_string()))?;
        config.extra_names.0.push((set, kind));
    }
    Ok(config)
}

/// Whether `path` (as walked) is excluded. Patterns of a configuration
/// found beside the scanned files are relative to its own directory
/// (`base`, absolute, with `cwd` to place relative paths); those of a file
/// given with `--config` to the scan root the path was found under.
pub fn is_excluded(
    exclude: &GlobSet,
    base: Option<(&Path, &Path)>,
    roots: &[PathBuf],
    path: &Path,
) -> bool {
    if let Some((base, cwd)) = base {
        let absolute = crate::read::normalize(&cwd.join(path));
        if let Ok(rel) = absolute.strip_prefix(base) {
            return exclude.is_match(rel);
        }
    }
    let rel = roots
        .iter()
        .find_map(|r| path.strip_prefix(r).ok())
        .filter(|rel| !rel.as_os_str().is_empty())
        // An explicit file (pre-commit's case) is matched as given.
        .unwrap_or(path);
    let rel = rel.strip_prefix(".").unwrap_or(rel);
    exclude.is_match(rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        parse(Path::new("c.toml"), text).unwrap_err().to_string()
    }

    #[test]
    fn reads_every_key() {
        let c = parse(
            Path::new("c.toml"),
            "exclude = [\"vendor\", \"*.bak.yaml\"]\n\
             [rules]\nenable = [\"k8s-seccomp-unset\"]\ndisable = [\"privileged-container\"]\n\
             [rules.levels]\nseccomp-unconfined = \"warning\"\n\
             [formats]\ncompose = [\"*.stack\"]\n",
        )
        .unwrap();
        assert_eq!(c.enable, ["k8s-seccomp-unset"]);
        assert_eq!(c.disable, ["privileged-container"]);
        assert_eq!(c.levels["seccomp-unconfined"], Level::Warning);
        let ex = c.exclude.unwrap();
        let roots = [PathBuf::from("repo")];
        assert!(is_excluded(
            &ex,
            None,
            &roots,
            Path::new("repo/vendor/a/compose.yaml")
        ));
        assert!(is_excluded(
            &ex,
            None,
            &roots,
            Path::new("repo/x/old.bak.yaml")
        ));
        assert!(!is_excluded(
            &ex,
            None,
            &roots,
            Path::new("repo/x/compose.yaml")
        ));
        assert!(is_excluded(
            &ex,
            None,
            &roots,
            Path::new("repo/x/vendor/compose.yaml")
        ));
        // Relative to the configuration's directory, however the path is given.
        let base = Some((Path::new("/r"), Path::new("/r/sub")));
        assert!(is_excluded(
            &ex,
            base,
            &[],
            Path::new("vendor/compose.yaml")
        ));
        assert!(!is_excluded(&ex, base, &[], Path::new("../x/compose.yaml")));
        assert_eq!(
            c.extra_names.kind(Path::new("deploy/app.stack")),
            Some(Kind::Yaml)
        );
        assert_eq!(c.extra_names.kind(Path::new("deploy/app.stacks")), None);
    }

    #[test]
    fn errors_carry_line_and_column() {
        assert_eq!(
            error("[rules]\nenabel = []\n"),
            "c.toml:2:1: unknown field `enabel`, expected one of `enable`, `disable`, `levels`"
        );
        assert_eq!(
            error("[rules]\nenable = [\"seccomp-unconfined\", \"nope\"]\n"),
            "c.toml:2:33: unknown rule `nope`; `seccheck rules` lists them"
        );
        assert_eq!(
            error("[rules.levels]\nseccomp-unconfined = \"fatal\"\n"),
            "c.toml:2:22: unknown level `fatal`; expected `error`, `warning` or `note`"
        );
        assert_eq!(
            error("exclude = [\"a[\"]\n"),
            "c.toml:1:12: invalid glob: unclosed character class; missing ']'"
        );
        assert_eq!(
            error("exclude = \"vendor\"\n"),
            "c.toml:1:11: invalid type: string \"vendor\", expected a sequence"
        );
    }
}
