//! The files git tracks in a work tree, read from its index file.
//!
//! Why: ignore files decide what the walk leaves out, but a file that git
//! tracks is part of the repository whatever `.gitignore` says (git keeps
//! tracking it), so a pull request could otherwise hide a tracked Compose
//! file from the scan by listing it in `.gitignore`. The walk therefore
//! adds the tracked files it did not meet.
//!
//! Why read `.git/index` ourselves: `git2` builds libgit2 from C and `gix`
//! brings dozens of crates into every install, while the part needed here
//! — the paths and modes of the index entries — is about a hundred lines of
//! the documented format (git's `Documentation/gitformat-index.adoc`):
//! a `DIRC` header with the version (2, 3 or 4) and the entry count; per
//! entry 40 bytes of stat data whose `mode` word says regular file (0o10),
//! symbolic link (0o12) or gitlink (0o16, a submodule), the object name
//! (20 bytes, or 32 in a SHA-256 repository: `extensions.objectFormat`),
//! 16 bits of flags (bit 14: 16 more flag bits follow, version 3 and up),
//! then the path: NUL-terminated and padded with 1–8 NULs to a multiple of
//! eight bytes (versions 2 and 3), or prefix-compressed against the
//! previous path — a varint of bytes to drop (the OFS_DELTA encoding), then
//! the NUL-terminated rest — without padding (version 4). A sparse index
//! holds directories (mode 040000) for the parts outside the sparse cone:
//! nothing of them is on disk, so they are skipped. A split index (the
//! `link` extension) keeps most entries in a shared file; for that rare
//! setting, and for an index version this reader does not know, `git
//! ls-files` answers instead. Submodules (gitlinks) are read through their
//! own index, a bounded number of levels deep.

use std::path::{Path, PathBuf};

/// Submodules inside submodules: enough for real repositories, and a bound
/// against a gitlink cycle through symlinked directories.
const MAX_SUBMODULE_DEPTH: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("cannot read {0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("{0}: not a git index ({1})")]
    Format(PathBuf, &'static str),
    /// Split index or an unknown version, and `git ls-files` did not help.
    #[error("{0}: {1}, and `git ls-files` could not list the tracked files")]
    Unsupported(PathBuf, &'static str),
}

/// The nearest directory at or above `dir` that is a git work tree (holds
/// `.git`, a directory or, in worktrees and submodules, a file).
pub fn work_tree_of(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The regular files git tracks in `work_tree`, including those of its
/// submodules, as paths relative to it with `/` separators (bytes, as git
/// stores them), below one of the directories `under` (`/`-terminated
/// prefixes; an empty one is the whole work tree). Sorted, without
/// duplicates. A work tree without an index (a fresh `git init`) tracks
/// nothing. Only the paths kept are copied out of the index, so a scan of
/// one directory of a large repository costs little memory.
pub fn tracked_files(work_tree: &Path, under: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, IndexError> {
    let mut out = Vec::new();
    collect(work_tree, b"", under, 0, &mut out)?;
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Whether `path` lies below one of the prefixes `under`, or is a
/// submodule that holds one of them.
fn wanted(path: &[u8], kind: Kind, under: &[Vec<u8>]) -> bool {
    under.iter().any(|p| {
        path.starts_with(p)
            || (kind == Kind::Submodule && p.starts_with(path) && p.get(path.len()) == Some(&b'/'))
    })
}

fn collect(
    work_tree: &Path,
    prefix: &[u8],
    under: &[Vec<u8>],
    depth: usize,
    out: &mut Vec<Vec<u8>>,
) -> Result<(), IndexError> {
    let Some(git_dir) = git_dir(work_tree) else {
        return Ok(());
    };
    let index_path = git_dir.join("index");
    let bytes = match std::fs::read(&index_path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(IndexError::Io(index_path, e)),
    };
    let keep = |path: &[u8], kind: Kind| wanted(&[prefix, path].concat(), kind, under);
    let entries = match parse(&bytes, hash_len(&git_dir), &keep) {
        Ok(entries) => entries,
        Err(Parse::Bad(why)) => return Err(IndexError::Format(index_path, why)),
        Err(Parse::Unsupported(why)) => {
            let mut all = ls_files(work_tree).ok_or(IndexError::Unsupported(index_path, why))?;
            all.retain(|(path, kind)| keep(path, *kind));
            all
        }
    };
    for (path, kind) in entries {
        let full = [prefix, &path].concat();
        match kind {
            Kind::File => out.push(full),
            Kind::Submodule if depth < MAX_SUBMODULE_DEPTH => {
                let sub = work_tree.join(native(&path));
                let sub_prefix = [full.as_slice(), b"/"].concat();
                collect(&sub, &sub_prefix, under, depth + 1, out)?;
            }
            Kind::Submodule | Kind::Other => {}
        }
    }
    Ok(())
}

/// `.git` itself, or the directory a `.git` file points to
/// (`gitdir: <path>`, relative to the work tree).
fn git_dir(work_tree: &Path) -> Option<PathBuf> {
    let dot_git = work_tree.join(".git");
    let meta = std::fs::metadata(&dot_git).ok()?;
    if meta.is_dir() {
        return Some(dot_git);
    }
    let text = std::fs::read_to_string(&dot_git).ok()?;
    let target = text.strip_prefix("gitdir:")?.trim();
    Some(work_tree.join(target))
}

/// 32 in a SHA-256 repository, else 20. The setting lives in the common
/// directory's `config` (a linked worktree's git dir names it in
/// `commondir`).
fn hash_len(git_dir: &Path) -> usize {
    let common = std::fs::read_to_string(git_dir.join("commondir"))
        .map(|c| git_dir.join(c.trim()))
        .unwrap_or_else(|_| git_dir.to_path_buf());
    let config = std::fs::read_to_string(common.join("config")).unwrap_or_default();
    let sha256 = config.lines().any(|line| {
        let line = line.trim().to_ascii_lowercase();
        line.starts_with("objectformat") && line.split('=').nth(1).map(str::trim) == Some("sha256")
    });
    if sha256 { 32 } else { 20 }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Submodule,
    /// Symbolic links (never followed by the walk) and sparse directories.
    Other,
}

#[derive(Debug, PartialEq, Eq)]
enum Parse {
    Bad(&'static str),
    Unsupported(&'static str),
}

/// The entries of an index (files and submodules) that `keep` accepts.
fn parse(
    bytes: &[u8],
    hash_len: usize,
    keep: &dyn Fn(&[u8], Kind) -> bool,
) -> Result<Vec<(Vec<u8>, Kind)>, Parse> {
    let be32 = |at: usize| -> Result<u32, Parse> {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or(Parse::Bad("truncated"))
    };
    if bytes.get(..4) != Some(b"DIRC") {
        return Err(Parse::Bad("no DIRC signature"));
    }
    let version = be32(4)?;
    if !(2..=4).contains(&version) {
        return Err(Parse::Unsupported(
            "an index version this reader does not know",
        ));
    }
    let count = be32(8)? as usize;
    // Every entry takes more than 40 bytes: a count the file cannot hold
    // is corruption, not a reason to reserve memory for it.
    if count > bytes.len() / 40 {
        return Err(Parse::Bad("more entries than the file can hold"));
    }
    let mut entries = Vec::new();
    let mut at = 12;
    let mut previous: Vec<u8> = Vec::new();
    for _ in 0..count {
        let start = at;
        let mode = be32(at + 24)?;
        at += 40 + hash_len;
        let flags = bytes
            .get(at..at + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or(Parse::Bad("truncated"))?;
        at += 2;
        if version >= 3 && flags & 0x4000 != 0 {
            at += 2;
        }
        let path: &[u8] = if version == 4 {
            let (strip, used) = varint(bytes.get(at..).unwrap_or_default())?;
            at += used;
            let rest = bytes.get(at..).ok_or(Parse::Bad("truncated"))?;
            let end = memchr::memchr(0, rest).ok_or(Parse::Bad("unterminated path"))?;
            let kept = previous
                .len()
                .checked_sub(strip)
                .ok_or(Parse::Bad("prefix longer than the previous path"))?;
            previous.truncate(kept);
            previous.extend_from_slice(&rest[..end]);
            at += end + 1;
            &previous
        } else {
            let rest = bytes.get(at..).ok_or(Parse::Bad("truncated"))?;
            let end = memchr::memchr(0, rest).ok_or(Parse::Bad("unterminated path"))?;
            // Padded with 1–8 NULs to a multiple of eight bytes.
            at = start + ((at - start + end + 8) & !7);
            &rest[..end]
        };
        let kind = match mode >> 12 {
            0o10 => Kind::File,
            0o16 => Kind::Submodule,
            _ => Kind::Other,
        };
        if kind != Kind::Other && keep(path, kind) {
            entries.push((path.to_vec(), kind));
        }
    }
    // Extensions follow the entries; only the split index changes what
    // the entries mean.
    while at + 8 <= bytes.len().saturating_sub(hash_len) {
        let size = be32(at + 4)? as usize;
        if &bytes[at..at + 4] == b"link" {
            return Err(Parse::Unsupported("a split index"));
        }
        at = at.saturating_add(8).saturating_add(size);
    }
    Ok(entries)
}

/// Git's variable-width integer for OFS_DELTA offsets (and v4 paths):
/// seven bits a byte, most significant first, each continuation adding one.
fn varint(bytes: &[u8]) -> Result<(usize, usize), Parse> {
    let mut iter = bytes.iter();
    let mut c = *iter.next().ok_or(Parse::Bad("truncated"))?;
    let mut value = usize::from(c & 0x7f);
    let mut used = 1;
    while c & 0x80 != 0 {
        c = *iter.next().ok_or(Parse::Bad("truncated"))?;
        used += 1;
        value = value
            .checked_add(1)
            .and_then(|v| v.checked_mul(128))
            .map(|v| v + usize::from(c & 0x7f))
            .ok_or(Parse::Bad("path prefix length overflows"))?;
    }
    Ok((value, used))
}

/// What `git ls-files` says, for the index forms this reader leaves to git.
fn ls_files(work_tree: &Path) -> Option<Vec<(Vec<u8>, Kind)>> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(work_tree)
        .args(["ls-files", "-z", "--cached", "--stage"])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    // `<mode> <object> <stage>\t<path>\0`
    out.stdout
        .split(|&b| b == 0)
        .filter(|r| !r.is_empty())
        .map(|record| {
            let tab = memchr::memchr(b'\t', record)?;
            let kind = match record.get(..2)? {
                b"10" => Kind::File,
                b"16" => Kind::Submodule,
                _ => Kind::Other,
            };
            Some((record[tab + 1..].to_vec(), kind))
        })
        .collect()
}

/// A `/`-separated index path as a native relative path.
pub fn native(path: &[u8]) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.split(|&b| b == b'/').filter(|p| !p.is_empty()) {
        #[cfg(unix)]
        out.push(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(part));
        #[cfg(not(unix))]
        out.push(String::from_utf8_lossy(part).as_ref());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &[Vec<u8>] = &[Vec::new()];

    /// One index entry as git writes it, for hash length 20.
    fn entry(version: u32, mode: u32, path: &[u8], strip: Option<u8>) -> Vec<u8> {
        let mut e = vec![0u8; 24];
        e.extend_from_slice(&mode.to_be_bytes());
        e.extend_from_slice(&[0u8; 12]);
        e.extend_from_slice(&[0xab; 20]);
        let len = path.len().min(0xfff) as u16;
        e.extend_from_slice(&len.to_be_bytes());
        if version == 4 {
            e.push(strip.unwrap_or(0));
            e.extend_from_slice(path);
            e.push(0);
        } else {
            e.extend_from_slice(path);
            let pad = 8 - (e.len() % 8);
            e.extend(std::iter::repeat_n(0, pad));
        }
        e
    }

    fn index(version: u32, entries: &[Vec<u8>], extensions: &[u8]) -> Vec<u8> {
        let mut out = b"DIRC".to_vec();
        out.extend_from_slice(&version.to_be_bytes());
        out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        for e in entries {
            out.extend_from_slice(e);
        }
        out.extend_from_slice(extensions);
        out.extend_from_slice(&[0u8; 20]);
        out
    }

    fn paths(v: Vec<(Vec<u8>, Kind)>) -> Vec<(String, Kind)> {
        v.into_iter()
            .map(|(p, k)| (String::from_utf8(p).unwrap(), k))
            .collect()
    }

    #[test]
    fn version_2_entries_with_padding_and_kinds() {
        let bytes = index(
            2,
            &[
                entry(2, 0o100644, b"a/compose.yaml", None),
                entry(2, 0o120000, b"link", None),
                entry(2, 0o160000, b"sub", None),
                // A 62-byte fixed part and a 2-byte path make 64: the path
                // still needs its NUL, so 8 NULs of padding.
                entry(2, 0o100755, b"ab", None),
            ],
            b"TREE\0\0\0\x02ab",
        );
        assert_eq!(
            paths(parse(&bytes, 20, &|_, _| true).unwrap()),
            [
                ("a/compose.yaml".into(), Kind::File),
                ("sub".into(), Kind::Submodule),
                ("ab".into(), Kind::File),
            ]
        );
    }

    #[test]
    fn version_4_prefix_compression() {
        let bytes = index(
            4,
            &[
                entry(4, 0o100644, b"deploy/compose.yaml", Some(0)),
                // Drop "compose.yaml" (12), add "k8s.yaml".
                entry(4, 0o100644, b"k8s.yaml", Some(12)),
                entry(4, 0o040000, b"sparse/", Some(15)),
            ],
            b"",
        );
        assert_eq!(
            paths(parse(&bytes, 20, &|_, _| true).unwrap()),
            [
                ("deploy/compose.yaml".into(), Kind::File),
                ("deploy/k8s.yaml".into(), Kind::File),
            ]
        );
    }

    #[test]
    fn corrupt_and_unsupported_indexes() {
        assert_eq!(
            parse(b"XXXX", 20, &|_, _| true),
            Err(Parse::Bad("no DIRC signature"))
        );
        let mut huge = index(2, &[], b"");
        huge[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(
            parse(&huge, 20, &|_, _| true),
            Err(Parse::Bad("more entries than the file can hold"))
        );
        let truncated = index(2, &[entry(2, 0o100644, b"a", None)], b"");
        assert!(parse(&truncated[..50], 20, &|_, _| true).is_err());
        assert!(matches!(
            parse(&index(5, &[], b""), 20, &|_, _| true),
            Err(Parse::Unsupported(_))
        ));
        let split = index(2, &[], b"link\0\0\0\x14aaaaaaaaaaaaaaaaaaaa");
        assert_eq!(
            parse(&split, 20, &|_, _| true),
            Err(Parse::Unsupported("a split index"))
        );
        // v4: a prefix longer than the previous path.
        let bad = index(4, &[entry(4, 0o100644, b"x", Some(5))], b"");
        assert_eq!(
            parse(&bad, 20, &|_, _| true),
            Err(Parse::Bad("prefix longer than the previous path"))
        );
    }

    /// Runs git in `dir` without the user's or system's configuration.
    fn git(dir: &Path, args: &[&str]) -> Vec<u8> {
        let out = std::process::Command::new("git")
            .current_dir(dir)
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@localhost")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@localhost")
            .env("GIT_ALLOW_PROTOCOL", "file")
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {out:?}");
        out.stdout
    }

    /// What git itself says is tracked: regular files, submodules' included.
    fn git_says(dir: &Path) -> Vec<Vec<u8>> {
        let out = git(dir, &["ls-files", "-z", "--stage", "--recurse-submodules"]);
        let mut files: Vec<Vec<u8>> = out
            .split(|&b| b == 0)
            .filter(|r| r.starts_with(b"100"))
            .map(|r| r[memchr::memchr(b'\t', r).unwrap() + 1..].to_vec())
            .collect();
        files.sort();
        files.dedup();
        files
    }

    fn repo(args: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let mut init = vec!["init", "-q"];
        init.extend_from_slice(args);
        git(dir.path(), &init);
        for (path, text) in [
            ("compose.yaml", "services: {}\n"),
            ("deploy/k8s/pod.yaml", "kind: Pod\n"),
            ("deploy/k8s/ignored.yaml", "kind: Pod\n"),
            ("deploy/run.sh", "#!/bin/sh\n"),
            (
                "a-very-long-directory-name-to-pass-the-twelve-bit-length/x.yaml",
                "{}\n",
            ),
        ] {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        std::fs::write(dir.path().join(".gitignore"), "ignored.yaml\n").unwrap();
        git(dir.path(), &["add", "."]);
        // Tracked although .gitignore matches it.
        git(dir.path(), &["add", "-f", "deploy/k8s/ignored.yaml"]);
        #[cfg(unix)]
        std::os::unix::fs::symlink("compose.yaml", dir.path().join("link.yaml")).unwrap();
        #[cfg(unix)]
        git(dir.path(), &["add", "link.yaml"]);
        dir
    }

    #[test]
    fn every_index_version_reads_as_git_lists_it() {
        for (init, version) in [
            (&[][..], "2"),
            (&[][..], "3"),
            (&[][..], "4"),
            (&["--object-format=sha256"][..], "4"),
            (&["--object-format=sha256"][..], "2"),
        ] {
            let dir = repo(init);
            git(dir.path(), &["update-index", "--index-version", version]);
            if version == "3" {
                // Intent-to-add sets the extended flag bits of version 3.
                std::fs::write(dir.path().join("new.yaml"), "{}\n").unwrap();
                git(dir.path(), &["add", "-N", "new.yaml"]);
            }
            let index = std::fs::read(dir.path().join(".git/index")).unwrap();
            assert_eq!(index[7].to_string(), version, "the index git wrote");
            let ours = tracked_files(dir.path(), ALL).unwrap();
            assert_eq!(ours, git_says(dir.path()), "{init:?} v{version}");
            assert!(ours.contains(&b"deploy/k8s/ignored.yaml".to_vec()));
            assert!(
                !ours.contains(&b"link.yaml".to_vec()),
                "symlinks are not files"
            );
        }
    }

    #[test]
    fn a_split_index_is_listed_by_git_and_submodules_through_their_own_index() {
        let dir = repo(&[]);
        git(dir.path(), &["commit", "-q", "-m", "one"]);
        git(dir.path(), &["update-index", "--split-index"]);
        std::fs::write(dir.path().join("later.yaml"), "{}\n").unwrap();
        git(dir.path(), &["add", "later.yaml"]);
        // The reader leaves a split index to `git ls-files`.
        let index = std::fs::read(dir.path().join(".git/index")).unwrap();
        assert_eq!(
            parse(&index, 20, &|_, _| true).unwrap_err(),
            Parse::Unsupported("a split index")
        );
        let ours = tracked_files(dir.path(), ALL).unwrap();
        assert_eq!(ours, git_says(dir.path()));
        assert!(ours.contains(&b"later.yaml".to_vec()));

        let outer = repo(&[]);
        git(
            outer.path(),
            &[
                "-c",
                "protocol.file.allow=always",
                "submodule",
                "add",
                "-q",
                dir.path().to_str().unwrap(),
                "sub",
            ],
        );
        let ours = tracked_files(outer.path(), ALL).unwrap();
        assert_eq!(ours, git_says(outer.path()));
        assert!(ours.contains(&b"sub/deploy/k8s/pod.yaml".to_vec()));

        // Only what lies below the scanned directories is kept, also
        // inside a submodule; `deploy/` does not take `deploy-x/`.
        std::fs::write(outer.path().join("deploy-x.yaml"), "{}\n").unwrap();
        git(outer.path(), &["add", "deploy-x.yaml"]);
        let below = |p: &[&str]| {
            let under: Vec<Vec<u8>> = p.iter().map(|s| s.as_bytes().to_vec()).collect();
            tracked_files(outer.path(), &under).unwrap()
        };
        assert_eq!(
            below(&["deploy/"]),
            [
                b"deploy/k8s/ignored.yaml".to_vec(),
                b"deploy/k8s/pod.yaml".to_vec(),
                b"deploy/run.sh".to_vec(),
            ]
        );
        assert_eq!(
            below(&["sub/deploy/k8s/", "compose.yaml/"]),
            [
                b"sub/deploy/k8s/ignored.yaml".to_vec(),
                b"sub/deploy/k8s/pod.yaml".to_vec(),
            ]
        );
    }

    #[test]
    fn a_linked_worktree_reads_its_own_index() {
        let dir = repo(&[]);
        git(dir.path(), &["commit", "-q", "-m", "one"]);
        let wt = tempfile::tempdir().unwrap();
        let wt_path = wt.path().join("wt");
        git(
            dir.path(),
            &["worktree", "add", "-q", wt_path.to_str().unwrap()],
        );
        std::fs::write(wt_path.join("only-here.yaml"), "{}\n").unwrap();
        git(&wt_path, &["add", "only-here.yaml"]);
        let ours = tracked_files(&wt_path, ALL).unwrap();
        assert_eq!(ours, git_says(&wt_path));
        assert!(ours.contains(&b"only-here.yaml".to_vec()));
        assert!(
            !tracked_files(dir.path(), ALL)
                .unwrap()
                .contains(&b"only-here.yaml".to_vec())
        );
    }

    #[test]
    fn varints_as_git_writes_them() {
        // OFS_DELTA: 0x80 0x00 is 128, 0x81 0x00 is 256.
        assert_eq!(varint(&[0x05]), Ok((5, 1)));
        assert_eq!(varint(&[0x80, 0x00]), Ok((128, 2)));
        assert_eq!(varint(&[0x81, 0x00]), Ok((256, 2)));
        assert!(varint(&[0x80]).is_err());
        assert!(varint(&[0xff; 20]).is_err());
    }
}
