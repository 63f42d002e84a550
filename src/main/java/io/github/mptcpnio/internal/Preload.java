package io.github.mptcpnio.internal;

import io.github.mptcpnio.Unavailability;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Loads the native binding and probes the kernel on a daemon thread, once per JVM, unless the mode is {@code off}.
 * The agent starts it in {@code premain}, the provider before it asks the JDK for its first socket channel: either
 * way the load (about 50 ms, mostly jffi's classes and stub) overlaps with work the application or the JDK does
 * anyway. Its result is the probe the first channel would run itself; a channel that comes first waits for it, so
 * nothing is done twice. Then it formats one string the way the JDK's default log formatter does, so that the
 * announcement at the first channel finds those classes loaded (no logging configuration is touched).
 *
 * <p>Under the agent the native part waits ({@link #AGENT_NATIVE_DELAY_MILLIS}): the agent's sockets are born TCP
 * and its one line does not wait for the binding ({@link Fallback#announcedWithoutWaiting}), so the binding is needed
 * only by the first socket a rule makes MPTCP, which loads it itself if it comes first. A JVM that ends sooner — a
 * command-line tool — never loads it at all; on two cores its 50 ms of class loading competed with the application's
 * start (docs/performance.md, start-up). The formatter is warmed at once: the line comes at the first socket.
 *
 * <p>A class rather than a lambda: the first lambda of a JVM costs milliseconds to bootstrap.
 */
public final class Preload implements Runnable {
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    /** How long the agent's preload waits before it loads the native binding (unless a socket loaded it first). */
    public static final long AGENT_NATIVE_DELAY_MILLIS = 1000;

    private final Settings settings;
    private final long nativeDelayMillis;

    private Preload(Settings settings, long nativeDelayMillis) {
        this.settings = settings;
        this.nativeDelayMillis = nativeDelayMillis;
    }

    /** Starts the preload unless it ran already or the mode is {@code off}; the binding loads at once. */
    public static void once(Settings settings) {
        once(settings, 0);
    }

    /**
     * Starts the preload unless it ran already or the mode is {@code off}; the binding loads after
     * {@code nativeDelayMillis}.
     */
    public static void once(Settings settings, long nativeDelayMillis) {
        if (STARTED.get() || settings.mode() == Settings.Mode.OFF || !STARTED.compareAndSet(false, true)) {
            return;
        }
        try {
            Thread preload = new Thread(new Preload(settings, nativeDelayMillis), "mptcp-nio-preload");
            preload.setDaemon(true);
            preload.start();
        } catch (OutOfMemoryError noThread) {
            // the first channel loads it on its own thread, as without the preload
        }
    }

    @Override
    public void run() {
        if (nativeDelayMillis > 0) {
            warmFormatter();
            try {
                Thread.sleep(nativeDelayMillis);
            } catch (InterruptedException e) {
                return; // nobody interrupts this thread but the JVM going down
            }
        }
        Optional<Unavailability> probed = Availability.unavailability();
        if (nativeDelayMillis == 0) {
            warmFormatter();
        }
        Announcement.confirm(settings, probed);
        Observability.start(settings);
    }

    /**
     * Formats one string the way {@code java.util.logging.SimpleFormatter}'s default format does, in UTC so that the
     * default time zone is not fixed here: loads and runs the JDK's formatting classes once, touching no logging
     * configuration.
     */
    static void warmFormatter() {
        FormatterWarmUp.run();
    }

    /**
     * In a class of its own: verifying a method that passes a {@code ZoneOffset} as a {@code ZoneId} loads
     * {@code java.time} classes, which should happen on the preload thread, not while {@code premain} loads this class.
     */
    private static final class FormatterWarmUp {
        private FormatterWarmUp() {}

        static void run() {
            try {
                String.format(Locale.getDefault(Locale.Category.FORMAT),
                        "%1$tb %1$td, %1$tY %1$tl:%1$tM:%1$tS %1$Tp %2$s%n%4$s: %5$s%6$s%n",
                        ZonedDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC), "", "", "", "", "");
            } catch (RuntimeException | LinkageError e) {
                // only a warm-up: the announcement formats for real and reports its own failures
            }
        }
    }
}
