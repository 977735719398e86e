//! The formats that feed the command-line reader (Dockerfile, Makefile,
//! justfile, systemd, Markdown, GitHub Actions, GitLab CI) on arbitrary
//! text built from the characters their syntax cares about: no panic, and
//! every position they report lies inside the file on a character boundary.

use std::path::Path;

use proptest::prelude::*;
use seccheck::formats::{self, Kind};
use seccheck::read::Reader;
use seccheck::source::{Source, Span};

const PIECES: &[&str] = &[
    "RUN ",
    "LABEL ",
    "CMD ",
    "ONBUILD ",
    "SHELL ",
    "FROM x AS y",
    "COPY ",
    "# escape=`",
    "\\",
    "`",
    "\n",
    "\r\n",
    " ",
    "\t",
    "#",
    ";",
    "@",
    "-",
    "+",
    ":",
    "!",
    "=",
    "\"",
    "'",
    "[",
    "]",
    ",",
    "<<",
    "<<-",
    "EOF",
    "'EOF'",
    "$",
    "$(",
    ")",
    "${{",
    "}}",
    "{{",
    "{",
    "}",
    "é",
    "\u{feff}",
    "docker",
    " run ",
    "--privileged",
    "--security-opt",
    " seccomp=unconfined",
    "dockerd",
    "--seccomp-profile=unconfined",
    "--security=insecure",
    "[\"docker\", \"run\"]",
    "\\u0041",
    "define x",
    "endef",
    ".RECIPEPREFIX = >",
    ">",
    ".ONESHELL:",
    "all:",
    "$(x)",
    "$(call x)",
    "[Service]",
    "ExecStart=",
    "```",
    "~~~",
    "$ ",
    "> ",
    "jobs:",
    "  steps:",
    "    - run: ",
    "|",
    ">-",
    "shell: pwsh",
    "script:",
    "extends: .t",
    ".t:",
    "include: a.yml",
    "!reference [.t, script]",
];

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(0..PIECES.len(), 0..80)
        .prop_map(|idx| idx.into_iter().map(|i| PIECES[i]).collect())
}

fn check(kind: Kind, path: &str, text: &str) {
    let source = Source::new(path, text);
    let reader = Reader::new(&[], 1 << 20);
    let parsed = formats::parse(kind, &source, &reader);
    let ok = |s: Span| {
        s.start <= s.end
            && s.end <= source.text.len()
            && source.text.is_char_boundary(s.start)
            && source.text.is_char_boundary(s.end)
    };
    for c in &parsed.containers {
        assert!(ok(c.at.span), "{kind:?} container at {:?}", c.at.span);
        for v in &c.seccomp {
            assert!(ok(v.at.span), "{kind:?} seccomp at {:?}", v.at.span);
        }
        if let Some(p) = &c.privileged {
            assert!(ok(p.at.span), "{kind:?} privileged at {:?}", p.at.span);
        }
    }
    for b in &parsed.builds {
        assert!(ok(b.at.span), "{kind:?} build at {:?}", b.at.span);
    }
    for d in &parsed.daemons {
        if let Some(v) = &d.seccomp {
            assert!(ok(v.at.span), "{kind:?} daemon at {:?}", v.at.span);
        }
    }
    for c in &parsed.comments {
        if c.source.path == Path::new(path) {
            assert!(ok(c.span), "{kind:?} comment at {:?}", c.span);
        }
    }
}

proptest! {
    #[test]
    fn readers_never_panic_and_spans_stay_inside(t in text()) {
        check(Kind::Dockerfile, "Dockerfile", &t);
        check(Kind::Makefile, "Makefile", &t);
        check(Kind::Makefile, "justfile", &t);
        check(Kind::Systemd, "x.service.d/o.conf", &t);
        check(Kind::Markdown, "README.md", &t);
        check(Kind::Yaml, ".github/workflows/ci.yml", &t);
        check(Kind::Yaml, ".gitlab-ci.yml", &t);
    }
}

#[test]
fn long_and_deep_inputs_stay_linear() {
    // A continued RUN of 100,000 lines, a recipe of 100,000 continued lines,
    // a Markdown fence that never closes: read once each, no recursion.
    let run = format!(
        "RUN docker run \\\n{}--privileged x\n",
        "  -e A=1 \\\n".repeat(100_000)
    );
    check(Kind::Dockerfile, "Dockerfile", &run);
    let make = format!(
        "all:\n\tdocker run \\\n{}\t--privileged x\n",
        "\t-e A=1 \\\n".repeat(100_000)
    );
    check(Kind::Makefile, "Makefile", &make);
    let md = format!("```console\n{}", "$ docker run x \\\n".repeat(100_000));
    check(Kind::Markdown, "README.md", &md);
}
