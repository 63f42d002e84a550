package io.github.mptcpnio.internal;

import io.github.mptcpnio.Unavailability;
import io.github.mptcpnio.internal.linux.NativeCallException;

import java.net.SocketException;
import java.util.Optional;

/**
 * The policy the switch ({@code provider.Reseater}) and the agent ({@code agent.Hooks}) share when a socket is about to
 * become MPTCP: the availability answer with the one line written, and what a socket left on TCP means (counted; an
 * exception naming the reason in strict mode).
 */
public final class Fallback {
    private Fallback() {}

    /**
     * Writes the one line if this is the JVM's first socket and returns whether MPTCP is available (empty in mode
     * {@code off}, which asks nothing).
     *
     * @throws SocketException when the process is out of descriptors or memory: what the JDK would have said for its
     *         own socket a moment later
     */
    public static Optional<Unavailability> announcedAvailability(Settings settings) throws SocketException {
        Announcement.prepareOnce();
        Optional<Unavailability> unavailable = settings.mode() == Settings.Mode.OFF ? Optional.empty()
                : Availability.unavailability();
        if (Availability.isTransient(unavailable)) {
            throw new SocketException(unavailable.get().message());
        }
        Announcement.once(settings, unavailable, false);
        Announcement.confirm(settings, unavailable);
        return unavailable;
    }

    /**
     * The agent's first socket, which is born TCP whatever the rules will say: writes the one line without waiting for
     * the native binding when the kernel's {@code net.mptcp.enabled} answers ({@link Availability#withoutNative()});
     * the native probe confirms it later, and a different verdict gets one WARNING then
     * ({@link Announcement#confirm}). Where only the native probe can tell, as {@link #announcedAvailability}.
     */
    public static void announcedWithoutWaiting(Settings settings) throws SocketException {
        if (Announcement.written()) {
            return; // every socket of the JVM passes here: no sysctl read once the line is out (DecisionBench)
        }
        Optional<Unavailability> quick = Availability.withoutNative();
        if (quick == null) {
            announcedAvailability(settings);
            return;
        }
        Announcement.prepareOnce();
        Announcement.once(settings, quick, !Availability.kept());
    }

    /**
     * A socket of {@code kind} stays TCP because MPTCP is unavailable: counted, reported to JDK Flight
     * Recorder; in strict mode, the exception to throw.
     */
    public static Optional<SocketException> unavailable(Settings settings, Unavailability why, SocketKind kind) {
        return count(settings, why.reason().name(), 0, kind, "MPTCP is unavailable: " + why);
    }

    /** A socket stays TCP because the kernel refused a step of making it MPTCP: likewise. */
    public static Optional<SocketException> refused(Settings settings, NativeCallException e, SocketKind kind) {
        String step = e.call().contains("(") ? e.call().substring(0, e.call().indexOf('(')) : e.call();
        return count(settings, "REFUSED " + step + ": " + e.strerror(), e.errno(), kind,
                "MPTCP was refused: " + (e.call().startsWith("socket(")
                        ? Availability.fromSocketFailure(e).toString() : e.getMessage()));
    }

    /**
     * A socket a rule wanted MPTCP stays TCP because the application set an option before its connect or bind that
     * MPTCP refuses (it asked for something only TCP gives): likewise, the option named.
     */
    public static Optional<SocketException> optionRefused(Settings settings, String option, SocketKind kind) {
        String name = option.contains("=") ? option.substring(0, option.indexOf('=')) : option;
        return count(settings, "OPTION " + name, 0, kind, "the application set " + option
                + ", which MPTCP sockets refuse, so the socket stays TCP");
    }

    private static Optional<SocketException> count(Settings settings, String reason, int errno, SocketKind kind,
                                                   String why) {
        Counters.fallback(kind, reason);
        Observability.fallback(reason, errno, kind, why);
        return settings.strict()
                ? Optional.of(new SocketException(Settings.STRICT_PROPERTY + "=true and " + why))
                : Optional.empty();
    }
}
