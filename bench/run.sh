#!/usr/bin/env bash
# Runs every benchmark against the three baselines (jdk, mptcpize, mptcp-nio; plus the agent) and writes
# bench/RESULTS.md and bench/failover.png. As root (the two-path run uses network namespaces).
#
#   bench/run.sh                     everything (about 60 minutes: rules 26, two-host 12, failover 13, scale 7)
#   bench/run.sh --only bulk,latency some parts: open, connect, bulk, latency, startup, rules, views, twopath, twohost,
#                                    kernels (this kernel's record for bench/kernels.sh), failover, scale
#                                    (twohost, failover and scale write TWOHOST.md, FAILOVER.md, SCALE.md; run
#                                    without the other parts, they keep RESULTS.md as it is)
#   bench/run.sh --smoke             one tiny iteration of each, written to bench/target/smoke/ (what CI runs)
#   bench/run.sh --no-build ...      reuse target/ and bench/target/ as built
#   bench/run.sh --rules-rounds N    rounds of the rules part (default 12, about 1.7 minutes each)
#   bench/run.sh --rules-keys K,...  only these figures of the rules part (default all; the set-up figures
#                                    channel.us,socket.us,netty.us alone take about 0.9 minutes a round here,
#                                    the bulk figures channel.mbps,socket.mbps,netty.mbps about 1)
#   bench/run.sh --rules-baselines B,... only these baselines in the rules part's lockstep: jdk and
#                                    mptcp-nio-agent-default, and any of mptcpize, mptcp-nio-agent (default all
#                                    four; the two alone take half the time a round)
#
# JAVA_HOME selects the JDK (default: the java on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

build=true
args=()
out=bench
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=false ;;
    --smoke) args+=(--smoke); out=bench/target/smoke ;;
    --only) args+=(--only "$2"); shift ;;
    --rules-rounds) args+=(--rules-rounds "$2"); shift ;;
    --rules-keys) args+=(--rules-keys "$2"); shift ;;
    --rules-baselines) args+=(--rules-baselines "$2"); shift ;;
    --out) out="$2"; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

command -v mptcpize >/dev/null || { echo "mptcpize missing: apt-get install -y mptcpd" >&2; exit 2; }
command -v iperf3 >/dev/null || { echo "iperf3 missing (the two-host part's C reference): apt-get install -y iperf3" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run as root: the two-path benchmark creates network namespaces" >&2; exit 2; }
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

if $build; then
  mvn -B -q install -DskipTests
  mvn -B -q -f bench/pom.xml package
fi
agent=$(ls target/mptcp-nio-*-all.jar | head -n1)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit="$commit (with uncommitted changes)"
mptcpd=$(dpkg-query -W -f '${Version}' mptcpd 2>/dev/null || echo unknown)

exec "$java" -Djava.awt.headless=true -Dbench.commit="$commit" -Dbench.mptcpize="$mptcpd" \
  -cp bench/target/benchmarks.jar io.github.mptcpnio.bench.Suite --agent-jar "$agent" --out "$out" "${args[@]}"
