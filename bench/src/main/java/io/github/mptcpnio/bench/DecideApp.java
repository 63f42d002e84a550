package io.github.mptcpnio.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * One fork of the interleaved "rules" part ({@code Suite.rules}): over loopback, after {@code settleMillis} of
 * connections that settle the fork's start (3 s: the agent's preload and views start 1 s and 2 s in), through
 * {@code SocketChannel}, {@code java.net.Socket} and a Netty epoll client ({@link DecideNetty}), each measured as the
 * median of {@link #BLOCKS} blocks after a warm-up of its own: blocks of {@code count} connections (connect, 1-byte
 * echo, close; warm-up 2 × {@code count}), bulk transfers of {@code bulkMillis} ms (256 KiB writes until the time is
 * up, then the output shut down; MB/s until the receiver drained it all; warm-up one transfer) and blocks of
 * {@code trips} 1-byte round trips on one connection (warm-up {@code trips}); prints {@code KIND.us=} (per connection),
 * {@code KIND.mbps=} and {@code KIND.rtt.us=} (median round trip) for KIND channel, socket, netty. Blocks, not one long
 * run: a fork's JIT compilations, collections and the machine's other tenants land in one block, and the median leaves
 * them out. The listener is a {@code ServerSocket} on 127.0.0.1 whose accepting thread echoes a connection's first byte
 * itself; a first byte of 2 starts a bulk transfer, of 3 an echo loop, each on a thread of its own.
 */
public final class DecideApp {
    private DecideApp() {}

    public static void main(String[] args) throws Exception {
        Check.baseline(true);
        int count = Integer.parseInt(args[0]);
        long bulk = Long.parseLong(args[1]) * 1_000_000L; // nanoseconds of sending
        int trips = Integer.parseInt(args[2]);
        ServerSocket listener = new ServerSocket(0, 1000, InetAddress.getByName("127.0.0.1"));
        Thread server = new Thread(() -> serve(listener), "server");
        server.setDaemon(true);
        server.start();
        InetSocketAddress to = (InetSocketAddress) listener.getLocalSocketAddress();
        // the fork's first seconds: JIT compilation, and under the agent its preload thread (the binding 1 s after
        // start) and its views' thread (JFR and JMX 1 s later); an application running longer than that pays them once
        long settled = System.nanoTime() + Long.parseLong(args[3]) * 1_000_000L;
        while (System.nanoTime() < settled) {
            connects(to, 100, true);
            connects(to, 100, false);
        }
        for (boolean channel : new boolean[] {true, false}) {
            print(channel ? "channel.us" : "socket.us", "%.2f", 2, () -> connects(to, count, channel));
        }
        for (boolean channel : new boolean[] {true, false}) {
            print(channel ? "channel.mbps" : "socket.mbps", "%.0f", 1, () -> bulk(to, bulk, channel));
        }
        for (boolean channel : new boolean[] {true, false}) {
            print(channel ? "channel.rtt.us" : "socket.rtt.us", "%.2f", 1, () -> roundTrips(to, trips, channel));
        }
        DecideNetty.run(to, count, bulk, trips);
    }

    /**
     * Echoes the one byte of a connection on the accepting thread and closes it (no thread per connection, whose
     * creation would dwarf what is measured); a connection whose first byte is 2 is a bulk transfer, drained on a
     * thread of its own.
     */
    private static void serve(ServerSocket listener) {
        while (true) {
            try {
                Socket s = listener.accept();
                InputStream in = s.getInputStream();
                int first = in.read();
                if (first != 2 && first != 3) {
                    try (s) {
                        s.getOutputStream().write(first);
                    }
                    continue;
                }
                Thread t = new Thread(() -> {
                    try (s; OutputStream out = s.getOutputStream()) {
                        byte[] buf = new byte[256 * 1024];
                        if (first == 3) { // echo loop
                            out.write(first);
                            for (int n; (n = in.read(buf)) >= 0; ) {
                                out.write(buf, 0, n);
                            }
                            return;
                        }
                        while (in.read(buf) >= 0) {
                            // drain
                        }
                        out.write(first);
                    } catch (IOException ignored) {
                        // the client went away
                    }
                });
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return;
                }
            }
        }
    }

    /** Microseconds per connection. */
    private static double connects(InetSocketAddress to, int n, boolean channel) throws IOException {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            if (channel) {
                try (SocketChannel c = SocketChannel.open(to)) {
                    c.write(ByteBuffer.wrap(new byte[] {1}));
                    c.read(ByteBuffer.allocate(1));
                }
            } else {
                try (Socket s = new Socket()) {
                    s.connect(to);
                    s.getOutputStream().write(1);
                    s.getInputStream().read();
                }
            }
        }
        return (System.nanoTime() - start) / 1e3 / n;
    }

    /**
     * MB/s (10^6 bytes) of one transfer: 256 KiB writes for {@code nanos}, then until the receiver has drained all of
     * it. A time rather than a size: MPTCP over loopback moves 40–2,000 MB/s from one run to the next here.
     */
    private static double bulk(InetSocketAddress to, long nanos, boolean channel) throws IOException {
        long start = System.nanoTime();
        long bytes = 0;
        if (channel) {
            try (SocketChannel c = SocketChannel.open(to)) {
                ByteBuffer b = ByteBuffer.allocateDirect(256 * 1024);
                c.write(ByteBuffer.wrap(new byte[] {2}));
                while (System.nanoTime() - start < nanos) {
                    b.clear();
                    while (b.hasRemaining()) {
                        c.write(b);
                    }
                    bytes += b.capacity();
                }
                c.shutdownOutput();
                c.read(ByteBuffer.allocate(1));
            }
        } else {
            try (Socket s = new Socket()) {
                s.connect(to);
                OutputStream out = s.getOutputStream();
                byte[] b = new byte[256 * 1024];
                out.write(2);
                while (System.nanoTime() - start < nanos) {
                    out.write(b);
                    bytes += b.length;
                }
                s.shutdownOutput();
                s.getInputStream().read();
            }
        }
        return bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
    }

    /** Median microseconds of {@code n} 1-byte round trips on one connection. */
    private static double roundTrips(InetSocketAddress to, int n, boolean channel) throws IOException {
        long[] nanos = new long[n];
        if (channel) {
            try (SocketChannel c = SocketChannel.open(to)) {
                c.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                ByteBuffer one = ByteBuffer.allocateDirect(1);
                trip(c, one, (byte) 3);
                for (int i = 0; i < n; i++) {
                    long t = System.nanoTime();
                    trip(c, one, (byte) i);
                    nanos[i] = System.nanoTime() - t;
                }
            }
        } else {
            try (Socket s = new Socket()) {
                s.connect(to);
                s.setTcpNoDelay(true);
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                out.write(3);
                expect(in.read(), 3);
                for (int i = 0; i < n; i++) {
                    long t = System.nanoTime();
                    out.write(i);
                    expect(in.read(), i & 0xff);
                    nanos[i] = System.nanoTime() - t;
                }
            }
        }
        return median(nanos) / 1e3;
    }

    private static void trip(SocketChannel c, ByteBuffer one, byte b) throws IOException {
        one.clear().put(b).flip();
        c.write(one);
        one.clear();
        while (one.position() == 0) {
            if (c.read(one) < 0) {
                throw new IOException("the echo server closed");
            }
        }
        expect(one.get(0) & 0xff, b & 0xff);
    }

    /** How many blocks each figure is the median of. */
    static final int BLOCKS = 5;

    /** One block's figure. */
    interface Block {
        double run() throws Exception;
    }

    /**
     * Runs {@code block} {@code warmUps} times unmeasured, then prints {@code key=} the median of {@link #BLOCKS}
     * further runs.
     */
    static void print(String key, String format, int warmUps, Block block) throws Exception {
        for (int i = 0; i < warmUps; i++) {
            block.run();
        }
        double[] v = new double[BLOCKS];
        for (int i = 0; i < v.length; i++) {
            v[i] = block.run();
        }
        java.util.Arrays.sort(v);
        System.out.printf(java.util.Locale.ROOT, "%s=" + format + "%n", key, v[v.length / 2]);
    }

    static void expect(int got, int want) throws IOException {
        if (got != want) {
            throw new IOException("echoed " + got + ", sent " + want);
        }
    }

    static double median(long[] v) {
        long[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }
}
