//! A Terraform module as Terraform loads it: every `*.tf` and `*.tf.json`
//! of one directory, and, for the module a run starts in, the variable
//! definitions files Terraform reads by itself.
//!
//! Terraform's variable definition precedence (docs, language/values/
//! variables, "Variable Definition Precedence"), later winning: the
//! `default`, `terraform.tfvars`, `terraform.tfvars.json`, then every
//! `*.auto.tfvars` and `*.auto.tfvars.json` in lexical order of their file
//! names, then `-var`/`-var-file` on the command line (not in the
//! repository; a static scan cannot know them). Other `*.tfvars` files are
//! read only when named with `-var-file`, so not here. A called module
//! gets no definitions files: its variables come from the `module` block.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::formats::hcl::{self, syntax::File};
use crate::formats::json::Dialect;
use crate::read::Reader;
use crate::source::{Location, Source};

/// Files of one directory read for a module; past this, the rest are not.
const MAX_FILES: usize = 256;

/// One module directory, parsed.
#[derive(Default)]
pub struct Loaded {
    /// Configuration files, in name order.
    pub files: Vec<File>,
    /// Variable definitions files, in the order Terraform applies them.
    pub values: Vec<File>,
    /// Problems with the definitions files (nothing else reports them).
    pub diagnostics: Vec<Diagnostic>,
    /// Their comments, for suppressions.
    pub comments: Vec<Location>,
}

pub fn is_config_name(name: &str) -> bool {
    name.ends_with(".tf") || name.ends_with(".tf.json")
}

/// Reads the configuration files of `dir` (all but `except`, the file
/// already parsed) and, for a root module, its definitions files.
pub fn load(dir: &Path, reader: &Reader, except: Option<&Path>, root: bool) -> Loaded {
    let mut out = Loaded::default();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let except = except.and_then(Path::file_name);
    for name in names.iter().filter(|n| is_config_name(n)).take(MAX_FILES) {
        if Some(std::ffi::OsStr::new(name)) == except {
            continue;
        }
        let Ok(source) = reader.read_referenced(&dir.join(name)) else {
            continue;
        };
        // A file that does not parse is reported by its own scan.
        if let Ok(file) = parse_config(&source) {
            out.comments.extend(comments(&source));
            out.files.push(file);
        }
    }
    if root {
        let mut ordered: Vec<&String> = Vec::new();
        ordered.extend(names.iter().filter(|n| *n == "terraform.tfvars"));
        ordered.extend(names.iter().filter(|n| *n == "terraform.tfvars.json"));
        ordered.extend(
            names
                .iter()
                .filter(|n| n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")),
        );
        for name in ordered {
            let Ok(source) = reader.read_referenced(&dir.join(name)) else {
                continue;
            };
            match parse_values(&source) {
                Ok(file) => {
                    out.comments.extend(comments(&source));
                    out.values.push(file);
                }
                Err(d) => out.diagnostics.push(d),
            }
        }
    }
    out
}

/// A `.tf` or `.tf.json` file.
pub fn parse_config(source: &Arc<Source>) -> Result<File, Diagnostic> {
    parse_with(source, hcl::json::lower_config)
}

/// A `.tfvars` or `.tfvars.json` file.
fn parse_values(source: &Arc<Source>) -> Result<File, Diagnostic> {
    parse_with(source, hcl::json::lower_values)
}

/// Native syntax through hcl-edit; JSON syntax lowered by `lower`, which
/// reads a configuration's or a values file's objects.
fn parse_with(
    source: &Arc<Source>,
    lower: fn(&jsonc_parser::ast::Value<'_>, &str) -> crate::formats::hcl::syntax::Body,
) -> Result<File, Diagnostic> {
    if !is_json(&source.path) {
        return hcl::parse(source);
    }
    let doc = crate::formats::json::parse(&source.text, Dialect::Strict)
        .map_err(|e| json_error(source, e))?;
    let body = doc
        .root
        .as_ref()
        .map(|root| lower(root, &source.text))
        .unwrap_or_default();
    Ok(File {
        source: Arc::clone(source),
        body,
    })
}

fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "json")
}

fn json_error(source: &Source, e: crate::formats::json::JsonError) -> Diagnostic {
    Diagnostic::at(source, e.offset, e.problem(Dialect::Strict))
}

fn comments(source: &Arc<Source>) -> Vec<Location> {
    if is_json(&source.path) {
        return Vec::new();
    }
    hcl::comments(&source.text)
        .into_iter()
        .map(|span| Location::new(source, span))
        .collect()
}

/// The directory a `module` block's local `source` names, as Terraform
/// reads it: only a path starting with `./` or `../` is local (docs,
/// language/modules/sources, "Local Paths"); a registry address, a URL or
/// a Git source is fetched by `terraform init`, out of a scan's reach.
pub fn local_source(dir: &Path, source: &str) -> Option<PathBuf> {
    let local = ["./", "../", ".\\", "..\\"]
        .iter()
        .any(|p| source.starts_with(p));
    local.then(|| crate::read::normalize(&dir.join(source)))
}
