package io.github.mptcpnio.internal;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Loads the native binding and probes the kernel on a daemon thread, once per JVM, unless the mode is {@code off}.
 * The agent starts it in {@code premain}, the provider before it asks the JDK for its first socket channel: either
 * way the load (about 50 ms, mostly jffi's classes and stub) overlaps with work the application or the JDK does
 * anyway. Its result is the probe the first channel would run itself; a channel that comes first waits for it, so
 * nothing is done twice. Then it formats one string the way the JDK's default log formatter does, so that the
 * announcement at the first channel finds those classes loaded (no logging configuration is touched).
 *
 * <p>A class rather than a lambda: the first lambda of a JVM costs milliseconds to bootstrap.
 */
public final class Preload implements Runnable {
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private final Settings settings;

    private Preload(Settings settings) {
        this.settings = settings;
    }

    /** Starts the preload unless it ran already or the mode is {@code off}. */
    public static void once(Settings settings) {
        if (STARTED.get() || settings.mode() == Settings.Mode.OFF || !STARTED.compareAndSet(false, true)) {
            return;
        }
        try {
            Thread preload = new Thread(new Preload(settings), "mptcp-nio-preload");
            preload.setDaemon(true);
            preload.start();
        } catch (OutOfMemoryError noThread) {
            // the first channel loads it on its own thread, as without the preload
        }
    }

    @Override
    public void run() {
        Availability.unavailability();
        warmFormatter();
        Observability.start(settings);
    }

    /**
     * Formats one string the way {@code java.util.logging.SimpleFormatter}'s default format does, in UTC so that the
     * default time zone is not fixed here: loads and runs the JDK's formatting classes once, touching no logging
     * configuration.
     */
    static void warmFormatter() {
        try {
            String.format(Locale.getDefault(Locale.Category.FORMAT),
                    "%1$tb %1$td, %1$tY %1$tl:%1$tM:%1$tS %1$Tp %2$s%n%4$s: %5$s%6$s%n",
                    ZonedDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC), "", "", "", "", "");
        } catch (RuntimeException | LinkageError e) {
            // only a warm-up: the announcement formats for real and reports its own failures
        }
    }
}
