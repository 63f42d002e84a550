package io.github.mptcpnio.bench;

import java.lang.instrument.Instrumentation;

/**
 * An agent that does nothing: what {@code -javaagent} itself costs the JVM (the instrument library, the agent's jar,
 * and the JVM's module graph resolved at start instead of taken from the CDS archive). The floor under ours.
 */
public final class EmptyAgent {
    private EmptyAgent() {}

    public static void premain(String args, Instrumentation inst) {
        // nothing
    }
}
