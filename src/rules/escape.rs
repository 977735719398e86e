//! Which system calls re-open kernel attack surface or a known container
//! escape, most dangerous first: what grades a permissive profile's
//! findings as errors and orders every list of calls a message names.
//!
//! The classes are those Docker's seccomp documentation gives for blocking
//! them: loading kernel code (`init_module`, `kexec_load`), the mount API,
//! creating or joining namespaces (`unshare`, `setns`, `clone` with
//! namespace flags — user namespaces need no capability at all), `bpf`,
//! `open_by_handle_at` (the "shocker" escape), `ptrace` (which bypassed
//! seccomp before kernel 4.8), the kernel keyring (not namespaced),
//! `userfaultfd` and `perf_event_open` (exploitation primitives).
//! `io_uring`, which Docker's default allowed from 2019 to 2023, is left to
//! the warnings with the rest the default blocks.

/// The classes in order; within a class, the order of the list.
const ESCAPE: &[&[&str]] = &[
    &[
        "init_module",
        "finit_module",
        "delete_module",
        "create_module",
        "kexec_load",
        "kexec_file_load",
    ],
    &[
        "mount",
        "fsopen",
        "fsconfig",
        "fsmount",
        "fspick",
        "move_mount",
        "open_tree",
        "mount_setattr",
        "pivot_root",
        "umount",
        "umount2",
    ],
    &["unshare", "setns", "clone", "clone3"],
    &["bpf"],
    &["open_by_handle_at"],
    &["ptrace"],
    &["keyctl", "add_key", "request_key"],
    &["userfaultfd"],
    &["perf_event_open"],
];

/// The position of `name` among escape-class calls (`None`: not one).
pub fn rank(name: &str) -> Option<usize> {
    ESCAPE
        .iter()
        .flat_map(|class| class.iter())
        .position(|&n| n == name)
}

/// Whether `name` is escape-class.
pub fn is_escape(name: &str) -> bool {
    rank(name).is_some()
}

/// Sorts calls most dangerous first: escape-class in their order, then the
/// rest by name.
pub fn sort<T>(items: &mut [T], name: impl Fn(&T) -> &str) {
    items.sort_by(|a, b| {
        let (a, b) = (name(a), name(b));
        let key = |n: &str| rank(n).unwrap_or(usize::MAX);
        key(a).cmp(&key(b)).then_with(|| a.cmp(b))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_danger_then_name() {
        let mut names = ["syslog", "umount2", "mount", "bpf", "acct", "init_module"];
        sort(&mut names, |n| n);
        assert_eq!(
            names,
            ["init_module", "mount", "umount2", "bpf", "acct", "syslog"]
        );
        assert!(is_escape("keyctl"));
        assert!(!is_escape("reboot"));
    }
}
