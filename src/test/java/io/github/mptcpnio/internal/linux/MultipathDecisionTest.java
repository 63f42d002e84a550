package io.github.mptcpnio.internal.linux;

import io.github.mptcpnio.internal.linux.Sockets.Probe;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MultipathDecisionTest {

    @Test
    void plainTcpSocketIsNeverMultipath() {
        for (Probe p : Probe.values()) {
            assertFalse(Sockets.decide(Linux.IPPROTO_TCP, p, Probe.YES, true));
            assertFalse(Sockets.decide(Linux.IPPROTO_TCP, p, Probe.YES, false));
        }
    }

    @Test
    void tcpIsMptcpDecidesOnKernel610AndLater() {
        assertTrue(Sockets.decide(Linux.IPPROTO_MPTCP, Probe.YES, Probe.NO, true));
        assertFalse(Sockets.decide(Linux.IPPROTO_MPTCP, Probe.NO, Probe.YES, true)); // fallen back
    }

    @Test
    void mptcpInfoDecidesOnKernel516To609() {
        assertTrue(Sockets.decide(Linux.IPPROTO_MPTCP, Probe.UNSUPPORTED, Probe.YES, true));
        assertFalse(Sockets.decide(Linux.IPPROTO_MPTCP, Probe.UNSUPPORTED, Probe.NO, true));
    }

    @Test
    void protocolAloneDecidesOnOlderKernels() {
        assertTrue(Sockets.decide(Linux.IPPROTO_MPTCP, Probe.UNSUPPORTED, Probe.NO, false));
    }
}
