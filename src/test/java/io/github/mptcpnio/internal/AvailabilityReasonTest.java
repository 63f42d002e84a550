package io.github.mptcpnio.internal;

import io.github.mptcpnio.Unavailability;
import io.github.mptcpnio.Unavailability.Reason;
import io.github.mptcpnio.internal.linux.Linux;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AvailabilityReasonTest {
    private static final String CALL = "socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP) failed: x (errno n)";

    @Test
    void mapsSocketErrnoToTheDocumentedReasons() {
        assertEquals(Reason.KERNEL_TOO_OLD, Availability.fromSocketErrno(Linux.EINVAL, CALL).reason());
        assertEquals(Reason.NOT_COMPILED_IN, Availability.fromSocketErrno(Linux.EPROTONOSUPPORT, CALL).reason());
        assertEquals(Reason.DISABLED_BY_SYSCTL, Availability.fromSocketErrno(Linux.ENOPROTOOPT, CALL).reason());
        assertEquals(Reason.BLOCKED, Availability.fromSocketErrno(Linux.EPERM, CALL).reason());
        assertEquals(Reason.BLOCKED, Availability.fromSocketErrno(Linux.EACCES, CALL).reason());
    }

    @Test
    void carriesErrnoMessageAndRemedy() {
        Unavailability u = Availability.fromSocketErrno(Linux.ENOPROTOOPT, CALL);
        assertEquals(Linux.ENOPROTOOPT, u.errno());
        assertTrue(u.message().startsWith(CALL), u.message());
        assertTrue(u.remedy().contains("sysctl -w net.mptcp.enabled=1"), u.remedy());
        assertTrue(u.toString().startsWith("DISABLED_BY_SYSCTL: "), u.toString());
    }

    @Test
    void validatesComponents() {
        assertThrows(NullPointerException.class, () -> new Unavailability(null, 0, "m", "r"));
        assertThrows(IllegalArgumentException.class, () -> new Unavailability(Reason.BLOCKED, -1, "m", "r"));
    }
}
