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
 * SubflowProbe server &lt;port&gt; &lt;subflows&gt;          accept one connection, report, echo until EOF
 * SubflowProbe client &lt;host&gt; &lt;port&gt; &lt;subflows&gt;   connect, report, close
 * </pre>
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
                    report(ch, Integer.parseInt(args[2]));
                    b.clear();
                    while (ch.read(b) >= 0) {
                        b.clear();
                    }
                }
            }
        } else {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2]));
            long deadline = System.nanoTime() + 10_000_000_000L;
            SocketChannel ch = null;
            while (ch == null) {
                try {
                    ch = SocketChannel.open(address);
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(50);
                }
            }
            try (SocketChannel connected = ch) {
                connected.write(ByteBuffer.wrap(new byte[] {1}));
                report(connected, Integer.parseInt(args[3]));
            }
        }
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
