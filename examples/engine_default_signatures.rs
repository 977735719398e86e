//! Prints the signature of each seccomp profile named on standard input, for
//! `vendor/engine-default-seccomp-signatures.tsv` (see vendor/README.md).
//!
//! Input lines: `engine<TAB>version<TAB>path`. Output lines:
//! `signature<TAB>engine<TAB>version`, the first version of each signature
//! only; a file that is not a valid profile is reported on standard error.

use std::collections::HashSet;
use std::io::BufRead;

fn main() {
    let mut seen = HashSet::new();
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("standard input is text");
        let mut fields = line.splitn(3, '\t');
        let (Some(engine), Some(version), Some(path)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let source = seccheck::source::Source::new(path, text);
        match seccheck::formats::seccomp_profile::parse(&source) {
            Ok(profile) => {
                let signature = seccheck::formats::seccomp_profile::signature(&profile);
                if seen.insert(signature) {
                    println!("{signature:016x}\t{engine}\t{version}");
                }
            }
            Err((_, why)) => eprintln!("{path}: {why}"),
        }
    }
}
