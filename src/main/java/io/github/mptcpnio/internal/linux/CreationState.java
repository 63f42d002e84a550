package io.github.mptcpnio.internal.linux;

/**
 * What the JDK set up on a new socket, as the kernel reports it: all a re-seat must copy to the MPTCP socket.
 *
 * @param domain {@code SO_DOMAIN}
 * @param mptcp whether the JDK's socket already is MPTCP (under {@code mptcpize}, say)
 * @param v6only {@code IPV6_V6ONLY}, or -1 for {@code AF_INET}
 * @param reuse {@code SO_REUSEADDR}
 * @param statusFlags {@code F_GETFL}, where {@code O_NONBLOCK} lives
 * @param descriptorFlags {@code F_GETFD}, where {@code FD_CLOEXEC} lives
 */
public record CreationState(int domain, boolean mptcp, int v6only, int reuse, int statusFlags, int descriptorFlags) {

    /** Whether there is anything to do: an IP socket that is not MPTCP yet. */
    public boolean reseatable() {
        return (domain == Linux.AF_INET || domain == Linux.AF_INET6) && !mptcp;
    }
}
