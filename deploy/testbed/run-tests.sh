#!/usr/bin/env bash
# Runs the whole test suite as CI does: a JDK >= 21, the private containerd testbed, then Maven.
# The testbed is installed and started by deploy/testbed/containerd.sh (Debian packages, offline
# images) and always torn down, pass or fail.
set -euo pipefail
VERTLET_HOME="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
cd "$VERTLET_HOME"
. deploy/lib/jdk.sh
vertlet_find_jdk || exit 1
command -v mvn >/dev/null || { echo "run-tests: Maven (mvn) is required" >&2; exit 1; }

endpoint=""
if [ -x deploy/testbed/containerd.sh ] && [ "${VERTLET_NO_CONTAINERD:-}" != "1" ]; then
  trap 'deploy/testbed/containerd.sh down || true' EXIT
  if deploy/testbed/containerd.sh up; then
    endpoint="$(deploy/testbed/containerd.sh endpoint)"
  else
    echo "run-tests: the containerd testbed did not start; containerd tests will fail under CI=true" >&2
  fi
fi

mvn -B -Dcontainerd.endpoint="$endpoint" "$@" verify
