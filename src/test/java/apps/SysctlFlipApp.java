package apps;

import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * An unmodified application whose kernel changes under it: it opens a listener on loopback (the JVM's first socket,
 * where the agent writes its one line), then sets {@code net.mptcp.enabled} of its own network namespace to
 * {@code args[0]}, waits {@code args[1]} milliseconds and exits.
 */
public final class SysctlFlipApp {
    private SysctlFlipApp() {}

    public static void main(String[] args) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process p = new ProcessBuilder("sysctl", "-q", "-w", "net.mptcp.enabled=" + args[0]).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("sysctl failed");
            }
            Thread.sleep(Long.parseLong(args[1]));
            System.out.println("OK " + listener.getLocalPort());
        }
    }
}
