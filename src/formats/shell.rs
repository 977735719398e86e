//! Shell scripts: `*.sh`, `*.bash`, `*.zsh`, `*.ksh`, the shells' own
//! startup files (`.bashrc`, `.profile`, `.zshrc`, direnv's `.envrc`, …),
//! and any file whose name decides nothing but whose first line is a shell
//! shebang. The whole file goes through the shared
//! [`cmdline`](crate::cmdline) reader.
//!
//! A shebang is read as the kernel and `env` read it: the kernel passes
//! everything after the interpreter path as one argument (`#!/bin/sh -eu`);
//! `/usr/bin/env` skips its own options (`-i`, `-u NAME`, `-C DIR`, `-S`,
//! which splits the rest into words: `#!/usr/bin/env -S bash -e`) and
//! `NAME=VALUE` assignments, then runs the first remaining word. Busybox is
//! a shell when its first argument names one (`#!/bin/busybox sh`).

use std::path::Path;
use std::sync::Arc;

use crate::model::Parsed;
use crate::read::Reader;
use crate::source::{Source, Span};

/// Shells whose syntax the command-line reader follows (POSIX sh and its
/// descendants; not csh, fish or PowerShell).
const SHELLS: &[&str] = &[
    "sh", "bash", "dash", "zsh", "ksh", "ksh93", "mksh", "lksh", "pdksh", "oksh", "ash", "yash",
    "posh",
];

/// Startup files that a shell sources by name, with or without the dot
/// (`/etc/profile`, `/etc/bash.bashrc`), and the build scripts of package
/// managers that are bash by definition (makepkg's `PKGBUILD`, abuild's
/// `APKBUILD`).
const NAMES: &[&str] = &[
    ".bashrc",
    ".bash_profile",
    ".bash_login",
    ".bash_logout",
    ".bash_aliases",
    ".bash_functions",
    ".profile",
    ".zshrc",
    ".zshenv",
    ".zprofile",
    ".zlogin",
    ".zlogout",
    ".kshrc",
    ".mkshrc",
    ".envrc",
    "bashrc",
    "bash.bashrc",
    "bash_profile",
    "profile",
    "zshrc",
    "zshenv",
    "zprofile",
    "kshrc",
    "PKGBUILD",
    "APKBUILD",
];

pub fn is_shell_name(name: &str, lower: &str) -> bool {
    NAMES.contains(&name)
        || [".sh", ".bash", ".zsh", ".ksh", ".mksh", ".dash"]
            .iter()
            .any(|e| lower.ends_with(e))
}

/// Whether the first bytes are a shell shebang. Only the first line is
/// looked at.
pub fn has_shell_shebang(head: &[u8]) -> bool {
    let Some(rest) = head.strip_prefix(b"#!") else {
        return false;
    };
    let line = rest.split(|&b| b == b'\n').next().unwrap_or(rest);
    let Ok(line) = std::str::from_utf8(line) else {
        return false;
    };
    let mut words = line.split_whitespace();
    let Some(interpreter) = words.next() else {
        return false;
    };
    let program = match basename(interpreter) {
        "env" => env_program(&mut words),
        "busybox" => words.next(),
        other => Some(other),
    };
    program.is_some_and(|p| SHELLS.contains(&basename(p)))
}

/// The program `env` runs: the first word that is neither an option of
/// GNU or BSD `env` nor a `NAME=VALUE` assignment.
fn env_program<'a>(words: &mut impl Iterator<Item = &'a str>) -> Option<&'a str> {
    while let Some(w) = words.next() {
        match w {
            "-u" | "-C" | "-P" | "--unset" | "--chdir" => {
                words.next();
            }
            w if w.starts_with('-') => {
                // `-S` may carry the command in the same word: `-Sbash`.
                if let Some(rest) = w.strip_prefix("-S").filter(|r| !r.is_empty()) {
                    return Some(rest);
                }
            }
            w if w.contains('=') => {}
            w => return Some(w),
        }
    }
    None
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

pub fn read(source: &Arc<Source>, reader: &Reader, out: &mut Parsed) {
    read_at(source, reader, 0, out);
}

/// A script, `depth` levels of here-documents down (see
/// [`heredoc`](super::heredoc)): the files it writes are read too.
pub fn read_at(source: &Arc<Source>, reader: &Reader, depth: usize, out: &mut Parsed) {
    // A script runs from wherever it is called: a relative profile path
    // counts against its own directory or the repository root.
    out.relative_to_root_too = true;
    let base = source.path.parent().unwrap_or(Path::new("")).to_path_buf();
    crate::cmdline::read_script(source, Span::new(0, source.text.len()), &base, out);
    let written = std::mem::take(&mut out.written);
    super::heredoc::read_written(source, reader, written, depth, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shebangs_as_the_kernel_and_env_read_them() {
        for yes in [
            "#!/bin/sh -eu\n",
            "#!/bin/bash\r\n",
            "#! /bin/bash -x\n",
            "#!/usr/bin/env bash\n",
            "#!/usr/bin/env -S bash -e\n",
            "#!/usr/bin/env -S -i PATH=/bin bash -e\n",
            "#!/usr/bin/env -Sbash\n",
            "#!/usr/bin/env -u HOME zsh\n",
            "#!/usr/bin/env zsh",
            "#!/bin/ksh\n",
            "#!/bin/dash\n",
            "#!/bin/busybox sh\n",
            "#!/usr/local/bin/mksh\n",
        ] {
            assert!(has_shell_shebang(yes.as_bytes()), "{yes:?}");
        }
        for no in [
            "#!/usr/bin/env python3\n",
            "#!/usr/bin/perl -w\n",
            "#!/usr/bin/env -S node --harmony\n",
            "#!/bin/fish\n",
            "# !/bin/sh\n",
            "#!\n",
            "echo '#!/bin/sh'\n",
            "#!/usr/bin/env\n",
            "#!/bin/shell-wrapper\n",
        ] {
            assert!(!has_shell_shebang(no.as_bytes()), "{no:?}");
        }
    }

    #[test]
    fn the_shells_own_names() {
        for yes in [
            ".bashrc", ".zshrc", ".envrc", ".profile", "x.bash", "X.ZSH", "PKGBUILD",
        ] {
            assert!(is_shell_name(yes, &yes.to_ascii_lowercase()), "{yes}");
        }
        for no in [
            ".bashrc.bak",
            "profile.json",
            "bash",
            ".dockerfunc",
            "pkgbuild",
        ] {
            assert!(!is_shell_name(no, &no.to_ascii_lowercase()), "{no}");
        }
    }
}
