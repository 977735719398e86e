//! Programs that run another program, and what they run.
//!
//! A container launch is often written behind a wrapper (`sudo -E docker
//! run …`, `timeout 5m nice -n 10 docker run …`) or inside a string that a
//! shell runs (`bash -lc "docker run …"`, `ssh host 'docker run …'`). Each
//! wrapper's options are skipped the way its own parser reads them
//! (getopt: clustered short options, the first letter that takes a value
//! takes the rest of the word or the next word, `--long=value` or
//! `--long value`, `--` ends the options), from the tools' manuals:
//! sudo(8), doas(1), env(1) incl. `-S`, nice(1), nohup(1), time(1) and
//! bash's `time -p`, timeout(1) and its DURATION, stdbuf(1), xargs(1),
//! bash's `exec [-cl] [-a name]` and `command [-pVv]` (`-v`/`-V` only
//! print), su(1) `-c`, ssh(1) (the words after the host are joined into
//! the remote command), `eval`, watch(1) (a shell runs its joined words
//! unless `-x`), and `sh|bash|dash|zsh|ksh -c STRING` with any other
//! options before (`-ec`, `-xc`, `-lc`, `-o pipefail -c`).

use super::Word;

/// What a command line runs.
pub enum Target {
    /// The program is `words[i]`, its arguments follow.
    Program(usize),
    /// A shell runs these words, joined by spaces, as a script.
    Script(Vec<Word>),
    /// Nothing that runs a program from these words.
    Nothing,
}

/// Reserved words and `!` that may stand before a command.
const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "do", "while", "until", "!", "{", "time",
];

const SHELLS: &[&str] = &["sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash"];

/// The last path component: `/usr/bin/sudo` is `sudo`.
pub fn program_name(word: &Word) -> &str {
    word.text.rsplit('/').next().unwrap_or("")
}

pub fn target(words: &[Word]) -> Target {
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let name = program_name(w);
        let quoted = w.has_quotes();
        if !quoted && is_assignment(&w.text) {
            i += 1;
            continue;
        }
        // Quoting makes a reserved word (`'if'`) a plain command name
        // (reserved words are recognised only unquoted); a wrapper runs
        // the same quoted or not (`'sudo' docker …`, an exec-form `["sh",
        // "-c", "…"]`, an argv built in code), and a quoted `"time"` is
        // time(1), which takes the keyword's options.
        i = match name {
            "time" => options(words, i + 1, "fo", &["format", "output"]),
            _ if !quoted && RESERVED.contains(&name) && name == w.text => i + 1,
            "sudo" => options(
                words,
                i + 1,
                "CDgpRrTtUu",
                &[
                    "chdir",
                    "close-from",
                    "group",
                    "prompt",
                    "chroot",
                    "role",
                    "command-timeout",
                    "type",
                    "other-user",
                    "user",
                    "host",
                ],
            ),
            "doas" => options(words, i + 1, "uC", &[]),
            "nice" => options(words, i + 1, "n", &["adjustment"]),
            "nohup" | "unbuffer" | "chronic" | "setsid" => options(words, i + 1, "", &[]),
            "ionice" => options(words, i + 1, "cn", &["class", "classdata"]),
            "stdbuf" => options(words, i + 1, "ioe", &["input", "output", "error"]),
            "timeout" => options(words, i + 1, "sk", &["signal", "kill-after"]) + 1,
            "xargs" => options(
                words,
                i + 1,
                "adEILnPs",
                &[
                    "arg-file",
                    "delimiter",
                    "max-args",
                    "max-procs",
                    "max-chars",
                    "process-slot-var",
                ],
            ),
            "exec" => options(words, i + 1, "a", &[]),
            "command" => {
                let j = options(words, i + 1, "", &[]);
                let prints = words[i + 1..j]
                    .iter()
                    .any(|o| o.text.starts_with('-') && o.text.contains(['v', 'V']));
                if prints {
                    return Target::Nothing;
                }
                j
            }
            "env" => match env(words, i + 1) {
                Ok(j) => j,
                Err(script) => return script,
            },
            "eval" => return Target::Script(words[i + 1..].to_vec()),
            "su" => return su(words, i + 1),
            "ssh" => {
                let host = options(words, i + 1, "BbcDEeFIiJLlmOopQRSWw", &[]);
                return match words.get(host + 1..) {
                    Some(rest) if !rest.is_empty() => Target::Script(rest.to_vec()),
                    _ => Target::Nothing,
                };
            }
            "watch" => {
                let j = options(words, i + 1, "nq", &["interval", "equexit"]);
                let exec = words[i + 1..j]
                    .iter()
                    .any(|o| o.text == "--exec" || (is_cluster(&o.text) && o.text.contains('x')));
                if exec {
                    j
                } else {
                    return Target::Script(words[j..].to_vec());
                }
            }
            _ if SHELLS.contains(&name) => return shell(words, i + 1),
            _ => return Target::Program(i),
        };
    }
    Target::Nothing
}

fn is_assignment(w: &str) -> bool {
    match w.split_once('=') {
        Some((k, _)) => super::words::is_name(k.strip_suffix('+').unwrap_or(k)),
        None => false,
    }
}

/// `-abc`: a cluster of short options (not `-` alone, not `--long`).
fn is_cluster(t: &str) -> bool {
    t.len() > 1 && t.starts_with('-') && !t.starts_with("--")
}

/// Skips getopt options from `words[i]`; returns the index of the first
/// operand. `short`: letters that take a value; `long`: long options that
/// take a value.
fn options(words: &[Word], mut i: usize, short: &str, long: &[&str]) -> usize {
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        if t == "--" {
            return i + 1;
        }
        if let Some(name) = t.strip_prefix("--") {
            i += if !name.contains('=') && long.contains(&name) {
                2
            } else {
                1
            };
            continue;
        }
        if !is_cluster(t) {
            break;
        }
        let body = &t[1..];
        let mut step = 1;
        for (k, c) in body.char_indices() {
            if short.contains(c) {
                if k + c.len_utf8() == body.len() {
                    step = 2;
                }
                break;
            }
        }
        i += step;
    }
    i
}

/// env(1): options, `NAME=value` words, then the program; `-S STRING`
/// (`--split-string`) splits STRING into the command itself.
fn env(words: &[Word], mut i: usize) -> Result<usize, Target> {
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        let split = if let Some(v) = t.strip_prefix("--split-string=") {
            Some(w.slice(t.len() - v.len()..t.len()))
        } else if t == "--split-string" || t == "-S" {
            words.get(i + 1).cloned()
        } else if is_cluster(t) && t[1..].starts_with('S') {
            Some(w.slice(2..t.len()))
        } else {
            None
        };
        if let Some(s) = split {
            let skip = if t.contains('=') || (t.starts_with("-S") && t.len() > 2) {
                1
            } else {
                2
            };
            let mut script = vec![s];
            script.extend(words.iter().skip(i + skip).cloned());
            return Err(Target::Script(script));
        }
        if t == "--" {
            return Ok(i + 1);
        }
        if t == "-" {
            i += 1;
            continue;
        }
        if let Some(name) = t.strip_prefix("--") {
            let takes = ["unset", "chdir"].contains(&name);
            i += if takes { 2 } else { 1 };
            continue;
        }
        if is_cluster(t) {
            let body = &t[1..];
            let value_at = body.find(['u', 'C']);
            i += match value_at {
                Some(k) if k + 1 == body.len() => 2,
                _ => 1,
            };
            continue;
        }
        break;
    }
    Ok(i)
}

/// su(1): the command of `-c CMD`/`--command=CMD`, wherever it stands.
fn su(words: &[Word], from: usize) -> Target {
    let mut i = from;
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        if let Some(v) = t.strip_prefix("--command=") {
            return Target::Script(vec![w.slice(t.len() - v.len()..t.len())]);
        }
        if t == "--command" {
            return script_at(words, i + 1);
        }
        if is_cluster(t) {
            let body = &t[1..];
            if let Some(k) = body.find('c') {
                if k + 1 == body.len() {
                    return script_at(words, i + 1);
                }
                return Target::Script(vec![w.slice(k + 2..t.len())]);
            }
            if body.ends_with(['s', 'g', 'G', 'w']) {
                i += 1;
            }
        }
        i += 1;
    }
    Target::Nothing
}

fn script_at(words: &[Word], i: usize) -> Target {
    match words.get(i) {
        Some(w) => Target::Script(vec![w.clone()]),
        None => Target::Nothing,
    }
}

/// `sh [options] -c STRING [name args…]`: STRING is the script; without
/// `-c` the shell reads a file or its input, which is not here.
fn shell(words: &[Word], mut i: usize) -> Target {
    let mut command = false;
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        if t == "--" {
            i += 1;
            break;
        }
        if let Some(long) = t.strip_prefix("--") {
            i += if ["rcfile", "init-file"].contains(&long) {
                2
            } else {
                1
            };
            continue;
        }
        let is_option = t.len() > 1 && (t.starts_with('-') || t.starts_with('+'));
        if !is_option {
            break;
        }
        let body = &t[1..];
        if body.contains('c') {
            command = true;
        }
        // `-o NAME` / `+o NAME`, also at the end of a cluster (`-euo pipefail`).
        i += if body.ends_with('o') { 2 } else { 1 };
    }
    match (command, words.get(i)) {
        (true, Some(w)) => Target::Script(vec![w.clone()]),
        _ => Target::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::super::words::split;
    use super::*;

    fn run(text: &str) -> String {
        let cmds = split(text, 0, text.len()).commands;
        match target(&cmds[0]) {
            Target::Program(i) => format!("program {}", program_name(&cmds[0][i])),
            Target::Script(ws) => format!(
                "script {}",
                ws.iter()
                    .map(|w| w.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            Target::Nothing => "nothing".into(),
        }
    }

    #[test]
    fn wrappers_and_their_options() {
        for line in [
            "time -p docker run x",
            "timeout --signal KILL -k 5 10m docker run x",
            "nice -n 10 nohup stdbuf -oL -e 0 docker run x",
            "xargs -0 -n 1 -I{} docker run x",
            "sudo -E -u root --preserve-env=A,B A=1 docker run x",
            "doas -u root env -i -u HOME A=b docker run x",
            "exec -a name command -p docker run x",
            "then ! X=1 /usr/bin/docker run x",
            "ionice -c 3 setsid docker run x",
            "watch -n 5 -x docker run x",
        ] {
            assert_eq!(run(line), "program docker", "{line}");
        }
        assert_eq!(run("command -v docker"), "nothing");
        assert_eq!(run("nice -5 docker"), "program docker");
    }

    #[test]
    fn strings_that_a_shell_runs() {
        assert_eq!(run("bash -ec 'docker run x'"), "script docker run x");
        assert_eq!(
            run("sh -o pipefail -xc \"docker run x\" name"),
            "script docker run x"
        );
        assert_eq!(run("bash script.sh -c x"), "nothing");
        assert_eq!(run("su - app -c 'docker run x'"), "script docker run x");
        assert_eq!(
            run("su --command='docker run x' app"),
            "script docker run x"
        );
        assert_eq!(
            run("ssh -p 22 -o X=y host docker run x"),
            "script docker run x"
        );
        assert_eq!(run("eval 'docker run' x"), "script docker run x");
        assert_eq!(run("watch -n 1 'docker run x'"), "script docker run x");
        assert_eq!(run("env -S 'docker run' x"), "script docker run x");
        assert_eq!(
            run("env --split-string='docker run x'"),
            "script docker run x"
        );
    }
}
