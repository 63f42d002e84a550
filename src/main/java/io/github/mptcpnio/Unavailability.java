package io.github.mptcpnio;

import java.util.Objects;
import java.util.Optional;

/**
 * Why this JVM cannot create MPTCP sockets: the reason, the errno behind it (0 when no system call failed), a
 * message, what to do about it, and the underlying exception where there is one. Probed once per JVM, except for
 * {@link Reason#RESOURCES_EXHAUSTED}, which is asked again at the next channel.
 *
 * @since 0.1.0
 */
public final class Unavailability {
    private final Reason reason;
    private final int errno;
    private final String message;
    private final String remedy;
    private final Throwable cause;

    /**
     * An unavailability without an underlying exception.
     *
     * @param reason the category
     * @param errno the errno of the failed {@code socket(..., IPPROTO_MPTCP)} probe, or 0
     * @param message what happened, in one sentence
     * @param remedy what the operator can do, in one sentence
     * @throws NullPointerException if a reference argument is null
     * @throws IllegalArgumentException if {@code errno} is negative
     * @since 0.1.0
     */
    public Unavailability(Reason reason, int errno, String message, String remedy) {
        this(reason, errno, message, remedy, null);
    }

    /**
     * An unavailability with the exception behind it.
     *
     * @param reason the category
     * @param errno the errno of the failed {@code socket(..., IPPROTO_MPTCP)} probe, or 0
     * @param message what happened, in one sentence
     * @param remedy what the operator can do, in one sentence
     * @param cause the exception behind it, or null
     * @throws NullPointerException if {@code reason}, {@code message} or {@code remedy} is null
     * @throws IllegalArgumentException if {@code errno} is negative
     * @since 0.1.0
     */
    public Unavailability(Reason reason, int errno, String message, String remedy, Throwable cause) {
        this.reason = Objects.requireNonNull(reason, "reason");
        this.message = Objects.requireNonNull(message, "message");
        this.remedy = Objects.requireNonNull(remedy, "remedy");
        if (errno < 0) {
            throw new IllegalArgumentException("errno: " + errno + " (expected: >= 0)");
        }
        this.errno = errno;
        this.cause = cause;
    }

    /**
     * The category.
     *
     * @return the reason
     * @since 0.1.0
     */
    public Reason reason() {
        return reason;
    }

    /**
     * The errno of the failed system call.
     *
     * @return errno, or 0 when no system call failed
     * @since 0.1.0
     */
    public int errno() {
        return errno;
    }

    /**
     * What happened, in one sentence.
     *
     * @return the message
     * @since 0.1.0
     */
    public String message() {
        return message;
    }

    /**
     * What the operator can do, in one sentence.
     *
     * @return the remedy
     * @since 0.1.0
     */
    public String remedy() {
        return remedy;
    }

    /**
     * The exception behind it: why the native binding did not load, why the JDK's internals are not accessible, or
     * the failed system call.
     *
     * @return the cause, or empty
     * @since 0.1.0
     */
    public Optional<Throwable> cause() {
        return Optional.ofNullable(cause);
    }

    /**
     * Why MPTCP is unavailable.
     *
     * @since 0.1.0
     */
    public enum Reason {
        /** The operating system is not Linux. @since 0.1.0 */
        NOT_LINUX,
        /** libc or jffi's native stub could not be loaded (or native access was denied). @since 0.1.0 */
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
        BLOCKED,
        /**
         * The process or the system was out of descriptors or memory when asked ({@code EMFILE}, {@code ENFILE},
         * {@code ENOBUFS}, {@code ENOMEM}). Transient: never cached, the next channel asks again.
         *
         * @since 0.1.0
         */
        RESOURCES_EXHAUSTED
    }

    /**
     * Equal reason, errno, message and remedy (the cause is not compared).
     *
     * @since 0.1.0
     */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Unavailability)) {
            return false;
        }
        Unavailability u = (Unavailability) o;
        return u.reason == reason && u.errno == errno && u.message.equals(message) && u.remedy.equals(remedy);
    }

    /**
     * Consistent with {@link #equals}.
     *
     * @since 0.1.0
     */
    @Override
    public int hashCode() {
        return Objects.hash(reason, errno, message, remedy);
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
