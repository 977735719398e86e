//! Docker's daemon configuration, `daemon.json` (strict JSON, read through
//! [`super::json`]): `seccomp-profile` sets the profile of every container
//! the daemon runs. `"unconfined"` disables seccomp daemon-wide; any other
//! value is a profile path, resolved against the file's directory (dockerd
//! itself takes it as given; a repository copy of `/etc/docker/daemon.json`
//! is most often committed beside the profile it names).

use std::sync::Arc;

use jsonc_parser::ast::Value as Json;

use super::json;
use crate::diagnostic::{Diagnostic, Problem};
use crate::model::{Daemon, Parsed, Seccomp, Value};
use crate::source::{Location, Span};

pub fn read(source: &Arc<Source>, out: &mut Parsed) {
    let Some(doc) = json::parse_or_report(source, json::Dialect::DaemonConfig, out) else {
        return;
    };
    let Some(root) = doc.root.as_ref().and_then(Json::as_object) else {
        return;
    };
    let mut daemon = Daemon {
        name: "the Docker daemon (`daemon.json`)".into(),
        at: Location::new(source, Span::new(0, 0)),
        seccomp: None,
    };
    if let Some(prop) = root.get("seccomp-profile") {
        let Json::StringLit(s) = &prop.value else {
            out.diagnostics.push(Diagnostic::at(
                source,
                json::span(&prop.value).start,
                Problem::Shape {
                    format: "JSON",
                    expected: "daemon configuration",
                    message: "`seccomp-profile` is not a string".into(),
                },
            ));
            return;
        };
        let at = Location::new(source, json::span(&prop.value));
        let seccomp = match s.value.as_ref() {
            "unconfined" => Seccomp::Unconfined,
            // An empty value means "the built-in default".
            "" => return,
            path => Seccomp::Profile {
                path: path.to_string(),
                base: source
                    .path
                    .parent()
                    .map(std::path::Path::to_path_buf)
                    .unwrap_or_default(),
            },
        };
        daemon.seccomp = Some(Value::new(seccomp, at));
        out.daemons.push(daemon);
    }
}

use crate::source::Source;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unconfined_and_paths() {
        let source = Source::new(
            "daemon.json",
            "{\n  \"seccomp-profile\": \"unconfined\"\n}\n",
        );
        let mut out = Parsed::default();
        read(&source, &mut out);
        let seccomp = out.daemons[0].seccomp.as_ref().unwrap();
        assert_eq!(seccomp.value, Seccomp::Unconfined);
        let (s, e) = source.region(seccomp.at.span);
        assert_eq!((s.line, s.column, e.line, e.column), (2, 23, 2, 33));
        let source = Source::new("etc/daemon.json", "{\"seccomp-profile\": \"p.json\"}");
        let mut out = Parsed::default();
        read(&source, &mut out);
        assert!(matches!(
            &out.daemons[0].seccomp.as_ref().unwrap().value,
            Seccomp::Profile { path, base } if path == "p.json" && base.as_path() == std::path::Path::new("etc")
        ));
        let source = Source::new("daemon.json", "{\"seccomp-profile\": \"unconfined\",}");
        let mut out = Parsed::default();
        read(&source, &mut out);
        assert!(out.daemons.is_empty());
        assert_eq!(out.diagnostics.len(), 1, "trailing comma is not JSON");
    }
}
