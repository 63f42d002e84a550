#!/usr/bin/env bash
# Where the agent's premain goes, step by step: builds a copy of the library with a timestamp after each step of
# Agent.premain and AgentStart (in a temporary folder; the tree is not touched), then runs FirstConnection under it
# on each JDK and prints the median of each step over the rounds, in milliseconds. What docs/adr/0010 quotes.
#
#   bench/premain-steps.sh [ROUNDS]        (default 15; bench/ built: FirstConnection from bench/target/classes)
#
# A step that no longer matches the sources stops the script: the marks are placed by the statements they follow.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-15}
[ -d bench/target/classes/io/github/mptcpnio/bench ] || { echo "build bench/ first (bench/run.sh)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r pom.xml src "$work"/
python3 - "$work" <<'EOF'
import sys
root = sys.argv[1] + "/src/main/java/io/github/mptcpnio/internal/agent/"
def patch(name, marks):
    """Inserts a statement before or after each anchor, which must occur exactly once."""
    path = root + name
    s = open(path).read()
    for anchor, statement, after in marks:
        if s.count(anchor) != 1:
            sys.exit(f"{name}: the statement for '{statement}' is not found once: {anchor!r}")
        s = s.replace(anchor, anchor + statement + "\n" if after else statement + "\n" + anchor)
    open(path, "w").write(s)
def step(label):
    return f'StepTimes.mark("{label}");'
open(root + "StepTimes.java", "w").write("""package io.github.mptcpnio.internal.agent;
final class StepTimes {
    private static long last;
    private static final StringBuilder OUT = new StringBuilder("premain-steps");
    static void start() { last = System.nanoTime(); }
    static void mark(String step) {
        long now = System.nanoTime();
        OUT.append('|').append(step).append('=').append((now - last) / 1000);
        last = System.nanoTime();
    }
    static void print() { System.err.println(OUT); }
}
""")
patch("Agent.java", [
    ("    public static void premain(String args, Instrumentation inst) {\n", "StepTimes.start();", True),
    ("        inPlace = AgentStart.start(", step("options, settings, rules"), False),
    ("settings.withRules(rules.summary()), rules, inst);\n", "StepTimes.print();", True),
])
patch("AgentStart.java", [
    ("        JdkShim.grantAccess(inst);\n", step("module grant (redefineModule)"), True),
    ("        Preload.once(settings, Preload.AGENT_NATIVE_DELAY_MILLIS);\n", step("preload thread started"), True),
    ("        Hooks policy = new Hooks(settings, rules);\n", step("policy (Hooks)"), True),
    ("// before any Netty class can load\n", step("Netty filter registered"), True),
    ("methods == null ? JdkRewriter.DEFAULT_SOCKET_METHODS : methods.split(\",\"));\n", step("class cache opened"), True),
    ("            Class<?> hooks = nio.defineClass(rewriter.hooksClass());\n", step("hooks class defined"), True),
    ("        rewriter.onNotRewritten(", step("hooks class fields set"), False),
    ("        inst.addTransformer(rewriter, false);\n", step("rewriter registered"), True),
    ("        try {\n            if (loadedNet != null", step("loaded classes scanned"), False),
    ("        String net = rewriter.outcome(JdkRewriter.NET);\n", step("Net loaded, rewritten from the cache"), False),
    ("        boolean inPlace = rewrite(inst, policy, warnings);\n", step("rest of rewrite"), True),
])
EOF
(cd "$work" && mvn -B -q -o package -DskipTests -Dmaven.javadoc.skip=true -Dforbiddenapis.skip=true >"$work/build.log" 2>&1) \
    || { tail -30 "$work/build.log" >&2; exit 1; }
jar=$(ls "$work"/target/mptcp-nio-*-all.jar)
javas=(java)
for j in /usr/lib/jvm/*/bin/java; do
    [ -x "$j" ] && [ ! -L "$(dirname "$(dirname "$j")")" ] && [ "$(readlink -f "$j")" != "$(readlink -f "$(command -v java)")" ] \
        && javas+=("$j")
done
for java in "${javas[@]}"; do
    version=$("$java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.version =/{print $2}')
    out="$work/steps-$version"
    "$java" -javaagent:"$jar" -cp bench/target/classes io.github.mptcpnio.bench.FirstConnection >/dev/null 2>&1 # cache
    for _ in $(seq "$rounds"); do
        "$java" -javaagent:"$jar" --enable-native-access=ALL-UNNAMED -cp bench/target/classes \
            io.github.mptcpnio.bench.FirstConnection 2>&1 >/dev/null | grep '^premain-steps' >>"$out"
    done
    echo "JDK $version, $rounds rounds, median ms of each step of premain:"
    python3 - "$out" <<'EOF'
import statistics, sys
rows = [dict(kv.split("=") for kv in line.strip().split("|")[1:]) for line in open(sys.argv[1])]
total = [sum(int(v) for v in r.values()) / 1000 for r in rows]
for step in rows[0]:
    print(f"  {step:40s} {statistics.median(int(r[step]) / 1000 for r in rows):6.1f}")
print(f"  {'premain, in all':40s} {statistics.median(total):6.1f}")
EOF
done
