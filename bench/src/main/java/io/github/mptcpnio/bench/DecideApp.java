package io.github.mptcpnio.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One fork of the lockstep "rules" part ({@code Suite.rules}, {@link LockstepFork}): prints {@code ready}, then runs
 * one block per line read from its standard input and prints {@code KEY=VALUE}, until {@code quit}. Blocks, over
 * loopback, through {@code SocketChannel} ({@code channel}), {@code java.net.Socket} ({@code socket}) and a Netty epoll
 * client ({@link DecideNetty}, {@code netty}): {@code KIND.us}, {@code count} connections (connect, 1-byte echo,
 * close), microseconds per connection; {@code KIND.mbps}, one bulk transfer of {@code bulkMillis} ms (256 KiB writes
 * until the time is up, then the output shut down; MB/s until the receiver drained it all); {@code KIND.rtt.us}, the
 * median of {@code trips} 1-byte round trips on one connection. {@code settle}: connections for {@code settleMillis}
 * (the fork's start: JIT compilation, and under the agent its preload and views threads 1 s and 2 s in). The listener
 * is a {@code ServerSocket} on 127.0.0.1 whose accepting thread echoes a connection's first byte itself; a first byte
 * of 2 starts a bulk transfer, of 3 an echo loop, each on a thread of its own.
 */
public final class DecideApp {
    private DecideApp() {}

    public static void main(String[] args) throws Exception {
        Check.baseline(true);
        int count = Integer.parseInt(args[0]);
        long bulk = Long.parseLong(args[1]) * 1_000_000L; // nanoseconds of sending
        int trips = Integer.parseInt(args[2]);
        long settleNanos = Long.parseLong(args[3]) * 1_000_000L;
        ServerSocket listener = new ServerSocket(0, 1000, InetAddress.getByName("127.0.0.1"));
        Thread server = new Thread(() -> serve(listener), "server");
        server.setDaemon(true);
        server.start();
        InetSocketAddress to = (InetSocketAddress) listener.getLocalSocketAddress();
        Map<String, Block> blocks = new HashMap<>();
        blocks.put("channel.us", () -> connects(to, count, true));
        blocks.put("socket.us", () -> connects(to, count, false));
        blocks.put("channel.mbps", () -> bulk(to, bulk, true));
        blocks.put("socket.mbps", () -> bulk(to, bulk, false));
        blocks.put("channel.rtt.us", () -> roundTrips(to, trips, true));
        blocks.put("socket.rtt.us", () -> roundTrips(to, trips, false));
        // the fork's first seconds: JIT compilation, and under the agent its preload thread (the binding 1 s after
        // start) and its views' thread (JFR and JMX 1 s later); an application running longer than that pays them once
        blocks.put("settle", () -> {
            long settled = System.nanoTime() + settleNanos;
            while (System.nanoTime() < settled) {
                connects(to, 100, true);
                connects(to, 100, false);
            }
            return 0;
        });
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (DecideNetty netty = new DecideNetty(to, count, bulk, trips)) {
            netty.blocks(blocks);
            System.out.println("ready");
            for (String key; (key = commands.readLine()) != null && !key.equals("quit"); ) {
                Block block = blocks.get(key);
                if (block == null) {
                    throw new IllegalArgumentException("unknown block '" + key + "'; one of " + blocks.keySet());
                }
                System.out.printf(Locale.ROOT, "%s=%.3f%n", key, block.run());
            }
        }
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

    /** One block's figure. */
    interface Block {
        double run() throws Exception;
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
