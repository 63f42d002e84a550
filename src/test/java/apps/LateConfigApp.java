package apps;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.TimeZone;
import java.util.logging.LogManager;

/**
 * An unmodified application that configures the JVM in {@code main}, after the agent's {@code premain}: it waits until
 * the agent's preload thread has warmed the one line's formatting (the thread sleeping after it, or gone), then names
 * its own {@code LogManager} and its default time zone by system property — both read once, at first use — and opens
 * a loopback connection (the JVM's first sockets, where the line is written). Prints {@code manager=<class>},
 * {@code zone=<id>} and {@code OK}.
 */
public final class LateConfigApp {
    private LateConfigApp() {}

    /** The application's own {@code LogManager}: {@code java.util.logging.manager} names it. */
    public static final class Manager extends LogManager {
        public Manager() {}
    }

    public static void main(String[] args) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (preloadWarming()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the agent's preload thread did not finish its warm-up in 20 s");
            }
            Thread.sleep(10);
        }
        System.setProperty("java.util.logging.manager", Manager.class.getName());
        System.setProperty("user.timezone", args[0]);
        System.out.println("manager=" + LogManager.getLogManager().getClass().getName());
        System.out.println("zone=" + TimeZone.getDefault().getID());
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(listener.getInetAddress(), listener.getLocalPort());
             Socket accepted = listener.accept()) {
            client.getOutputStream().write(7);
            if (accepted.getInputStream().read() != 7) {
                throw new IllegalStateException("the byte did not arrive");
            }
        }
        System.out.println("OK");
    }

    /** Whether the agent's preload thread exists and is not yet sleeping after its warm-up. */
    private static boolean preloadWarming() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("mptcp-nio-preload")) {
                return t.getState() != Thread.State.TIMED_WAITING && t.isAlive();
            }
        }
        return false;
    }
}
