package io.github.mptcpnio.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes the start-up part ({@link StartupRun}) as its own Markdown file, {@code STARTUP.md}. */
final class StartupReport {
    private final Results r;
    private final Results.Startup s;
    private final StringBuilder md = new StringBuilder();

    StartupReport(Results r) {
        this.r = r;
        this.s = r.startup;
    }

    /** The target ratio to the plain JVM of the same JDK, by variant; the agent's depends on the JDK. */
    private static double target(String jdk, String variant) {
        return switch (variant) {
            case StartupRun.AGENT -> jdk.equals("JDK 17") ? 1.8 : 1.5;
            case StartupRun.SWITCH -> 1.4;
            case StartupRun.OFF -> 1.3;
            default -> Double.NaN;
        };
    }

    String markdown() {
        md.append(Report.opening(r, "mptcp-nio start-up: what a short-lived JVM pays", "one round per JDK",
                ", JDKs " + String.join(", ", s.whole.keySet())));
        line("Reproduce: `bench/run.sh --only startup` as root (about 5 minutes). What each piece costs and why: "
                + "[docs/performance.md](../docs/performance.md#start-up).");
        line("");
        line("**Variants**, each with only the flags its users pass: **jdk** — nothing; **mptcpize** — `mptcpize run "
                + "java …`; **empty agent** — `-javaagent:` an agent whose `premain` does nothing (the JVM's own "
                + "price of any agent: the floor under ours); **empty agent + class-file hook** — the same agent "
                + "registering one transformer that changes nothing, as ours must (Netty's classes are rewritten as "
                + "they load, in any class loader): every later class load passes through it; **agent's floor: hook + "
                + "one log line** — that agent, and the application writes one INFO line through `System.Logger` before "
                + "connecting (what the agent pays besides its own code); **agent** — `-javaagent:mptcp-nio-…-all.jar` with its "
                + "defaults (the loopback connection stays TCP by rule) and native access; **agent, mode=off** — the "
                + "same with `=mode=off`; **switch** — the provider property, the export, native access, our jar "
                + "after the application's. Two floors, plain JVMs doing one piece of the agent's work: **jdk + one log line** — one "
                + "INFO line through `System.Logger` before connecting (the agent's one line, in a JVM that logs "
                + "nothing else); **jdk + native binding** — the agent's native probe first (jffi's stub from our cache, "
                + "libc's symbols, one `socket(…, IPPROTO_MPTCP)`; our jar on the class path). Rounds rotate the variants' order (" + s.rounds + " counted after " + s.warmup
                + " warm-up rounds); ratios are the **median (min–max) of each round's own ratio** to that round's "
                + "jdk run on the same JDK. Every run is checked: exit 0, its output, and on stderr our one line "
                + "exactly for the agent and the switch and nothing of ours for the others.");
        line("");
        line("## Targets");
        line("");
        line("| target | measured | met |");
        line("|---|---|---|");
        for (String jdk : s.wholeRatio.keySet()) {
            for (String v : List.of(StartupRun.AGENT, StartupRun.SWITCH, StartupRun.OFF)) {
                double t = target(jdk, v);
                for (String[] m : new String[][] {{"whole process", "w"}, {"first connection", "f"}}) {
                    Map<String, Stat> ratios = (m[1].equals("w") ? s.wholeRatio : s.firstRatio).get(jdk);
                    double got = ratios.get(v).median();
                    line("| " + jdk + ", " + v + ", " + m[0] + ": ≤ " + fmt(t, 1) + "× jdk | " + fmt(got, 2) + "× | "
                            + (got <= t ? "yes" : "**no**") + " |");
                }
            }
        }
        line("");
        line("## One loopback connection, then exit (`FirstConnection`)");
        line("");
        for (String jdk : s.whole.keySet()) {
            line("### " + jdk);
            line("");
            line("| variant | whole process (ms) | ×jdk | first connection (ms) | ×jdk |");
            line("|---|---|---|---|---|");
            for (String v : StartupRun.VARIANTS) {
                line("| " + v + " | " + s.whole.get(jdk).get(v).format(1) + " | " + s.wholeRatio.get(jdk).get(v)
                        .format(2) + " | " + s.first.get(jdk).get(v).format(1) + " | " + s.firstRatio.get(jdk).get(v)
                        .format(2) + " |");
            }
            line("");
        }
        line("**Ours above the agent's floor** (the agent's median minus the floor's, whole process): " + String.join(
                "; ", s.whole.keySet().stream().map(jdk -> jdk + " " + fmt(s.whole.get(jdk).get(StartupRun.AGENT)
                        .median() - s.whole.get(jdk).get(StartupRun.FLOOR).median(), 1) + " ms").toList())
                + ": `premain` and the hooks at the first socket; the rest of the agent's price is the floor's.");
        line("");
        line("## A real tool: ZooKeeper's command-line client");
        line("");
        line("`java -cp <ZooKeeper 3.9.5's jars> org.apache.zookeeper.ZooKeeperMain -server 127.0.0.1:PORT ls /` "
                + "against a ZooKeeper server started once for this part (a plain JVM): connect, open a session, "
                + "list the root, exit; whole process, " + s.toolRounds + " counted rounds after a warm-up round. "
                + "The jars are the release's own (`bench/pom.xml`), with no logging backend (slf4j's no-op), so "
                + "the agent's INFO line is the only use of `java.util.logging`.");
        line("");
        for (String jdk : s.tool.keySet()) {
            line("### " + jdk);
            line("");
            line("| variant | whole process (ms) | ×jdk |");
            line("|---|---|---|");
            for (String v : StartupRun.TOOL_VARIANTS) {
                line("| " + v + " | " + s.tool.get(jdk).get(v).format(1) + " | " + s.toolRatio.get(jdk).get(v)
                        .format(2) + " |");
            }
            line("");
        }
        return md.toString();
    }

    private static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private void line(String l) {
        md.append(l).append('\n');
    }
}
