package io.github.mptcpnio.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The many-connections program of {@link ScaleRun}: an NIO echo server with one Selector, and a client that holds N
 * connections to it.
 *
 * <pre>
 * server &lt;port&gt;                 echo every byte back; prints listening=
 * client &lt;host&gt; &lt;port&gt; &lt;n&gt;      phases, each printed as one line, the next one started by a line on stdin:
 *   memory heap= rss= fds=        this JVM after a full GC, before any connection
 *   established n= millis=        n blocking connects, then all non-blocking in one Selector
 *   memory heap= rss= fds=        this JVM after a full GC, with the n connections idle
 *   latency p50us= p99us=         64-byte round trips on 10 connections while the others stay idle
 *   rounds msgs= millis=          every connection sends 64 bytes and waits for its echo, all at once, 5 times
 *   closed millis=                all n closed
 *   memory heap= rss= fds=        again, after a full GC
 * churn &lt;host&gt; &lt;port&gt; &lt;n&gt;       twice: open and close n connections one after the other (an echo of 1 byte each);
 *                               memory before, after the first round (JIT and allocator warmed) and after the second
 * </pre>
 */
public final class ScaleApp {
    private static final int MESSAGE = 64;

    private ScaleApp() {
    }

    public static void main(String[] args) throws Exception {
        Check.baseline();
        switch (args[0]) {
            case "server" -> server(Integer.parseInt(args[1]));
            case "client" -> client(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "churn" -> churn(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    static void server(int port) throws IOException {
        try (Selector selector = Selector.open(); ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(port), 4096).configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
            System.out.println("listening=" + port);
            ByteBuffer buf = ByteBuffer.allocateDirect(64 << 10);
            while (true) {
                selector.select();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (key.isAcceptable()) {
                        SocketChannel ch;
                        while ((ch = listener.accept()) != null) {
                            ch.configureBlocking(false).register(selector, SelectionKey.OP_READ);
                        }
                    } else if (key.isReadable()) {
                        SocketChannel ch = (SocketChannel) key.channel();
                        buf.clear();
                        int n;
                        try {
                            n = ch.read(buf);
                        } catch (IOException e) {
                            n = -1;
                        }
                        if (n < 0) {
                            key.cancel();
                            ch.close();
                        } else {
                            buf.flip();
                            while (buf.hasRemaining()) { // 64-byte messages: the send buffer never fills
                                ch.write(buf);
                            }
                        }
                    }
                }
            }
        }
    }

    static void client(String host, int port, int n) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        InetSocketAddress server = new InetSocketAddress(host, port);
        List<SocketChannel> all = new ArrayList<>(n);
        say(in, memory());
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            all.add(SocketChannel.open(server));
        }
        long established = System.nanoTime() - t0;
        Selector selector = Selector.open();
        for (SocketChannel ch : all) {
            ch.configureBlocking(false).register(selector, SelectionKey.OP_READ);
        }
        say(in, "established n=" + n + " millis=" + established / 1_000_000);
        say(in, memory());

        // latency: 10 connections, round trips one at a time
        int rtts = 2_000;
        long[] micros = new long[rtts];
        ByteBuffer msg = ByteBuffer.allocateDirect(MESSAGE);
        ByteBuffer echo = ByteBuffer.allocateDirect(MESSAGE);
        for (int i = 0; i < rtts; i++) {
            SocketChannel ch = all.get(i % Math.min(10, n));
            long s = System.nanoTime();
            roundTrip(ch, msg, echo, selector);
            micros[i] = (System.nanoTime() - s) / 1_000;
        }
        Arrays.sort(micros);
        say(in, "latency p50us=" + micros[rtts / 2] + " p99us=" + micros[rtts * 99 / 100]);

        // rounds: every connection active at once
        int rounds = 5;
        long r0 = System.nanoTime();
        for (int r = 0; r < rounds; r++) {
            for (SocketChannel ch : all) {
                msg.clear();
                while (msg.hasRemaining()) {
                    ch.write(msg);
                }
            }
            long pending = (long) n * MESSAGE;
            while (pending > 0) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    echo.clear();
                    int got = ((SocketChannel) key.channel()).read(echo);
                    if (got < 0) {
                        throw new IOException("the server closed a connection");
                    }
                    pending -= got;
                }
                selector.selectedKeys().clear();
            }
        }
        long roundNanos = System.nanoTime() - r0;
        say(in, "rounds msgs=" + (long) rounds * n + " millis=" + roundNanos / 1_000_000);

        long c0 = System.nanoTime();
        selector.close();
        for (SocketChannel ch : all) {
            ch.close();
        }
        all.clear();
        say(in, "closed millis=" + (System.nanoTime() - c0) / 1_000_000);
        say(in, memory());
    }

    /** One 64-byte round trip on a non-blocking channel registered with the selector. */
    private static void roundTrip(SocketChannel ch, ByteBuffer msg, ByteBuffer echo, Selector selector)
            throws IOException {
        msg.clear();
        while (msg.hasRemaining()) {
            ch.write(msg);
        }
        echo.clear();
        while (echo.hasRemaining()) {
            if (ch.read(echo) < 0) {
                throw new IOException("the server closed a connection");
            }
            if (echo.hasRemaining()) {
                Thread.onSpinWait();
            }
        }
    }

    static void churn(String host, int port, int n) throws Exception {
        InetSocketAddress server = new InetSocketAddress(host, port);
        System.out.println("before " + memory());
        for (int round = 1; round <= 2; round++) {
            ByteBuffer one = ByteBuffer.allocate(1);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                try (SocketChannel ch = SocketChannel.open(server)) {
                    one.clear();
                    ch.write(one);
                    one.clear();
                    if (ch.read(one) != 1) {
                        throw new IOException("no echo on connection " + i);
                    }
                }
            }
            System.out.println("churned" + round + " n=" + n + " millis=" + (System.nanoTime() - t0) / 1_000_000);
            System.out.println("after" + round + " " + memory());
        }
    }

    /** Heap after a full GC, resident set size and open descriptors of this JVM. */
    static String memory() throws IOException {
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        long fds;
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            fds = s.count();
        }
        return String.format(Locale.ROOT, "memory heap=%d rss=%d fds=%d", heap, rss, fds);
    }

    /** Prints a phase's line and waits until the harness has sampled what it needs. */
    private static void say(BufferedReader in, String line) throws IOException {
        System.out.println(line);
        System.out.flush();
        if (in.readLine() == null) {
            throw new IOException("the harness went away");
        }
    }
}
