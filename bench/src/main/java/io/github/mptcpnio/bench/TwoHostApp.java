package io.github.mptcpnio.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The two-host transfer of {@link TwoHostRun}: an unmodified NIO program, as a server that moves bulk data would be
 * written, run in forked JVMs under each baseline.
 *
 * <pre>
 * receiver &lt;port&gt; &lt;file&gt;
 *     one listener per buffer size of {@link #BUFFERS} on port, port+1, ...; a fixed size is set with SO_RCVBUF on
 *     the listener before bind (as Kafka and most brokers do), so that the accepted socket has it from its SYN
 *     on. Each connection starts with one byte naming how to receive: 'r' read() into a direct buffer, 'f'
 *     FileChannel.transferFrom into file. At EOF the receiver answers with the bytes it received and the
 *     nanoseconds from the first byte to EOF, and closes.
 * sender &lt;host&gt; &lt;port&gt; &lt;buffer&gt; &lt;method&gt; &lt;seconds&gt; &lt;reps&gt; &lt;file&gt;
 *     reps transfers of seconds each to the listener of that buffer size (buffer in KiB, 0: the kernel's
 *     sizes; a fixed size also sets SO_SNDBUF before connect). method: heap (write() from a heap buffer),
 *     direct (from a direct buffer), transferTo (FileChannel.transferTo of file, i.e. sendfile where the JDK
 *     can), transferFrom (the receiver's FileChannel.transferFrom; the sender writes from a direct buffer), netty
 *     (a Netty 4.2 epoll client writing direct buffers while its channel is writable; not under the switch, which
 *     does not reach Netty's native transports).
 *     Prints one line per transfer: mbps=&lt;MB/s at the receiver&gt; bytes=... gaps200=&lt;pauses of 200 ms or more
 *     between the receiver's reads&gt;
 * </pre>
 */
public final class TwoHostApp {
    /** Buffer sizes in KiB; 0 = the kernel's own (autotuned) sizes. */
    static final int[] BUFFERS = {0, 64, 256, 1024};
    static final List<String> METHODS = List.of("heap", "direct", "transferTo", "transferFrom", "netty");
    /** The receiver's answer: bytes received, nanoseconds from the first byte to EOF, pauses of 200 ms or more. */
    static final int ANSWER_BYTES = 24;
    /** A pause between two reads this long is the stall signature of docs/performance.md (MPTCP's RTO floor). */
    static final long GAP_NANOS = 200_000_000L;
    /** Size of the file that transferTo sends and transferFrom writes, in tmpfs. */
    static final long FILE_BYTES = 64L << 20;
    private static final int CHUNK = 256 << 10;

    private TwoHostApp() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "receiver" -> receiver(Integer.parseInt(args[1]), Path.of(args[2]));
            case "sender" -> sender(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), args[4],
                    Double.parseDouble(args[5]), Integer.parseInt(args[6]), Path.of(args[7]));
            default -> throw new IllegalArgumentException("receiver or sender, not " + args[0]);
        }
    }

    static void receiver(int port, Path file) throws Exception {
        Check.baseline();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < BUFFERS.length; i++) {
            ServerSocketChannel listener = ServerSocketChannel.open();
            if (BUFFERS[i] > 0) {
                listener.setOption(StandardSocketOptions.SO_RCVBUF, BUFFERS[i] << 10);
            }
            listener.bind(new InetSocketAddress(port + i));
            Path own = Path.of(file + "." + i);
            Thread t = new Thread(() -> serve(listener, own), "receiver-" + BUFFERS[i]);
            t.start();
            threads.add(t);
        }
        System.out.println("listening=" + port);
        for (Thread t : threads) {
            t.join();
        }
    }

    private static void serve(ServerSocketChannel listener, Path file) {
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.DELETE_ON_CLOSE)) {
            while (true) {
                try (SocketChannel sc = listener.accept()) {
                    ByteBuffer head = ByteBuffer.allocate(1);
                    while (head.hasRemaining()) {
                        if (sc.read(head) < 0) {
                            throw new IOException("no method byte");
                        }
                    }
                    byte method = head.get(0);

                    long total = 0;
                    long start = 0;
                    long last = 0;
                    long gaps = 0; // pauses of 200 ms or more between two reads that got data, or before the EOF
                    while (true) {
                        long n;
                        if (method == 'f') {
                            long pos = total % FILE_BYTES;
                            n = out.transferFrom(sc, pos, Math.min(CHUNK, FILE_BYTES - pos));
                            if (n == 0) { // transferFrom answers 0 at EOF as well: ask read() which it was
                                buf.clear().limit(1);
                                n = sc.read(buf);
                                if (n > 0) {
                                    buf.flip();
                                    out.write(buf, pos);
                                }
                            }
                        } else {
                            buf.clear();
                            n = sc.read(buf);
                        }
                        long now = System.nanoTime();
                        if (n != 0 && last != 0 && now - last >= GAP_NANOS) {
                            gaps++;
                        }
                        if (n < 0) {
                            break;
                        }
                        if (start == 0 && n > 0) {
                            start = now;
                        }
                        last = n > 0 ? now : last;
                        total += n;
                    }
                    long nanos = System.nanoTime() - start;
                    ByteBuffer answer = ByteBuffer.allocate(ANSWER_BYTES).putLong(total).putLong(nanos).putLong(gaps)
                            .flip();
                    while (answer.hasRemaining()) {
                        sc.write(answer);
                    }
                }
            }
        } catch (IOException e) {
            System.out.println("receiver failed: " + e);
            System.exit(1);
        }
    }

    static void sender(String host, int port, int bufferKib, String method, double seconds, int reps, Path file)
            throws Exception {
        Baseline baseline = Check.baseline();
        int index = -1;
        for (int i = 0; i < BUFFERS.length; i++) {
            index = BUFFERS[i] == bufferKib ? i : index;
        }
        if (index < 0 || !METHODS.contains(method)) {
            throw new IllegalArgumentException("buffer one of 0, 64, 256, 1024 and method one of " + METHODS);
        }
        byte[] random = new byte[CHUNK];
        ThreadLocalRandom.current().nextBytes(random);
        if (method.equals("netty")) {
            NettySender.send(baseline, new InetSocketAddress(host, port + index), bufferKib, random, seconds, reps);
            return;
        }
        ByteBuffer buf = method.equals("heap") ? ByteBuffer.allocate(CHUNK) : ByteBuffer.allocateDirect(CHUNK);
        buf.put(random).flip();
        FileChannel in = null;
        if (method.equals("transferTo")) {
            try (FileChannel w = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (long p = 0; p < FILE_BYTES; p += CHUNK) {
                    w.write(ByteBuffer.wrap(random), p);
                }
            }
            in = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.DELETE_ON_CLOSE);
        }
        long nanos = (long) (seconds * 1e9);
        for (int rep = 0; rep < reps; rep++) {
            try (SocketChannel sc = SocketChannel.open()) {
                if (bufferKib > 0) {
                    sc.setOption(StandardSocketOptions.SO_SNDBUF, bufferKib << 10);
                }
                sc.connect(new InetSocketAddress(host, port + index));
                Check.connection(baseline, sc);
                ByteBuffer head = ByteBuffer.wrap(new byte[] {(byte) (method.equals("transferFrom") ? 'f' : 'r')});
                while (head.hasRemaining()) {
                    sc.write(head);
                }
                long end = System.nanoTime() + nanos;
                long pos = 0;
                while (System.nanoTime() < end) {
                    if (in != null) {
                        pos += in.transferTo(pos, FILE_BYTES - pos, sc);
                        pos = pos == FILE_BYTES ? 0 : pos;
                    } else {
                        buf.clear();
                        sc.write(buf);
                    }
                }
                sc.shutdownOutput();
                ByteBuffer answer = ByteBuffer.allocate(ANSWER_BYTES);
                while (answer.hasRemaining()) {
                    if (sc.read(answer) < 0) {
                        throw new IOException("the receiver closed without an answer");
                    }
                }
                printAnswer(answer.flip());
            }
        }
        if (in != null) {
            in.close();
        }
    }

    /**
     * The receiver's answer (bytes, nanoseconds from its first byte to EOF, pauses of 200 ms or more between reads)
     * as the sender's result line.
     */
    static void printAnswer(ByteBuffer answer) {
        long bytes = answer.getLong();
        long took = answer.getLong();
        long gaps = answer.getLong();
        System.out.printf("mbps=%.1f bytes=%d nanos=%d gaps200=%d%n", bytes / 1e6 / (took / 1e9), bytes, took, gaps);
    }
}
