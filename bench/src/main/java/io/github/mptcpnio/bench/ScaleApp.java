package io.github.mptcpnio.bench;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
 * The many-connections program of {@link ScaleRun}: an echo server (one Selector, or a thread per connection) and a
 * client that holds N connections to it.
 *
 * <pre>
 * server &lt;port&gt;                 echo every byte back from one Selector; prints listening=
 * thread-server &lt;port&gt;          the same with java.net sockets and a platform thread per connection
 * client &lt;host&gt; &lt;port&gt; &lt;n&gt;      blocking SocketChannels (socket-client: java.net.Socket and its streams); phases,
 *                               each printed as one line, the next one started by a line on stdin:
 *   memory heap= rss= fds=        this JVM after a full GC, before any connection
 *   established n= millis=        n connects, one after the other
 *   memory heap= rss= fds=        this JVM after a full GC, with the n connections idle
 *   latency p50us= p99us=         64-byte round trips on 10 connections while the others stay idle
 *   rounds msgs= millis=          every connection sends 64 bytes, then every echo is read; 5 rounds
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
            case "thread-server" -> threadServer(Integer.parseInt(args[1]));
            case "client" -> client(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), false);
            case "socket-client" -> client(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), true);
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

    /** One client connection, however it is made: 64-byte messages out and back, blocking. */
    private interface Conn {
        void send() throws IOException;

        void receive() throws IOException;

        void close() throws IOException;
    }

    /** A blocking {@link SocketChannel} with direct buffers. */
    private static Conn channel(InetSocketAddress server) throws IOException {
        SocketChannel ch = SocketChannel.open(server);
        ByteBuffer out = ByteBuffer.allocateDirect(MESSAGE);
        ByteBuffer in = ByteBuffer.allocateDirect(MESSAGE);
        return new Conn() {
            @Override
            public void send() throws IOException {
                out.clear();
                while (out.hasRemaining()) {
                    ch.write(out);
                }
            }

            @Override
            public void receive() throws IOException {
                in.clear();
                while (in.hasRemaining()) {
                    if (ch.read(in) < 0) {
                        throw new IOException("the server closed a connection");
                    }
                }
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    /** A {@link Socket} and its streams. */
    private static Conn socket(InetSocketAddress server) throws IOException {
        Socket s = new Socket(server.getAddress(), server.getPort());
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        byte[] msg = new byte[MESSAGE];
        return new Conn() {
            @Override
            public void send() throws IOException {
                out.write(msg);
            }

            @Override
            public void receive() throws IOException {
                if (in.readNBytes(msg, 0, MESSAGE) != MESSAGE) {
                    throw new IOException("the server closed a connection");
                }
            }

            @Override
            public void close() throws IOException {
                s.close();
            }
        };
    }

    static void client(String host, int port, int n, boolean sockets) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        InetSocketAddress server = new InetSocketAddress(host, port);
        List<Conn> all = new ArrayList<>(n);
        say(in, memory());
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            all.add(sockets ? socket(server) : channel(server));
        }
        long established = System.nanoTime() - t0;
        say(in, "established n=" + n + " millis=" + established / 1_000_000);
        say(in, memory());

        // latency: 10 connections, round trips one at a time
        int rtts = 2_000;
        long[] micros = new long[rtts];
        for (int i = 0; i < rtts; i++) {
            Conn c = all.get(i % Math.min(10, n));
            long s = System.nanoTime();
            c.send();
            c.receive();
            micros[i] = (System.nanoTime() - s) / 1_000;
        }
        Arrays.sort(micros);
        say(in, "latency p50us=" + micros[rtts / 2] + " p99us=" + micros[rtts * 99 / 100]);

        // rounds: every connection sends, then every echo is read
        int rounds = 5;
        long r0 = System.nanoTime();
        for (int r = 0; r < rounds; r++) {
            for (Conn c : all) {
                c.send();
            }
            for (Conn c : all) {
                c.receive();
            }
        }
        long roundNanos = System.nanoTime() - r0;
        say(in, "rounds msgs=" + (long) rounds * n + " millis=" + roundNanos / 1_000_000);

        long c0 = System.nanoTime();
        for (Conn c : all) {
            c.close();
        }
        all.clear();
        say(in, "closed millis=" + (System.nanoTime() - c0) / 1_000_000);
        say(in, memory());
    }

    /** A thread per connection (a platform thread, 256 KiB of stack requested) over java.net sockets. */
    static void threadServer(int port) throws IOException {
        try (ServerSocket listener = new ServerSocket(port, 4096)) {
            System.out.println("listening=" + port);
            while (true) {
                Socket s = listener.accept();
                Thread t = new Thread(null, () -> echo(s), "conn", 256 << 10);
                t.setDaemon(true);
                t.start();
            }
        }
    }

    private static void echo(Socket s) {
        byte[] buf = new byte[MESSAGE];
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            // the client reset or went away: the connection is over either way
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
