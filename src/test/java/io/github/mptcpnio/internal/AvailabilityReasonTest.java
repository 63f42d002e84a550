package io.github.mptcpnio.internal;

import io.github.mptcpnio.Unavailability;
import io.github.mptcpnio.Unavailability.Reason;
import io.github.mptcpnio.internal.linux.Linux;
import io.github.mptcpnio.internal.linux.NativeCallException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AvailabilityReasonTest {
    private static final String CALL = "socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP)";

    private static Unavailability failed(int errno) {
        return Availability.fromSocketFailure(new NativeCallException(CALL, errno, "strerror " + errno));
    }

    @Test
    void mapsSocketErrnoToTheDocumentedReasons() {
        assertEquals(Reason.KERNEL_TOO_OLD, failed(Linux.EINVAL).reason());
        assertEquals(Reason.NOT_COMPILED_IN, failed(Linux.EPROTONOSUPPORT).reason());
        assertEquals(Reason.DISABLED_BY_SYSCTL, failed(Linux.ENOPROTOOPT).reason());
        assertEquals(Reason.BLOCKED, failed(Linux.EPERM).reason());
        assertEquals(Reason.BLOCKED, failed(Linux.EACCES).reason());
    }

    @Test
    void outOfDescriptorsOrMemoryIsTransientNotAReasonForLife() {
        for (int errno : new int[] {Linux.EMFILE, Linux.ENFILE, Linux.ENOBUFS, Linux.ENOMEM}) {
            Unavailability u = failed(errno);
            assertEquals(Reason.RESOURCES_EXHAUSTED, u.reason());
            assertTrue(Availability.isTransient(java.util.Optional.of(u)));
        }
        assertFalse(Availability.isTransient(java.util.Optional.of(failed(Linux.ENOPROTOOPT))));
        assertFalse(Availability.isTransient(java.util.Optional.empty()));
    }

    @Test
    void carriesErrnoMessageAndRemedy() {
        Unavailability u = failed(Linux.ENOPROTOOPT);
        assertEquals(Linux.ENOPROTOOPT, u.errno());
        assertTrue(u.message().startsWith(CALL + " failed: strerror 92 (errno 92)"), u.message());
        assertTrue(u.cause().orElseThrow() instanceof NativeCallException, "the failed call is the cause");
        assertTrue(u.remedy().contains("sysctl -w net.mptcp.enabled=1"), u.remedy());
        assertTrue(u.toString().startsWith("DISABLED_BY_SYSCTL: "), u.toString());
    }

    @Test
    void validatesComponents() {
        assertThrows(NullPointerException.class, () -> new Unavailability(null, 0, "m", "r"));
        assertThrows(IllegalArgumentException.class, () -> new Unavailability(Reason.BLOCKED, -1, "m", "r"));
    }
}
