package io.github.mptcpnio.internal;

import io.github.mptcpnio.internal.Introspection.Probe;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IntrospectionDecisionTest {
    private static final int TCP = 6;
    private static final int MPTCP = 262;

    @Test
    void plainTcpSocketIsNeverMultipath() {
        for (Probe p : Probe.values()) {
            assertFalse(Introspection.decide(TCP, p, Probe.YES, true));
            assertFalse(Introspection.decide(TCP, p, Probe.YES, false));
        }
    }

    @Test
    void tcpIsMptcpDecidesOnKernel610AndLater() {
        assertTrue(Introspection.decide(MPTCP, Probe.YES, Probe.NO, true));
        assertFalse(Introspection.decide(MPTCP, Probe.NO, Probe.YES, true)); // fallen back
    }

    @Test
    void mptcpInfoDecidesOnKernel516To609() {
        assertTrue(Introspection.decide(MPTCP, Probe.UNSUPPORTED, Probe.YES, true));
        assertFalse(Introspection.decide(MPTCP, Probe.UNSUPPORTED, Probe.NO, true));
    }

    @Test
    void protocolAloneDecidesOnOlderKernels() {
        assertTrue(Introspection.decide(MPTCP, Probe.UNSUPPORTED, Probe.NO, false));
    }
}
