package io.github.mptcpnio.internal;

import io.github.mptcpnio.Unavailability;
import io.github.mptcpnio.Unavailability.Reason;
import io.github.mptcpnio.internal.linux.Linux;
import io.github.mptcpnio.internal.linux.NativeCallException;
import io.github.mptcpnio.internal.linux.Sockets;

import java.io.FileInputStream;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether this JVM can create MPTCP sockets: the platform, descriptor access to JDK channels, the native binding,
 * then a real {@code socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP)}. Checked in that order so that nothing native is
 * loaded when it could not be used anyway.
 *
 * <p>The answer is kept for the JVM's life, unless the process was out of descriptors or memory when asked
 * ({@link Reason#RESOURCES_EXHAUSTED}): then the next caller asks again. Before the native binding is loaded for the
 * first time, a few descriptors are opened and closed to see that there is room: jffi's class initialisers record a
 * failed load for the JVM's life, so the load must not be attempted while descriptors are exhausted.
 */
public final class Availability {
    private Availability() {}

    /** Descriptors that must be free before the binding loads: jar, stub file, dlopen, /proc reads, with margin. */
    private static final int LOAD_HEADROOM = 16;

    private static final Object LOCK = new Object();
    /** The kept answer; null until one that may be kept exists. */
    private static volatile Optional<Unavailability> decided;
    private static volatile boolean bindingLoaded;

    /** Empty when MPTCP sockets can be created. */
    public static Optional<Unavailability> unavailability() {
        Optional<Unavailability> answer = decided;
        if (answer != null) {
            return answer;
        }
        synchronized (LOCK) { // one probe at a time: the preload thread and the first channel may both ask
            answer = decided;
            if (answer == null) {
                answer = probe();
                if (!isTransient(answer)) {
                    decided = answer;
                }
            }
            return answer;
        }
    }

    /** Whether the native probe has given an answer that is kept for the JVM's life. */
    public static boolean kept() {
        return decided != null;
    }

    /**
     * An answer without the native binding, or null when only the native probe can tell: the kept answer if there is
     * one; otherwise what the platform, the JDK's internals and the kernel's {@code net.mptcp.enabled} of this network
     * namespace say (read from {@code /proc}: 1 is empty — MPTCP enabled, which the native probe confirms — and 0 is
     * {@link Reason#DISABLED_BY_SYSCTL}). No sysctl at all (a kernel built without MPTCP, or before 5.6), or one that
     * cannot be read, is the native probe's to explain.
     */
    public static Optional<Unavailability> withoutNative() {
        Optional<Unavailability> answer = decided;
        if (answer != null) {
            return answer;
        }
        if (!linux() || JdkShim.descriptorAccessFailure().isPresent()) {
            return null;
        }
        int enabled;
        try (FileInputStream in = new FileInputStream(ENABLED_SYSCTL)) {
            enabled = in.read();
        } catch (IOException | SecurityException e) {
            return null;
        }
        if (enabled == '1') {
            return Optional.empty();
        }
        if (enabled == '0') {
            return Optional.of(new Unavailability(Reason.DISABLED_BY_SYSCTL, Linux.ENOPROTOOPT, ENABLED_SYSCTL
                    + " is 0: MPTCP is disabled in this network namespace (net.mptcp.enabled=0).",
                    "Run: sysctl -w net.mptcp.enabled=1"));
        }
        return null;
    }

    private static boolean linux() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    }

    private static final String ENABLED_SYSCTL = "/proc/sys/net/mptcp/enabled";

    /** Whether {@code answer} says "out of resources now": not kept, asked again. */
    public static boolean isTransient(Optional<Unavailability> answer) {
        return answer.isPresent() && answer.get().reason() == Reason.RESOURCES_EXHAUSTED;
    }

    /** The binding; only call when {@link #unavailability()} is empty. */
    public static Sockets sockets() {
        Optional<Sockets> sockets = Sockets.instance(); // no lambda: this runs at a JVM's first channel
        if (sockets.isEmpty()) {
            throw new IllegalStateException("native binding not loaded");
        }
        return sockets.get();
    }

    static Optional<Unavailability> probe() {
        String os = System.getProperty("os.name", "");
        if (!linux()) {
            return Optional.of(new Unavailability(Reason.NOT_LINUX, 0, "the operating system is " + os
                    + "; Multipath TCP sockets are a Linux feature.", "Run on Linux 5.6 or later."));
        }
        Optional<Throwable> noExport = JdkShim.descriptorAccessFailure();
        if (noExport.isPresent()) {
            return Optional.of(new Unavailability(Reason.JDK_INTERNALS_INACCESSIBLE, 0,
                    "the JDK's sun.nio.ch package is not exported to mptcp-nio, so channel descriptors cannot be "
                            + "re-seated.", "Add " + JdkShim.exportFlag() + " to the java command line, or start "
                            + "with -javaagent:mptcp-nio-<version>-all.jar.", noExport.get()));
        }
        if (!bindingLoaded) {
            Optional<Unavailability> noRoom = descriptorHeadroom();
            if (noRoom.isPresent()) {
                return noRoom;
            }
        }
        Optional<Sockets> sockets = Sockets.instance();
        if (sockets.isEmpty()) {
            Throwable t = Sockets.loadFailure().orElse(null);
            return Optional.of(new Unavailability(Reason.NATIVE_LOAD_FAILED, 0,
                    "the native binding (jffi) could not be loaded: " + t + ".",
                    "Check that jffi's native library matches this platform, and on JDK 24+ add "
                            + "--enable-native-access=ALL-UNNAMED.", t));
        }
        bindingLoaded = true;
        return probeKernel(sockets.get());
    }

    /**
     * Opens and closes {@link #LOAD_HEADROOM} descriptors ({@code /dev/null}): empty when that worked, otherwise
     * {@link Reason#RESOURCES_EXHAUSTED}.
     */
    static Optional<Unavailability> descriptorHeadroom() {
        FileInputStream[] held = new FileInputStream[LOAD_HEADROOM];
        try {
            for (int i = 0; i < held.length; i++) {
                held[i] = new FileInputStream("/dev/null");
            }
            return Optional.empty();
        } catch (IOException e) { // /dev/null always exists: the process or the system is out of descriptors
            return Optional.of(new Unavailability(Reason.RESOURCES_EXHAUSTED, 0,
                    "the process has no descriptors to spare for loading the native binding (" + e.getMessage()
                            + ").", "Close descriptors or raise the limit (ulimit -n); the next channel tries again.",
                    e));
        } finally {
            for (FileInputStream in : held) {
                if (in != null) {
                    try {
                        in.close();
                    } catch (IOException ignored) { // closing /dev/null: nothing to recover
                    }
                }
            }
        }
    }

    static Optional<Unavailability> probeKernel(Sockets sockets) {
        try {
            sockets.probeMptcp();
            return Optional.empty();
        } catch (NativeCallException e) {
            return Optional.of(fromSocketFailure(e));
        }
    }

    /** The reason behind a failed {@code socket(..., IPPROTO_MPTCP)}, as documented by the kernel's MPTCP team. */
    public static Unavailability fromSocketFailure(NativeCallException e) {
        String failure = e.getMessage();
        int errno = e.errno();
        if (Errors.isResourceExhaustion(errno)) {
            return new Unavailability(Reason.RESOURCES_EXHAUSTED, errno, failure + ": out of descriptors or memory.",
                    "Close descriptors or raise the limit (ulimit -n); the next channel tries again.", e);
        }
        switch (errno) {
            case Linux.EINVAL:
                return new Unavailability(Reason.KERNEL_TOO_OLD, errno, failure + ": the kernel predates MPTCP.",
                        "Upgrade to Linux 5.6 or later (5.16+ for subflow introspection).", e);
            case Linux.EPROTONOSUPPORT:
                return new Unavailability(Reason.NOT_COMPILED_IN, errno, failure
                        + ": the kernel was built without CONFIG_MPTCP.", "Use a kernel built with CONFIG_MPTCP=y.", e);
            case Linux.ENOPROTOOPT:
                return new Unavailability(Reason.DISABLED_BY_SYSCTL, errno, failure
                        + ": MPTCP is disabled in this network namespace (net.mptcp.enabled=0).",
                        "Run: sysctl -w net.mptcp.enabled=1", e);
            default:
                return new Unavailability(Reason.BLOCKED, errno, failure
                        + ": MPTCP sockets are refused, possibly by an LSM (SELinux, AppArmor) or eBPF policy.",
                        "Check the security policy for IPPROTO_MPTCP (" + Linux.IPPROTO_MPTCP + ") sockets.", e);
        }
    }
}
