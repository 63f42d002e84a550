package io.github.mptcpnio.internal;

import io.github.mptcpnio.Unavailability;
import io.github.mptcpnio.Unavailability.Reason;
import io.github.mptcpnio.internal.linux.LibC;
import io.github.mptcpnio.internal.linux.Linux;
import io.github.mptcpnio.internal.linux.NativeCallException;

import java.util.Locale;
import java.util.Optional;

/**
 * Whether this JVM can create MPTCP sockets, probed once: the platform, descriptor access to JDK channels, the
 * native binding, then a real {@code socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP)}. Checked in that order so that
 * nothing native is loaded when it could not be used anyway.
 */
public final class Availability {
    private Availability() {}

    private static final class Holder {
        static final Optional<Unavailability> RESULT = probe();
    }

    /** Empty when MPTCP sockets can be created. */
    public static Optional<Unavailability> unavailability() {
        return Holder.RESULT;
    }

    /** The binding; only call when {@link #unavailability()} is empty. */
    public static LibC libc() {
        Optional<LibC> libc = LibC.instance(); // no lambda: this runs at a JVM's first channel (start-up cost)
        if (libc.isEmpty()) {
            throw new IllegalStateException("native binding not loaded");
        }
        return libc.get();
    }

    static Optional<Unavailability> probe() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Optional.of(new Unavailability(Reason.NOT_LINUX, 0, "the operating system is " + os
                    + "; Multipath TCP sockets are a Linux feature.", "Run on Linux 5.6 or later."));
        }
        Optional<Throwable> noExport = JdkShim.descriptorAccessFailure();
        if (noExport.isPresent()) {
            return Optional.of(new Unavailability(Reason.JDK_INTERNALS_INACCESSIBLE, 0,
                    "the JDK's sun.nio.ch package is not exported to mptcp-nio, so channel descriptors cannot be "
                            + "re-seated.", "Add " + JdkShim.exportFlag() + " to the java command line, or start "
                            + "with -javaagent:mptcp-nio-<version>-all.jar."));
        }
        Optional<LibC> libc = LibC.instance();
        if (libc.isEmpty()) {
            Throwable t = LibC.loadFailure().orElse(null);
            return Optional.of(new Unavailability(Reason.NATIVE_LOAD_FAILED, 0,
                    "the native binding (JNR-FFI/jffi) could not be loaded: " + t + ".",
                    "Check that jffi's native library matches this platform, and on JDK 24+ add "
                            + "--enable-native-access=ALL-UNNAMED."));
        }
        return probeKernel(libc.get());
    }

    static Optional<Unavailability> probeKernel(LibC libc) {
        try {
            int fd = libc.socket(Linux.AF_INET, Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC, Linux.IPPROTO_MPTCP);
            libc.close(fd);
            return Optional.empty();
        } catch (NativeCallException e) {
            return Optional.of(fromSocketErrno(e.errno(), e.getMessage()));
        }
    }

    /** The reason behind a failed {@code socket(..., IPPROTO_MPTCP)}, as documented by the kernel's MPTCP team. */
    public static Unavailability fromSocketErrno(int errno, String failure) {
        switch (errno) {
            case Linux.EINVAL:
                return new Unavailability(Reason.KERNEL_TOO_OLD, errno, failure + ": the kernel predates MPTCP.",
                        "Upgrade to Linux 5.6 or later (5.16+ for subflow introspection).");
            case Linux.EPROTONOSUPPORT:
                return new Unavailability(Reason.NOT_COMPILED_IN, errno, failure
                        + ": the kernel was built without CONFIG_MPTCP.", "Use a kernel built with CONFIG_MPTCP=y.");
            case Linux.ENOPROTOOPT:
                return new Unavailability(Reason.DISABLED_BY_SYSCTL, errno, failure
                        + ": MPTCP is disabled in this network namespace (net.mptcp.enabled=0).",
                        "Run: sysctl -w net.mptcp.enabled=1");
            default:
                return new Unavailability(Reason.BLOCKED, errno, failure
                        + ": MPTCP sockets are refused, possibly by an LSM (SELinux, AppArmor) or eBPF policy.",
                        "Check the security policy for protocol 262 (IPPROTO_MPTCP) sockets.");
        }
    }
}
