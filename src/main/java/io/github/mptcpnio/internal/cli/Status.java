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
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java -jar mptcp-nio-<version>-all.jar status <pid> [--summary | --all | --limit N]}: a running JVM's MPTCP
 * sockets and subflows, read through the JDK's Attach API and JMX (the target's local management agent; nothing of the
 * target's {@code /proc}). A summary first — the rules and what each decided, what fell back, how many sockets of each
 * sort — then the first {@value #DEFAULT_LIMIT} sockets (listeners first). The listener of the JMX connection this
 * command itself uses, and that connection, are left out and said so. Exit codes: 0 printed; 2 usage or cannot
 * attach; 3 the JVM runs no mptcp-nio.
 */
public final class Status {
    private Status() {}

    static final String NAME = "io.github.mptcpnio:type=Mptcp";
    /** How long to wait for the bean: the target registers it within a second of its platform MBean server. */
    static final long WAIT_MILLIS = 5000;
    static final int DEFAULT_LIMIT = 20;
    static final String USAGE = "usage: java -jar mptcp-nio-<version>-all.jar status <pid> [--summary | --all | "
            + "--limit N]\n"
            + "  a running JVM's mptcp-nio: its rules and what each decided, fallbacks, MPTCP sockets and subflows\n"
            + "  --summary   the summary only\n"
            + "  --all       every socket (default: the first " + DEFAULT_LIMIT + ", listeners first)\n"
            + "  --limit N   the first N sockets\n"
            + "  Run it as the JVM's user (or root), in the JVM's network namespace.";

    /** TCP states as the kernel numbers them ({@code include/net/tcp_states.h}). */
    private static final String[] TCP_STATES = {"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
        "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 2 && (args[1].equals("--help") || args[1].equals("-h"))) {
            out.println(USAGE);
            return 0;
        }
        int limit = DEFAULT_LIMIT;
        boolean usage = args.length < 2 || args.length > 4 || !args[1].matches("[0-9]+");
        for (int i = 2; !usage && i < args.length; i++) {
            switch (args[i]) {
                case "--summary": limit = 0; break;
                case "--all": limit = Integer.MAX_VALUE; break;
                case "--limit":
                    usage = i + 1 >= args.length || !args[i + 1].matches("[0-9]{1,9}");
                    limit = usage ? 0 : Integer.parseInt(args[++i]);
                    break;
                default: usage = true;
            }
        }
        if (usage) {
            err.println(USAGE);
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
                return print(pid, connector.getMBeanServerConnection(), jmxPort(address), limit, out, err);
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

    private static final Pattern ENDPOINT = Pattern.compile("endpoint:\\[[^\\]]*:(\\d+)");

    /**
     * The port of the target's local JMX connector, read from its address ({@code service:jmx:rmi://.../stub/<the
     * serialized RMI stub>}): its listener and this command's connection to it are the command's own, not the
     * application's. Empty if the address has another form.
     */
    static OptionalInt jmxPort(String address) {
        int stub = address.indexOf("/stub/");
        if (stub < 0) {
            return OptionalInt.empty();
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(
                Base64.getDecoder().decode(address.substring(stub + "/stub/".length()))))) {
            Object o = in.readObject();
            if (o instanceof java.rmi.server.RemoteObject) {
                Matcher m = ENDPOINT.matcher(((java.rmi.server.RemoteObject) o).getRef().remoteToString());
                if (m.find()) {
                    return OptionalInt.of(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            // not a stub we can read: nothing is left out
        }
        return OptionalInt.empty();
    }

    /** "ServerSocket 2, Socket 1" (sorted) from a {@code Map<String, Long>} as JMX maps it; "" when empty. */
    private static Map<String, Long> map(TabularData data) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Object row : data.values()) {
            CompositeData r = (CompositeData) row;
            out.put((String) r.get("key"), ((Number) r.get("value")).longValue());
        }
        return out;
    }

    private static String byKind(Map<String, Long> byKind) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(byKind).forEach((kind, n) -> sb.append(sb.length() == 0 ? " (" : ", ").append(kind)
                .append(' ').append(n));
        return sb.length() == 0 ? "" : sb.append(')').toString();
    }

    static String state(int tcpState) {
        return tcpState > 0 && tcpState < TCP_STATES.length ? TCP_STATES[tcpState] : "state " + tcpState;
    }

    private static int port(String address) {
        int colon = address.lastIndexOf(':');
        return colon < 0 ? -1 : Integer.parseInt(address.substring(colon + 1));
    }

    private static String plural(long n, String one) {
        return n + " " + one + (n == 1 ? "" : one.endsWith("s") ? "es" : "s");
    }

    private static int print(String pid, MBeanServerConnection jmx, OptionalInt jmxPort, int limit, PrintStream out,
                             PrintStream err) throws IOException, InterruptedException {
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
            CompositeData[] all = (CompositeData[]) jmx.getAttribute(name, "Connections");
            // the command's own: the local JMX connector's listener and this connection to it (its local port)
            List<CompositeData> shown = new ArrayList<>();
            int ownListeners = 0;
            int ownConnections = 0;
            for (CompositeData c : all) {
                boolean own = jmxPort.isPresent() && port((String) c.get("local")) == jmxPort.getAsInt();
                boolean listener = "listener".equals(c.get("role"));
                if (own) {
                    if (listener) {
                        ownListeners++;
                    } else {
                        ownConnections++;
                    }
                } else {
                    shown.add(c);
                }
            }
            out.println("JVM " + pid + ": mptcp-nio via " + jmx.getAttribute(name, "LaunchMode") + ", mode "
                    + jmx.getAttribute(name, "Mode") + (Boolean.TRUE.equals(jmx.getAttribute(name, "Strict"))
                    ? ", strict" : "") + "; MPTCP " + jmx.getAttribute(name, "Availability"));
            Map<String, Long> decisions = map((TabularData) jmx.getAttribute(name, "DecisionsByRule"));
            if (!decisions.isEmpty()) {
                out.println("  rules, first match wins (clients decided at connect, listeners at bind):");
                int width = decisions.keySet().stream().mapToInt(String::length).max().orElse(0);
                decisions.forEach((rule, n) -> out.println("    " + rule + " ".repeat(width - rule.length() + 2)
                        + plural(n, "socket")));
            }
            Map<String, Long> kinds = map((TabularData) jmx.getAttribute(name, "CreatedAsMptcpByKind"));
            long listeners = (Long) jmx.getAttribute(name, "CreatedAsMptcpListeners") - ownListeners;
            if (ownListeners > 0 && kinds.containsKey("ServerSocket")) {
                kinds.put("ServerSocket", kinds.get("ServerSocket") - ownListeners);
                kinds.values().removeIf(n -> n == 0);
            }
            out.println("  made MPTCP: " + plural(listeners, "listener") + ", "
                    + plural((Long) jmx.getAttribute(name, "CreatedAsMptcpClients"), "client") + byKind(kinds)
                    + "; accepted connections are their listener's");
            Map<String, Long> fallbacks = map((TabularData) jmx.getAttribute(name, "FallbacksAtCreation"));
            out.println("  wanted MPTCP, left on TCP: " + (fallbacks.isEmpty() ? "none" : ""));
            fallbacks.forEach((reason, n) -> out.println("    " + n + " x " + reason));
            long connections = shown.stream().filter(c -> !"listener".equals(c.get("role"))).count();
            long fellBack = shown.stream().filter(c -> !"listener".equals(c.get("role"))
                    && !Boolean.TRUE.equals(c.get("multipath"))).count();
            long subflows = shown.stream().mapToLong(c -> ((CompositeData[]) c.get("subflows")).length).sum();
            out.println("  MPTCP sockets now: " + plural(shown.size() - connections, "listener") + ", "
                    + plural(connections, "connection") + " (" + (connections - fellBack) + " multipath, "
                    + fellBack + " fell back to TCP: a peer or middlebox without MPTCP), "
                    + plural(subflows, "subflow"));
            if (ownListeners + ownConnections > 0) {
                out.println("  not counted: the JMX listener this command uses (port " + jmxPort.getAsInt() + ")"
                        + (ownConnections == 0 ? "" : " and " + plural(ownConnections, "connection") + " to it"));
            }
            if (limit > 0 && !shown.isEmpty()) {
                printSockets(shown, limit, out);
            }
            return 0;
        } catch (javax.management.JMException e) {
            err.println("JVM " + pid + ": cannot read " + NAME + ": " + e);
            return 2;
        }
    }

    private static void printSockets(List<CompositeData> shown, int limit, PrintStream out) {
        List<CompositeData> sorted = new ArrayList<>(shown);
        sorted.sort((a, b) -> {
            boolean la = "listener".equals(a.get("role"));
            boolean lb = "listener".equals(b.get("role"));
            return la != lb ? (la ? -1 : 1) : Integer.compare((Integer) a.get("descriptor"),
                    (Integer) b.get("descriptor"));
        });
        int n = Math.min(limit, sorted.size());
        out.println("  sockets" + (n < sorted.size() ? " (the first " + n + " of " + sorted.size() + "; --all for "
                + "every one)" : "") + "; a connection's bytes are the application's data, each subflow's what it "
                + "carried of them, data sent again included:");
        for (CompositeData c : sorted.subList(0, n)) {
            String remote = (String) c.get("remote");
            String decision = (String) c.get("decision");
            out.println("    fd " + c.get("descriptor") + "  " + c.get("role") + "  " + c.get("local")
                    + (remote.isEmpty() ? "" : " -> " + remote)
                    + ((Long) c.get("bytesSent") >= 0 ? "  sent " + c.get("bytesSent") + " B, received "
                    + c.get("bytesReceived") + " B" : "")
                    + (decision == null || decision.isEmpty() ? "" : "  [" + decision + "]"));
            for (CompositeData s : (CompositeData[]) c.get("subflows")) {
                out.println("      subflow " + s.get("local") + " -> " + s.get("remote") + "  "
                        + state((Integer) s.get("state")) + "  rtt " + s.get("rttMicros") + " us  sent "
                        + s.get("bytesSent") + " B, received " + s.get("bytesReceived") + " B");
            }
        }
    }
}
