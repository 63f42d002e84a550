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
 * One fork of the interleaved "rules" part ({@code Suite.rules}): over loopback, after a warm-up, {@code count}
 * connections (connect, 1-byte echo, close) through {@code SocketChannel} and through {@code java.net.Socket}, and a
 * bulk transfer of {@code bulkMiB} MiB through each; prints {@code channel.us=}, {@code socket.us=} (per connection)
 * and {@code channel.mbps=}, {@code socket.mbps=}. The listener is a {@code ServerSocket} on 127.0.0.1 whose accepting
 * thread echoes the byte itself.
 */
public final class DecideApp {
    private DecideApp() {}

    public static void main(String[] args) throws Exception {
        Check.baseline(true);
        int count = Integer.parseInt(args[0]);
        long bulk = Long.parseLong(args[1]) << 20;
        ServerSocket listener = new ServerSocket(0, 1000, InetAddress.getByName("127.0.0.1"));
        Thread server = new Thread(() -> serve(listener), "server");
        server.setDaemon(true);
        server.start();
        InetSocketAddress to = (InetSocketAddress) listener.getLocalSocketAddress();
        connects(to, count / 10, true);
        connects(to, count / 10, false);
        System.out.printf(java.util.Locale.ROOT, "channel.us=%.2f%n", connects(to, count, true));
        System.out.printf(java.util.Locale.ROOT, "socket.us=%.2f%n", connects(to, count, false));
        bulk(to, bulk / 4, true);
        System.out.printf(java.util.Locale.ROOT, "channel.mbps=%.0f%n", bulk(to, bulk, true));
        System.out.printf(java.util.Locale.ROOT, "socket.mbps=%.0f%n", bulk(to, bulk, false));
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
                if (first != 2) {
                    try (s) {
                        s.getOutputStream().write(first);
                    }
                    continue;
                }
                Thread t = new Thread(() -> {
                    try (s; OutputStream out = s.getOutputStream()) {
                        byte[] buf = new byte[256 * 1024];
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

    /** MB/s (10^6 bytes) of one transfer of {@code bytes}, until the receiver has drained all of it. */
    private static double bulk(InetSocketAddress to, long bytes, boolean channel) throws IOException {
        long start = System.nanoTime();
        if (channel) {
            try (SocketChannel c = SocketChannel.open(to)) {
                ByteBuffer b = ByteBuffer.allocateDirect(256 * 1024);
                c.write(ByteBuffer.wrap(new byte[] {2}));
                for (long sent = 0; sent < bytes; sent += b.capacity()) {
                    b.clear();
                    while (b.hasRemaining()) {
                        c.write(b);
                    }
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
                for (long sent = 0; sent < bytes; sent += b.length) {
                    out.write(b);
                }
                s.shutdownOutput();
                s.getInputStream().read();
            }
        }
        return bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
    }
}
