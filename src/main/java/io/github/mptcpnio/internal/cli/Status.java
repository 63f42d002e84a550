package io.github.mptcpnio.internal.cli;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar mptcp-nio-<version>-all.jar status <pid>}: a running JVM's MPTCP sockets and subflows, read
 * through the JDK's Attach API and JMX (the target's local management agent; nothing of the target's {@code /proc}).
 * Exit codes: 0 printed; 2 usage or cannot attach; 3 the JVM runs no mptcp-nio.
 */
public final class Status {
    private Status() {}

    static final String NAME = "io.github.mptcpnio:type=Mptcp";
    /** How long to wait for the bean: the target registers it within a second of its platform MBean server. */
    static final long WAIT_MILLIS = 5000;

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 2 || !args[1].matches("[0-9]+")) {
            err.println("usage: java -jar mptcp-nio-<version>-all.jar status <pid>");
            return 2;
        }
        String pid = args[1];
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(pid);
        } catch (AttachNotSupportedException | IOException | SecurityException e) {
            err.println("cannot attach to JVM " + pid + ": " + e.getMessage() + " (attach as the user that runs it, "
                    + "or root; the JVM must not run with -XX:+DisableAttachMechanism)");
            return 2;
        }
        try {
            String address = vm.startLocalManagementAgent();
            try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
                return print(pid, connector.getMBeanServerConnection(), out, err);
            }
        } catch (IOException | RuntimeException e) {
            err.println("cannot read JVM " + pid + " through JMX: " + e + " (the JVM's local JMX connector listens on "
                    + "its own loopback: run this command in its network namespace)");
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 2;
        } finally {
            try {
                vm.detach();
            } catch (IOException ignored) {
                // the answer is printed already
            }
        }
    }

    /** "; ServerSocket 2, Socket 1" (sorted) from a {@code Map<String, Long>} as JMX maps it; "" when empty. */
    private static String byKind(TabularData byKind) {
        java.util.Map<String, Object> sorted = new java.util.TreeMap<>();
        for (Object row : byKind.values()) {
            CompositeData r = (CompositeData) row;
            sorted.put((String) r.get("key"), r.get("value"));
        }
        StringBuilder sb = new StringBuilder();
        sorted.forEach((kind, n) -> sb.append(sb.length() == 0 ? "; " : ", ").append(kind).append(' ').append(n));
        return sb.toString();
    }

    private static int print(String pid, MBeanServerConnection jmx, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        ObjectName name;
        try {
            name = new ObjectName(NAME);
        } catch (javax.management.MalformedObjectNameException impossible) {
            throw new IllegalStateException(impossible);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!jmx.isRegistered(name)) {
            if (System.nanoTime() > deadline) {
                err.println("JVM " + pid + " runs no mptcp-nio: no " + NAME + " MBean (started without the agent or "
                        + "the switch, with mptcp.nio.mode=off, or with -Dmptcp.nio.jmx=false)");
                return 3;
            }
            Thread.sleep(100);
        }
        try {
            out.println("JVM " + pid + ": mptcp-nio via " + jmx.getAttribute(name, "LaunchMode") + ", mode "
                    + jmx.getAttribute(name, "Mode") + (Boolean.TRUE.equals(jmx.getAttribute(name, "Strict"))
                    ? ", strict" : ""));
            out.println("  MPTCP:     " + jmx.getAttribute(name, "Availability"));
            out.println("  created as MPTCP: " + jmx.getAttribute(name, "CreatedAsMptcpListeners") + " listeners, "
                    + jmx.getAttribute(name, "CreatedAsMptcpClients") + " clients (accepted sockets are their listener's)"
                    + byKind((TabularData) jmx.getAttribute(name, "CreatedAsMptcpByKind")));
            TabularData fallbacks = (TabularData) jmx.getAttribute(name, "FallbacksAtCreation");
            out.println("  left on TCP at creation: " + (fallbacks.isEmpty() ? "none" : ""));
            for (Object row : fallbacks.values()) {
                CompositeData r = (CompositeData) row;
                out.println("    " + r.get("value") + " x " + r.get("key"));
            }
            CompositeData[] connections = (CompositeData[]) jmx.getAttribute(name, "Connections");
            int fellBack = 0; // from the same snapshot (the LiveFallenBack attribute would take another)
            for (CompositeData c : connections) {
                if (!"listener".equals(c.get("role")) && !Boolean.TRUE.equals(c.get("multipath"))) {
                    fellBack++;
                }
            }
            out.println("  MPTCP sockets now: " + connections.length + " (" + fellBack
                    + " connections of them fell back to TCP)");
            for (CompositeData c : connections) {
                String remote = (String) c.get("remote");
                out.println("    fd " + c.get("descriptor") + "  " + c.get("role") + "  " + c.get("local")
                        + (remote.isEmpty() ? "" : " -> " + remote)
                        + ((Long) c.get("bytesSent") >= 0 ? "  sent " + c.get("bytesSent") + " B, received "
                        + c.get("bytesReceived") + " B" : ""));
                for (CompositeData s : (CompositeData[]) c.get("subflows")) {
                    out.println("      subflow " + s.get("local") + " -> " + s.get("remote") + "  state "
                            + s.get("state") + "  rtt " + s.get("rttMicros") + " us  sent " + s.get("bytesSent")
                            + " B, received " + s.get("bytesReceived") + " B");
                }
            }
            return 0;
        } catch (javax.management.JMException e) {
            err.println("JVM " + pid + ": cannot read " + NAME + ": " + e);
            return 2;
        }
    }
}
