//! GitLab CI (`.gitlab-ci.yml`): `script`, `before_script` and
//! `after_script` of every job and of `default`, as a string or a list of
//! strings; each is read by the shared shell reader over its bytes in the
//! file.

use std::path::Path;
use std::sync::Arc;

use crate::cmdline;
use crate::model::Parsed;
use crate::source::Source;
use crate::yaml::{Yaml, YamlRef};

pub fn is_gitlab_name(lower: &str) -> bool {
    lower == ".gitlab-ci.yml" || lower == ".gitlab-ci.yaml"
}

pub fn read(source: &Arc<Source>, yaml: &Yaml, out: &mut Parsed) {
    let base = source.path.parent().unwrap_or(Path::new("")).to_path_buf();
    for root in yaml.roots() {
        scripts(source, root, &base, out);
        for (_, job) in root.entries() {
            if job.is_mapping() {
                scripts(source, job, &base, out);
            }
        }
    }
}

fn scripts(source: &Arc<Source>, job: YamlRef<'_>, base: &Path, out: &mut Parsed) {
    for key in ["script", "before_script", "after_script"] {
        let Some(value) = job.get(key) else { continue };
        let items = if value.is_sequence() {
            value.items()
        } else {
            vec![value]
        };
        for item in items.into_iter().filter(|i| i.as_str().is_some()) {
            cmdline::read_script(source, item.span(), base, out);
        }
    }
}
