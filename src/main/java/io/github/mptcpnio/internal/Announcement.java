package io.github.mptcpnio.internal;

import io.github.mptcpnio.Unavailability;
import io.github.mptcpnio.internal.linux.NativeStub;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one line per JVM on the {@value #LOGGER_NAME} logger: MPTCP active (INFO), or why not and what to do
 * (WARNING), written at the JVM's first socket channel, on that channel's thread.
 *
 * <p>Written synchronously so that it is never lost: a program that exits right after its first channel still has
 * it, and the library needs neither a thread of its own that would keep the JVM alive nor a shutdown hook (both
 * belong to the application). The price is the logging backend's first use on the first channel's thread: measured
 * by bench/ start-up and in docs/adr/0005 (the preload warms the JDK's formatting classes, not the logging
 * configuration, and the first channel prepares the logger while the binding loads: see {@link #prepareOnce()}).
 */
public final class Announcement {
    public static final String LOGGER_NAME = "io.github.mptcpnio";

    private Announcement() {}

    /**
     * Obtained on first use: initialising the logging backend earlier (in the provider's constructor, in
     * {@code premain}) would fix the JUL LogManager before the application could choose its own
     * ({@code java.util.logging.manager}).
     */
    private static final class Log {
        static final Logger LOG = System.getLogger(LOGGER_NAME);
    }

    private static final AtomicBoolean DONE = new AtomicBoolean();
    private static final AtomicBoolean PREPARED = new AtomicBoolean();

    /** The library's logger. */
    public static Logger logger() {
        return Log.LOG;
    }

    /**
     * The native probe's kept answer, against a line written before it: when they disagree (the kernel's sysctl said
     * enabled and the binding could not load, or a security policy refuses MPTCP sockets; or the sysctl changed in
     * between), one more line says so — the only case of two lines in a JVM. Nothing when the line was the probe's own
     * or the answer is transient.
     */
    public static void confirm(Settings settings, Optional<Unavailability> probed) {
        Optional<Unavailability> said = tentative;
        if (said == null || Availability.isTransient(probed) || said.isPresent() == probed.isPresent()
                || CONFIRMED.get() || !CONFIRMED.compareAndSet(false, true)) {
            return;
        }
        if (probed.isPresent()) {
            Log.LOG.log(Level.WARNING, "mptcp-nio: MPTCP unavailable after all, sockets stay plain TCP (" + settings
                    + "). " + probed.get());
        } else {
            Log.LOG.log(Level.INFO, "mptcp-nio: MPTCP active after all (" + settings + "): " + said.get().reason()
                    + " no longer holds");
        }
    }

    /**
     * At the first socket channel, before its thread waits for the availability probe: initialises the logging
     * backend and the JDK's formatting classes (about 30 ms on JDK 17 here) while the preload thread loads the native
     * binding, instead of after it. Only at the first channel: the application has had its chance to configure
     * logging by then, and the line is written a moment later anyway.
     */
    public static void prepareOnce() {
        if (DONE.get() || PREPARED.get() || !PREPARED.compareAndSet(false, true)) {
            return;
        }
        if (Log.LOG.isLoggable(Level.INFO)) {
            Preload.warmFormatter();
        }
    }

    /** The answer the line gave before the native probe confirmed it; null when it was the probe's own. */
    private static volatile Optional<Unavailability> tentative;
    private static final AtomicBoolean CONFIRMED = new AtomicBoolean();

    /** Whether this JVM has its line. */
    public static boolean written() {
        return DONE.get();
    }

    /** Writes the line unless this JVM already has it. */
    public static void once(Settings settings, Optional<Unavailability> unavailability) {
        once(settings, unavailability, false);
    }

    /**
     * Writes the line unless this JVM already has it; {@code tentative}: the answer is not the native probe's yet
     * ({@link Fallback#announcedWithoutWaiting}), and {@link #confirm} compares the probe's with it.
     */
    public static void once(Settings settings, Optional<Unavailability> unavailability, boolean tentative) {
        if (DONE.get() || !DONE.compareAndSet(false, true)) { // a plain read first: this runs per channel
            return;
        }
        if (tentative) {
            Announcement.tentative = unavailability;
        }
        Logger log = Log.LOG;
        if (settings.mode() == Settings.Mode.OFF) {
            log.log(Level.INFO, "mptcp-nio: MPTCP off (" + settings + "); all channels are plain TCP");
        } else if (unavailability.isEmpty()) {
            log.log(Level.INFO, "mptcp-nio: MPTCP active (" + settings + ")");
        } else {
            log.log(Level.WARNING, "mptcp-nio: MPTCP unavailable, channels stay plain TCP (" + settings + "). "
                    + unavailability.get());
        }
        if (!log.isLoggable(Level.DEBUG)) {
            return; // NativeStub names two of jffi's classes, which the JVM would load for nothing
        }
        Optional<String> noCache = NativeStub.cacheNotUsedBecause();
        if (noCache.isPresent()) {
            log.log(Level.DEBUG, "mptcp-nio: jffi's stub not loaded from the per-user cache: " + noCache.get());
        }
    }
}
