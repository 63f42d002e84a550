package io.github.mptcpnio.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ways a JVM gets its sockets, measured side by side. Every benchmark JVM is started with
 * {@code -Dbench.baseline=<name>} and checks in its set-up that it really runs the way its name says ({@link Check}),
 * so that a result can never be filed under the wrong baseline.
 */
enum Baseline {
    /** The JDK's default provider: plain TCP. */
    JDK("jdk", false, false),
    /** The JDK's default provider under {@code mptcpize run}: LD_PRELOAD turns every TCP socket() into MPTCP. */
    MPTCPIZE("mptcpize", true, false),
    /** Our provider through the system property (the switch). */
    SWITCH("mptcp-nio", true, true),
    /**
     * {@code -javaagent} with the rule {@code loopback mptcp}: the JDK's own provider, whose loopback sockets the
     * agent's rules switch to MPTCP at their connect and bind (a rule that re-seats).
     */
    AGENT("mptcp-nio-agent", true, false),
    /**
     * {@code -javaagent} with its default rules: loopback clients and listeners stay TCP (a decision that changes
     * nothing), so the loopback benchmarks run plain TCP.
     */
    AGENT_DEFAULT("mptcp-nio-agent-default", false, false);

    /** The rule that makes the agent's loopback clients MPTCP (by default they stay TCP). */
    static final String LOOPBACK_MPTCP = "=rules=loopback mptcp";

    static final String EXPORT = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    static final String PROPERTY = "bench.baseline";

    final String label;
    final boolean mptcp;
    final boolean ourProvider;
    /** Whether this JVM runs our library (the switch or the agent), which can ask the kernel without extra flags. */
    final boolean ours;

    Baseline(String label, boolean mptcp, boolean ourProvider) {
        this.label = label;
        this.mptcp = mptcp;
        this.ourProvider = ourProvider;
        this.ours = label.startsWith("mptcp-nio");
    }

    static Baseline named(String label) {
        for (Baseline b : values()) {
            if (b.label.equals(label)) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown baseline '" + label + "'; one of jdk, mptcpize, mptcp-nio, "
                + "mptcp-nio-agent, mptcp-nio-agent-default");
    }

    /**
     * JVM options. Every baseline gets the export and native access, so that {@link Check} can ask the kernel about
     * its sockets; only the switch, the agent or the preload differ.
     */
    List<String> jvmArgs(Path agentJar) {
        return jvmArgs(agentJar, true);
    }

    /**
     * JVM options; {@code checkable=false} gives each baseline only the flags its users would pass (the start-up
     * benchmark): nothing for jdk and mptcpize, the switch with the export and native access as README documents
     * it, the agent with native access. The JDK's start-up depends on them: {@code --add-exports} alone disables
     * the CDS archive's module graph (about 15 ms on JDK 17).
     */
    List<String> jvmArgs(Path agentJar, boolean checkable) {
        if (!checkable) {
            return switch (this) {
                case JDK, MPTCPIZE -> List.of("-D" + PROPERTY + "=" + label);
                case SWITCH -> List.of("-D" + PROPERTY + "=" + label,
                        "-Djava.nio.channels.spi.SelectorProvider=io.github.mptcpnio.MptcpSelectorProvider", EXPORT,
                        NATIVE_ACCESS);
                case AGENT -> List.of("-D" + PROPERTY + "=" + label, "-javaagent:" + agentJar + LOOPBACK_MPTCP,
                        NATIVE_ACCESS);
                case AGENT_DEFAULT -> List.of("-D" + PROPERTY + "=" + label, "-javaagent:" + agentJar, NATIVE_ACCESS);
            };
        }
        List<String> args = new ArrayList<>(List.of(EXPORT, NATIVE_ACCESS, "-D" + PROPERTY + "=" + label));
        if (this == SWITCH) {
            args.add("-Djava.nio.channels.spi.SelectorProvider=io.github.mptcpnio.MptcpSelectorProvider");
        } else if (this == AGENT) {
            args.add("-javaagent:" + agentJar + LOOPBACK_MPTCP);
        } else if (this == AGENT_DEFAULT) {
            args.add("-javaagent:" + agentJar);
        }
        return args;
    }

    /** What runs before {@code java}: {@code mptcpize run} for that baseline, nothing for the others. */
    List<String> launcher() {
        return this == MPTCPIZE ? List.of("mptcpize", "run") : List.of();
    }
}
