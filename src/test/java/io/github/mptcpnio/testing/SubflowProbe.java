package io.github.mptcpnio.testing;

import io.github.mptcpnio.Mptcp;
import io.github.mptcpnio.Subflow;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;

/**
 * Run in a namespace with the switch: one connection whose subflows it reports.
 * <pre>
 * SubflowProbe server &lt;port&gt; &lt;subflows&gt;          accept one connection, echo its first byte, report, read until EOF
 * SubflowProbe client &lt;host&gt; &lt;port&gt; &lt;subflows&gt;   connect, send a byte, await its echo (prints established=), report, close
 * SubflowProbe watch &lt;host&gt; &lt;port&gt; &lt;seconds&gt;     send for that long, printing a snapshot every 250 ms
 * </pre>
 * In watch mode each {@code snapshot=<ms>;<local>|<remote>|<bytesSent>;...} line lists the subflows, and the end
 * prints {@code sent=} and {@code sha256=} of everything sent (to compare with {@code BulkApp server}).
 * Each side waits (up to 10 s) until the connection has the expected number of subflows, then prints {@code multipath=}, {@code infoSubflows=} and one
 * {@code subflow=<local>|<remote>} line per subflow. Without MPTCP it reports what it has after the wait.
 */
public final class SubflowProbe {
    public static void main(String[] args) throws Exception {
        if (args[0].equals("server")) {
            try (ServerSocketChannel listener = ServerSocketChannel.open()) {
                listener.bind(new InetSocketAddress(Integer.parseInt(args[1])));
                System.out.println("listening=" + args[1]);
                try (SocketChannel ch = listener.accept()) {
                    ByteBuffer b = ByteBuffer.allocate(1);
                    while (b.hasRemaining() && ch.read(b) >= 0) {
                        // wait for the client's first byte: the connection is established both ways
                    }
                    b.flip();
                    ch.write(b); // echoed: a data packet, whose DSS makes the client's end fully established
                    report(ch, Integer.parseInt(args[2]));
                    b.clear();
                    while (ch.read(b) >= 0) {
                        b.clear();
                    }
                }
            }
        } else if (args[0].equals("watch")) {
            System.out.println("pid=" + ProcessHandle.current().pid()); // for tools that attach (OperationsIT)
            watch(connect(args[1], args[2]), Long.parseLong(args[3]));
        } else {
            try (SocketChannel connected = connect(args[1], args[2])) {
                connected.write(ByteBuffer.wrap(new byte[] {1}));
                ByteBuffer echo = ByteBuffer.allocate(1);
                while (echo.hasRemaining() && connected.read(echo) >= 0) {
                    // the server's echo: from here both ends are fully established at the MPTCP level
                }
                System.out.println("established=" + (echo.position() == 1));
                report(connected, Integer.parseInt(args[3]));
            }
        }
    }

    private static SocketChannel connect(String host, String port) throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(port));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                return SocketChannel.open(address);
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    private static void watch(SocketChannel ch, long seconds) throws Exception {
        java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
        java.util.Random random = new java.util.Random(7);
        byte[] chunk = new byte[16 * 1024];
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long nextSnapshot = start;
        long sent = 0;
        try (ch) {
            ch.configureBlocking(false); // never block past a snapshot, even while a path is down
            java.nio.ByteBuffer pending = java.nio.ByteBuffer.allocate(0);
            while (System.nanoTime() < end) {
                if (!pending.hasRemaining()) {
                    random.nextBytes(chunk);
                    digest.update(chunk);
                    pending = java.nio.ByteBuffer.wrap(chunk);
                }
                int n = ch.write(pending);
                sent += n;
                if (n == 0) {
                    Thread.sleep(5);
                }
                if (System.nanoTime() >= nextSnapshot) {
                    StringBuilder line = new StringBuilder("snapshot=" + (System.nanoTime() - start) / 1_000_000);
                    for (Subflow s : Mptcp.subflows(ch)) {
                        line.append(';').append(s.local().getAddress().getHostAddress()).append('|')
                                .append(s.remote().getAddress().getHostAddress()).append('|').append(s.bytesSent());
                    }
                    System.out.println(line);
                    nextSnapshot += 250_000_000L;
                }
            }
            ch.configureBlocking(true);
            while (pending.hasRemaining()) { // finish the chunk already counted in the digest
                sent += ch.write(pending);
            }
        }
        System.out.println("sent=" + sent);
        System.out.println("sha256=" + java.util.HexFormat.of().formatHex(digest.digest()));
    }

    private static void report(SocketChannel ch, int expected) throws Exception {
        List<Subflow> subflows = Mptcp.subflows(ch);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (subflows.size() < expected && Mptcp.isMultipath(ch) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            subflows = Mptcp.subflows(ch);
        }
        System.out.println("multipath=" + Mptcp.isMultipath(ch));
        System.out.println("infoSubflows=" + Mptcp.info(ch).map(i -> String.valueOf(i.subflows())).orElse("none"));
        for (Subflow s : subflows) {
            System.out.println("subflow=" + s.local().getAddress().getHostAddress() + "|"
                    + s.remote().getAddress().getHostAddress());
        }
        System.out.println("done=true");
    }
}
