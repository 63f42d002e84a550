package io.github.mptcpnio.internal.cli;

import io.github.mptcpnio.Mptcp;
import io.github.mptcpnio.MptcpInfo;
import io.github.mptcpnio.MptcpSelectorProvider;
import io.github.mptcpnio.Subflow;
import io.github.mptcpnio.Unavailability;
import io.github.mptcpnio.internal.agent.Agent;
import io.github.mptcpnio.internal.JdkShim;
import io.github.mptcpnio.internal.linux.Sockets;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar mptcp-nio-<version>-all.jar}: checks this machine and JVM, then makes a real MPTCP connection
 * over loopback through the provider. Exit code 0 only if that connection runs MPTCP end to end, 1 if it does not,
 * 2 if the check itself failed. The all-jar's manifest grants the export and native access, so run as
 * {@code java -jar} it tests the kernel; run with {@code -cp} it also tests the JVM flags given. With the arguments
 * {@code status <pid>} it shows a running JVM's MPTCP sockets instead ({@link Status}).
 */
public final class SelfCheck {
    private SelfCheck() {}

    static final String PAYLOAD = "MPTCP TEST";
    static final String USAGE = "usage: java -jar mptcp-nio-<version>-all.jar                 check this machine: a real MPTCP "
            + "connection over loopback (exit 0 only if it ran MPTCP end to end)\n"
            + "       java -jar mptcp-nio-<version>-all.jar status <pid> [...]  a running JVM's MPTCP sockets "
            + "(status --help)\n"
            + "       java -jar mptcp-nio-<version>-all.jar --help              this text\n"
            + "As an agent: -javaagent:mptcp-nio-<version>-all.jar[=mode=both|server|client|off,strict=true,"
            + "rules=RULES]";

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("status")) {
            System.exit(Status.run(args, System.out, System.err));
        }
        if (args.length > 0) {
            boolean help = args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help");
            (help ? System.out : System.err).println(USAGE);
            System.exit(help ? 0 : 2);
        }
        System.exit(run(System.out));
    }

    static int run(PrintStream out) {
        out.println("mptcp-nio self-check");
        out.println("  JVM:           " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                + " (" + System.getProperty("java.home") + ")");
        out.println("  OS:            " + System.getProperty("os.name") + " " + System.getProperty("os.version")
                + " " + System.getProperty("os.arch"));
        out.println("  sysctl:        net.mptcp.enabled = " + readSysctl("net/mptcp/enabled")
                + ", " + pathManagerSysctl());
        pathManager(out);
        out.println("  launched with: " + launchMode());
        Optional<Throwable> noExport = JdkShim.descriptorAccessFailure();
        out.println("  JDK export:    " + (noExport.isEmpty() ? "yes (sun.nio.ch readable)"
                : "NO - add " + JdkShim.exportFlag()));
        out.println("  native access: " + nativeAccess());
        Optional<Unavailability> u = Mptcp.unavailability();
        out.println("  MPTCP sockets: " + (u.isEmpty() ? "available" : "UNAVAILABLE - " + u.get()));
        try {
            return endToEnd(out);
        } catch (IOException | RuntimeException e) {
            out.println("  end to end:    FAILED - " + e);
            return 2;
        }
    }

    private static int endToEnd(PrintStream out) throws IOException {
        MptcpSelectorProvider provider = new MptcpSelectorProvider();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocketChannel server = provider.openServerSocketChannel();
             SocketChannel client = provider.openSocketChannel()) {
            server.bind(new InetSocketAddress(loopback, 0));
            client.connect(server.getLocalAddress());
            try (SocketChannel accepted = server.accept()) {
                byte[] sent = PAYLOAD.getBytes(StandardCharsets.US_ASCII);
                client.write(ByteBuffer.wrap(sent));
                ByteBuffer got = ByteBuffer.allocate(sent.length);
                while (got.hasRemaining() && accepted.read(got) >= 0) {
                    // blocking read until the payload is in
                }
                boolean echoed = new String(got.array(), StandardCharsets.US_ASCII).equals(PAYLOAD);
                out.println("  end to end:    " + client.getLocalAddress() + " -> " + client.getRemoteAddress()
                        + ", data " + (echoed ? "ok" : "CORRUPT"));
                Optional<Unavailability> u = Mptcp.unavailability();
                if (u.isPresent() && (u.get().reason() == Unavailability.Reason.JDK_INTERNALS_INACCESSIBLE
                        || u.get().reason() == Unavailability.Reason.NATIVE_LOAD_FAILED)) {
                    out.println("  MPTCP:         no (the provider fell back to plain TCP: " + u.get().reason() + ")");
                    return 1;
                }
                boolean clientMp = Mptcp.isMultipath(client);
                boolean serverMp = Mptcp.isMultipath(accepted);
                out.println("  MPTCP:         " + (clientMp && serverMp ? "yes" : "no")
                        + " (client " + clientMp + ", accepted " + serverMp + ")");
                Optional<MptcpInfo> info = Mptcp.info(client);
                out.println("  MptcpInfo:     " + info.map(Object::toString).orElse("none"));
                List<Subflow> subflows = Mptcp.subflows(client);
                for (Subflow s : subflows) {
                    out.println("  subflow:       " + s);
                }
                return echoed && clientMp && serverMp ? 0 : 1;
            }
        }
    }

    static String launchMode() {
        if (Agent.installed()) {
            if (Agent.off()) {
                return "the agent in mode off (it checked its options and rewrote nothing: every socket is the JDK's)";
            }
            return Agent.inPlace() ? "the agent, creating every TCP socket as MPTCP in place"
                    : "the agent, through the SelectorProvider only (the JDK's socket creation is not hooked)";
        }
        String property = System.getProperty("java.nio.channels.spi.SelectorProvider");
        if (MptcpSelectorProvider.class.getName().equals(property)) {
            return "the switch (-Djava.nio.channels.spi.SelectorProvider=" + property + ")";
        }
        return property == null ? "neither (the self-check uses the provider directly)"
                : "another provider: " + property;
    }

    private static String nativeAccess() {
        if (Sockets.instance().isEmpty()) {
            return "NOT LOADED - " + Sockets.loadFailure().map(Object::toString).orElse("?");
        }
        try { // Module.isNativeAccessEnabled() exists from JDK 22 on
            Method m = Module.class.getMethod("isNativeAccessEnabled");
            Module jffi = Sockets.nativeModule();
            boolean enabled = (boolean) m.invoke(jffi);
            return "native binding loaded; native access for " + jffi
                    + (enabled ? " enabled" : " NOT enabled (JDK prints a warning; add --enable-native-access="
                    + (jffi.isNamed() ? jffi.getName() : "ALL-UNNAMED") + ")");
        } catch (NoSuchMethodException e) {
            return "native binding loaded (JDK " + Runtime.version().feature() + " does not restrict native access)";
        } catch (ReflectiveOperationException e) {
            return "native binding loaded (native access state unknown: " + e + ")";
        }
    }

    private static String readSysctl(String path) {
        try {
            return Files.readString(Path.of("/proc/sys", path)).trim();
        } catch (IOException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
    }

    /**
     * {@code path_manager} (Linux 6.15 on: "kernel" or "userspace"), or before it {@code pm_type} (0 in-kernel,
     * 1 userspace), which older kernels have instead.
     */
    static String pathManagerSysctl() {
        Path root = Path.of("/proc/sys/net/mptcp");
        if (Files.isReadable(root.resolve("path_manager")) || !Files.isReadable(root.resolve("pm_type"))) {
            return "path_manager = " + readSysctl("net/mptcp/path_manager");
        }
        String type = readSysctl("net/mptcp/pm_type");
        String meaning = switch (type) {
            case "0" -> " (in-kernel)";
            case "1" -> " (userspace)";
            default -> "";
        };
        return "pm_type = " + type + meaning;
    }

    private static void pathManager(PrintStream out) {
        Optional<String> limits = ip("mptcp", "limits", "show");
        Optional<String> endpoints = ip("mptcp", "endpoint", "show");
        if (limits.isEmpty()) {
            out.println("  path manager:  unknown (iproute2's 'ip' not found or failed)");
            return;
        }
        out.println("  pm limits:     " + limits.get().trim());
        String eps = endpoints.orElse("").trim();
        if (eps.isEmpty()) {
            out.println("  pm endpoints:  none - WARNING: MPTCP can only ever use one path. Add the address of a "
                    + "second interface, e.g.:");
            out.println("                 ip mptcp endpoint add <address of 2nd interface> dev <interface> subflow");
        } else {
            for (String line : eps.split("\n")) {
                out.println("  pm endpoint:   " + line.trim());
            }
        }
    }

    private static Optional<String> ip(String... args) {
        for (String ip : new String[] {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"}) {
            if (!Files.isExecutable(Path.of(ip))) {
                continue;
            }
            String[] command = new String[args.length + 1];
            command[0] = ip;
            System.arraycopy(args, 0, command, 1, args.length);
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                String output;
                try (InputStream in = p.getInputStream()) {
                    output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return Optional.of(output);
                }
                p.destroyForcibly();
                return Optional.empty();
            } catch (IOException e) {
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
