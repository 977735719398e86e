#!/bin/sh
# Renders containerd's default seccomp profile, which containerd builds in Go
# (contrib/seccomp/seccomp_default.go) rather than ships as JSON, as the OCI
# JSON it hands the runtime: for every version of that file in containerd's
# history, for Docker's default capabilities, on amd64 and on arm64. The
# files feed engine-default-seccomp-signatures.sh; none is committed.
#
# Usage: vendor/containerd-default-seccomp.sh MIRRORS OUT_DIR
# MIRRORS holds bare clones named owner+name/repo: containerd+containerd,
# opencontainers+runtime-spec (tag v1.3.0) and golang+sys (tag v0.18.0),
# used through `replace` so no module proxy is needed. Needs a Go toolchain
# (1.19 or later). The kernel version check is
# answered "new enough" (every supported kernel meets it), as seccheck
# answers includes.minKernel.
set -eu
mirrors=$1
git_dir=$mirrors/containerd+containerd/repo
out=$2
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mod="$work/render"
mkdir -p "$mod/seccomp" "$mod/kernelversion" "$mod/cmd" "$work/runtime-spec" "$work/sys"
git --git-dir="$mirrors/opencontainers+runtime-spec/repo" archive v1.3.0 | tar -x -C "$work/runtime-spec"
git --git-dir="$mirrors/golang+sys/repo" archive v0.18.0 | tar -x -C "$work/sys"
# runtime-spec's repository has no go.mod at that tag.
printf 'module github.com/opencontainers/runtime-spec\n\ngo 1.16\n' > "$work/runtime-spec/go.mod"
cat > "$mod/go.mod" <<'GO'
module render

go 1.19

require (
	github.com/opencontainers/runtime-spec v1.3.0
	golang.org/x/sys v0.18.0
)

replace github.com/opencontainers/runtime-spec => ../runtime-spec

replace golang.org/x/sys => ../sys
GO
cat > "$mod/kernelversion/kernelversion.go" <<'GO'
package kernelversion

type KernelVersion struct {
	Kernel uint64
	Major  uint64
}

func GreaterEqualThan(KernelVersion) (bool, error) { return true, nil }
GO
cat > "$mod/seccomp/arch.go" <<'GO'
package seccomp

// RenderArch stands for runtime.GOARCH.
var RenderArch = "amd64"
GO
cat > "$mod/cmd/main.go" <<'GO'
package main

import (
	"encoding/json"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"render/seccomp"
)

func main() {
	seccomp.RenderArch = os.Args[1]
	caps := []string{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
		"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
		"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"}
	sp := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: caps}}}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(seccomp.DefaultProfile(sp)); err != nil {
		panic(err)
	}
}
GO
export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local
git --git-dir="$git_dir" log --reverse --format='%H %h %ad' --date=short -- contrib/seccomp/seccomp_default.go |
while read -r commit short date; do
	git --git-dir="$git_dir" show "$commit:contrib/seccomp/seccomp_default.go" |
		sed -e 's#"github.com/containerd/containerd[^"]*/kernelversion"#"render/kernelversion"#' \
			-e 's#runtime\.GOARCH#RenderArch#g' \
			-e 's#^\t"runtime"$#\t_ "runtime"#' > "$mod/seccomp/seccomp_default.go"
	for arch in amd64 arm64; do
		if (cd "$mod" && go run ./cmd "$arch") > "$out/$date-$short-$arch.json" 2> "$work/err"; then
			:
		else
			rm -f "$out/$date-$short-$arch.json"
			echo "containerd $short: $(head -3 "$work/err" | tr "\n" " ")" >&2
		fi
	done
done
