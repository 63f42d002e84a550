#!/usr/bin/env bash
# Where a JVM's start-up goes, by the class-load log: for one run of a program, the first and last class loaded of
# each group (ASM, jffi, ours, logging, JMX, JFR, FFM, generated lambda/method-handle classes, the JDK) and how many,
# in milliseconds of JVM uptime. What docs/performance.md (start-up) was found with.
#
#   bench/startup-profile.sh [java] -- JVM-ARGS... MAIN-CLASS-OR--jar ARGS...
#   bench/startup-profile.sh /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -- \
#       -javaagent:target/mptcp-nio-0.1.0-SNAPSHOT-all.jar -cp bench/target/classes io.github.mptcpnio.bench.FirstConnection
set -euo pipefail
java=java
if [ "${1:-}" != "--" ]; then java=$1; shift; fi
[ "${1:-}" = "--" ] || { echo "usage: $0 [java] -- JVM-ARGS... MAIN ARGS..." >&2; exit 2; }
shift
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$java" -Xlog:class+load:file="$log":uptime "$@"
awk '
function grp(n) {
  if (n ~ /^org\.objectweb\.asm/) return "asm";
  if (n ~ /^com\.kenai\.jffi/) return "jffi";
  if (n ~ /^io\.github\.mptcpnio/) return "ours";
  if (n ~ /^java\.util\.logging|^sun\.util\.logging|^jdk\.internal\.logger/) return "logging";
  if (n ~ /^javax\.management|^com\.sun\.jmx|^java\.lang\.management|^sun\.management/) return "jmx";
  if (n ~ /^jdk\.jfr/) return "jfr";
  if (n ~ /^java\.lang\.foreign|^jdk\.internal\.foreign/) return "ffm";
  if (n ~ /LambdaForm\$|\$\$Lambda|Species_/) return "generated";
  if (n ~ /^(java|javax|jdk|sun|com\.sun)\./) return "jdk";
  return "application";
}
{ t=$1; gsub(/[\[\]s]/,"",t); t=t*1000; g=grp($2); if(!(g in first)) {first[g]=t; order[++k]=g}; last[g]=t; n[g]++ }
END { for(i=1;i<=k;i++){g=order[i]; printf "%-12s %5d classes  %7.1f .. %7.1f ms\n", g, n[g], first[g], last[g]} }' "$log"
