#!/usr/bin/env bash
# The two-host cells that show the single-subflow collapse (bench/KERNELS.md), on this machine's kernel and in qemu
# guests of Debian's Linux 6.1 and 6.12 (bin/kernel-guest): MPTCP/TCP ratios and the stall counters per kernel.
# As root. Each kernel's run writes bench/kernels/linux-<release>.tsv; bench/KERNELS.md is made from all of them.
#
#   bench/kernels.sh                   this machine's kernel, then 6.1 and 6.12 (about 15 minutes)
#   bench/kernels.sh 6.12              only the named ones ("host" is this machine's kernel)
#   bench/kernels.sh --no-build ...    reuse target/ and bench/target/ as built
#
# JAVA_HOME selects the JDK (default: the java on PATH); the guests run the same one.
set -euo pipefail
cd "$(dirname "$0")/.."

build=true
kernels=()
for a in "$@"; do
  case "$a" in
    --no-build) build=false ;;
    host|6.1|6.12) kernels+=("$a") ;;
    *) echo "unknown argument: $a (host, 6.1, 6.12, --no-build)" >&2; exit 2 ;;
  esac
done
((${#kernels[@]})) || kernels=(host 6.1 6.12)

if $build; then
  mvn -B -q install -DskipTests
  mvn -B -q -f bench/pom.xml package
fi
for k in "${kernels[@]}"; do
  echo "=== two-host cells on $k"
  if [[ "$k" == host ]]; then
    bench/run.sh --no-build --only kernels
  else
    # a transfer is 1 s whatever the emulation's speed; the JVMs' start-ups are what takes the time in a guest
    bin/kernel-guest --timeout 5400 --writable bench "$k" -- bench/run.sh --no-build --only kernels
  fi
done
