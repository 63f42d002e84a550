package io.github.mptcpnio;

import java.util.Objects;

/**
 * Why this JVM cannot create MPTCP sockets, probed once per JVM: the reason, the errno behind it (0 when no
 * system call failed), a message, and what to do about it.
 *
 * @param reason  the category
 * @param errno   the errno of the failed {@code socket(..., IPPROTO_MPTCP)} probe, or 0
 * @param message what happened, in one sentence
 * @param remedy  what the operator can do, in one sentence
 * @since 0.1.0
 */
public record Unavailability(Reason reason, int errno, String message, String remedy) {

    /**
     * Validates the components.
     *
     * @param reason the category
     * @param errno the errno of the failed {@code socket(..., IPPROTO_MPTCP)} probe, or 0
     * @param message what happened, in one sentence
     * @param remedy what the operator can do, in one sentence
     * @throws NullPointerException if a reference component is null
     * @throws IllegalArgumentException if {@code errno} is negative
     * @since 0.1.0
     */
    public Unavailability {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(remedy, "remedy");
        if (errno < 0) {
            throw new IllegalArgumentException("errno: " + errno + " (expected: >= 0)");
        }
    }

    /**
     * Why MPTCP is unavailable.
     *
     * @since 0.1.0
     */
    public enum Reason {
        /** The operating system is not Linux. @since 0.1.0 */
        NOT_LINUX,
        /** libc or JNR-FFI's native stub could not be loaded (or native access was denied). @since 0.1.0 */
        NATIVE_LOAD_FAILED,
        /** {@code java.base/sun.nio.ch} is not exported to this library (no --add-exports flag). @since 0.1.0 */
        JDK_INTERNALS_INACCESSIBLE,
        /** {@code EINVAL}: the kernel predates MPTCP (Linux &lt; 5.6). @since 0.1.0 */
        KERNEL_TOO_OLD,
        /** {@code EPROTONOSUPPORT}: the kernel was built without {@code CONFIG_MPTCP}. @since 0.1.0 */
        NOT_COMPILED_IN,
        /** {@code ENOPROTOOPT}: {@code net.mptcp.enabled=0} in this network namespace. @since 0.1.0 */
        DISABLED_BY_SYSCTL,
        /** Any other errno, for example an LSM (SELinux, AppArmor) or eBPF policy. @since 0.1.0 */
        BLOCKED
    }

    /**
     * One line: reason, message and remedy.
     *
     * @return the line
     * @since 0.1.0
     */
    @Override
    public String toString() {
        return reason + ": " + message + " " + remedy;
    }
}
