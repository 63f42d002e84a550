package io.github.mptcpnio.internal;

import java.lang.System.Logger.Level;

/**
 * Where the core reports to operators' tools: JMX ({@code io.github.mptcpnio:type=Mptcp}) and JDK Flight Recorder
 * ({@code io.github.mptcpnio.*} events), both in {@code internal.ops}. This class names them only behind checks, so
 * that a JVM in mode {@code off}, or one without {@code java.management} / {@code jdk.jfr} in its boot layer, loads
 * none of their classes. Nothing here runs on the data path; the creation path reaches it only for a fallback.
 */
public final class Observability {
    private Observability() {}

    private static final boolean JFR = ModuleLayer.boot().findModule("jdk.jfr").isPresent();
    private static final boolean JMX = ModuleLayer.boot().findModule("java.management").isPresent();

    /** How long the views wait after start-up before they load anything (the first connection comes first). */
    static final long DELAY_MILLIS = 1000;

    /**
     * Starts the operators' views on a daemon thread of their own, which first waits {@link #DELAY_MILLIS} so that none
     * of their classes competes with the application's start: then the JFR periodic events (registered when Flight
     * Recorder initialises) and the JMX registration (it waits until the JVM's platform MBean server exists: creating
     * it ourselves would initialise JMX and {@code java.util.logging} before the application could configure them).
     * Called once, off the application's threads, by {@link Preload}; does nothing in mode {@code off} or with
     * {@code mptcp.nio.jmx=false}.
     */
    static void start(Settings settings) {
        if (settings.mode() == Settings.Mode.OFF || !Boolean.parseBoolean(System.getProperty(JMX_PROPERTY, "true"))) {
            return;
        }
        try {
            Thread views = new Thread(new Views(settings), "mptcp-nio-views");
            views.setDaemon(true);
            views.start();
        } catch (OutOfMemoryError noThread) {
            // operators' views are an extra: the application runs on without them
        }
    }

    /** The views' thread (a class, not a lambda: a JVM's first lambda costs milliseconds). */
    private static final class Views implements Runnable {
        private final Settings settings;

        Views(Settings settings) {
            this.settings = settings;
        }

        @Override
        public void run() {
            try {
                Thread.sleep(DELAY_MILLIS);
                if (JFR) {
                    io.github.mptcpnio.internal.ops.Recording.start();
                }
                if (JMX) {
                    io.github.mptcpnio.internal.ops.Registration.awaitPlatformServer(settings);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException | LinkageError e) { // operators' views are an extra: never fail the application
                Announcement.logger().log(Level.DEBUG, () -> "mptcp-nio: JMX/JFR views not started: " + e);
            }
        }
    }

    /** Turns the JMX bean and the JFR periodic events off ({@code -Dmptcp.nio.jmx=false}). */
    public static final String JMX_PROPERTY = "mptcp.nio.jmx";

    /** A socket left on TCP at its creation: a JFR event, if Flight Recorder is there. */
    static void fallback(String reason, int errno, SocketKind kind, String why) {
        if (!JFR) {
            return;
        }
        try {
            io.github.mptcpnio.internal.ops.Recording.fallback(reason, errno, kind.label(), why);
        } catch (RuntimeException | LinkageError e) {
            // the fallback itself is counted and announced; the event is an extra
        }
    }
}
