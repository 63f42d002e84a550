package apps;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

/**
 * An ordinary NIO bulk-transfer program that knows nothing of MPTCP (it never imports io.github.mptcpnio).
 *
 * <pre>
 * BulkApp server &lt;port&gt; [blocking|selector]   accept one connection on [::]:port, read to EOF
 * BulkApp client &lt;host&gt; &lt;port&gt; &lt;bytes&gt;       send bytes of seeded random data, then close
 * </pre>
 * The server prints {@code listening=}, {@code progress=<bytes>} every 4 MiB, then {@code received=}, {@code sha256=},
 * {@code millis=} (first byte to EOF) and {@code maxStallMs=} (longest gap between two reads that returned data).
 * With {@code -Dbulk.timeline=true} it also prints {@code timeline=<wall-clock ms> <bytes>} every 256 KiB: the
 * receiver's goodput over time, for the failover benchmark.
 * The client prints {@code sent=}, {@code sha256=} and {@code millis=}.
 */
public final class BulkApp {
    private static final int PROGRESS_EVERY = 4 << 20;
    private static final int TIMELINE_EVERY = 256 << 10;
    private static final boolean TIMELINE = Boolean.getBoolean("bulk.timeline");

    public static void main(String[] args) throws Exception {
        if (args[0].equals("server")) {
            server(Integer.parseInt(args[1]), args.length > 2 && args[2].equals("selector"));
        } else {
            client(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]));
        }
    }

    private static void server(int port, boolean selectorDriven) throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(port));
            System.out.println("listening=" + port);
            try (SocketChannel ch = listener.accept()) {
                Receiver r = new Receiver();
                if (selectorDriven) {
                    ch.configureBlocking(false);
                    try (Selector selector = Selector.open()) {
                        ch.register(selector, SelectionKey.OP_READ);
                        while (!r.done) {
                            selector.select();
                            selector.selectedKeys().clear();
                            r.readAvailable(ch);
                        }
                    }
                } else {
                    while (!r.done) {
                        r.readAvailable(ch);
                    }
                }
                System.out.println("received=" + r.total);
                System.out.println("sha256=" + HexFormat.of().formatHex(r.digest.digest()));
                System.out.println("millis=" + (r.last - r.first) / 1_000_000);
                System.out.println("maxStallMs=" + r.maxGap / 1_000_000);
            }
        }
    }

    private static final class Receiver {
        final MessageDigest digest = sha256();
        final ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
        final byte[] chunk = new byte[256 * 1024];
        long total;
        long first;
        long last;
        long maxGap;
        long nextProgress = PROGRESS_EVERY;
        long nextTimeline = TIMELINE_EVERY;
        boolean done;

        void readAvailable(SocketChannel ch) throws IOException {
            while (true) {
                buffer.clear();
                int n = ch.read(buffer);
                if (n < 0) {
                    done = true;
                    return;
                }
                if (n == 0) {
                    return;
                }
                long now = System.nanoTime();
                if (total == 0) {
                    first = now;
                } else {
                    maxGap = Math.max(maxGap, now - last);
                }
                last = now;
                buffer.flip();
                buffer.get(chunk, 0, n);
                digest.update(chunk, 0, n);
                total += n;
                if (TIMELINE && total >= nextTimeline) {
                    System.out.println("timeline=" + System.currentTimeMillis() + " " + total);
                    nextTimeline = total + TIMELINE_EVERY;
                }
                if (total >= nextProgress) {
                    System.out.println("progress=" + total);
                    nextProgress += PROGRESS_EVERY;
                }
                if (ch.isBlocking()) {
                    return;
                }
            }
        }
    }

    private static void client(String host, int port, long bytes) throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(host), port);
        SocketChannel ch = null;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ch == null) { // the server may still be starting
            try {
                ch = SocketChannel.open(address);
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
        MessageDigest digest = sha256();
        Random random = new Random(1);
        byte[] chunk = new byte[64 * 1024];
        long start = System.nanoTime();
        try (SocketChannel connected = ch) {
            long sent = 0;
            while (sent < bytes) {
                random.nextBytes(chunk);
                int n = (int) Math.min(chunk.length, bytes - sent);
                digest.update(chunk, 0, n);
                ByteBuffer b = ByteBuffer.wrap(chunk, 0, n);
                while (b.hasRemaining()) {
                    connected.write(b);
                }
                sent += n;
            }
            System.out.println("sent=" + sent);
        }
        System.out.println("sha256=" + HexFormat.of().formatHex(digest.digest()));
        System.out.println("millis=" + (System.nanoTime() - start) / 1_000_000);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
