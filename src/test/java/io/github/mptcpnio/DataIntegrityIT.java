package io.github.mptcpnio;

import io.github.mptcpnio.testing.RequiresMptcpHook;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bytes sent equal bytes received, in order, on re-seated channels: arbitrary payloads (0 B to 8 MiB), arbitrary
 * write and read chunkings, heap and direct buffers, blocking and selector-driven non-blocking I/O, IPv4 and IPv6.
 */
@AddLifecycleHook(RequiresMptcpHook.class)
class DataIntegrityIT {
    private static final SelectorProvider PROVIDER = new MptcpSelectorProvider();
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(30);

    @Provide
    Arbitrary<Integer> sizes() {
        return Arbitraries.oneOf(Arbitraries.of(0, 1, 2, 65535, 65536, 65537, 8 << 20),
                Arbitraries.integers().between(0, 8 << 20).withDistribution(RandomDistribution.biased()));
    }

    @Provide
    Arbitrary<List<Integer>> chunks() {
        return Arbitraries.integers().between(1, 300_000).withDistribution(RandomDistribution.biased())
                .list().ofMinSize(1).ofMaxSize(8);
    }

    /** Falsified sample: 8 MiB in 2-byte chunks through a selector stalled a one-chunk-per-select harness. */
    @Example
    void eightMiBInTwoByteChunksThroughASelector() throws Exception {
        bytesArriveIntactAndInOrder(8 << 20, -2, List.of(2), List.of(2), true, true, true, true);
    }

    @Property(tries = 60)
    void bytesArriveIntactAndInOrder(@ForAll("sizes") int size, @ForAll long seed,
                                     @ForAll("chunks") List<Integer> writeChunks,
                                     @ForAll("chunks") List<Integer> readChunks, @ForAll boolean directWrite,
                                     @ForAll boolean directRead, @ForAll boolean selectorDriven, @ForAll boolean ipv6)
            throws Exception {
        byte[] payload = new byte[size];
        new Random(seed).nextBytes(payload);
        InetAddress host = ipv6 ? InetAddress.getByName("::1") : InetAddress.getByName("127.0.0.1");
        try (ServerSocketChannel listener = PROVIDER.openServerSocketChannel()) {
            listener.bind(new InetSocketAddress(host, 0));
            try (SocketChannel client = PROVIDER.openSocketChannel()) {
                client.connect(listener.getLocalAddress());
                try (SocketChannel server = listener.accept()) {
                    assertTrue(Mptcp.isMultipath(client) && Mptcp.isMultipath(server), "both ends MPTCP");
                    byte[] received = selectorDriven
                            ? selectorTransfer(client, server, payload, writeChunks, readChunks, directWrite,
                                    directRead)
                            : blockingTransfer(client, server, payload, writeChunks, readChunks, directWrite,
                                    directRead);
                    assertEquals(payload.length, received.length);
                    assertArrayEquals(payload, received);
                }
            }
        }
    }

    /** At most ~50,000 I/O calls per transfer: tiny chunks stay tiny on small payloads, grow on huge ones. */
    private static int chunk(List<Integer> chunks, int i, int payloadLength) {
        return Math.max(chunks.get(i % chunks.size()), (payloadLength + 49_999) / 50_000);
    }

    private static ByteBuffer buffer(int capacity, boolean direct) {
        return direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
    }

    private static byte[] blockingTransfer(SocketChannel out, SocketChannel in, byte[] payload, List<Integer> w,
                                           List<Integer> r, boolean directWrite, boolean directRead)
            throws Exception {
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                int pos = 0;
                for (int i = 0; pos < payload.length; i++) {
                    int n = Math.min(chunk(w, i, payload.length), payload.length - pos);
                    ByteBuffer b = buffer(n, directWrite);
                    b.put(payload, pos, n).flip();
                    while (b.hasRemaining()) {
                        out.write(b);
                    }
                    pos += n;
                }
                out.shutdownOutput();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] got = new byte[payload.length + 1];
        int total = 0;
        for (int i = 0; ; i++) {
            ByteBuffer b = buffer(chunk(r, i, payload.length), directRead);
            int n = in.read(b);
            if (n < 0) {
                break;
            }
            if (total + n > payload.length) {
                throw new AssertionError("received more bytes than were sent: " + (total + n));
            }
            b.flip();
            b.get(got, total, n);
            total += n;
        }
        writer.get(30, TimeUnit.SECONDS);
        return Arrays.copyOf(got, total);
    }

    private static byte[] selectorTransfer(SocketChannel out, SocketChannel in, byte[] payload, List<Integer> w,
                                           List<Integer> r, boolean directWrite, boolean directRead)
            throws IOException {
        out.configureBlocking(false);
        in.configureBlocking(false);
        byte[] got = new byte[payload.length];
        int sent = 0;
        int total = 0;
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        try (Selector selector = PROVIDER.openSelector()) {
            SelectionKey writeKey = out.register(selector, payload.length > 0 ? SelectionKey.OP_WRITE : 0);
            in.register(selector, SelectionKey.OP_READ);
            for (int step = 0; total < payload.length; step++) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("selector transfer stalled at " + total + "/" + payload.length);
                }
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    // like a real selector loop: on readiness, do I/O until the channel would block
                    while (key.isValid() && key.isWritable() && sent < payload.length) {
                        int n = Math.min(chunk(w, step++, payload.length), payload.length - sent);
                        ByteBuffer b = buffer(n, directWrite);
                        b.put(payload, sent, n).flip();
                        int written = out.write(b);
                        sent += written;
                        if (sent == payload.length) {
                            writeKey.interestOps(0);
                        }
                        if (written < n) {
                            break; // send buffer full; the rest goes next round
                        }
                    }
                    while (key.isValid() && key.isReadable() && total < payload.length) {
                        ByteBuffer b = buffer(chunk(r, step++, payload.length), directRead);
                        int n = in.read(b);
                        if (n < 0) {
                            throw new AssertionError("unexpected EOF at " + total);
                        }
                        if (n == 0) {
                            break; // nothing more to read now
                        }
                        if (total + n > payload.length) {
                            throw new AssertionError("received more bytes than were sent");
                        }
                        b.flip();
                        b.get(got, total, n);
                        total += n;
                    }
                }
                selector.selectedKeys().clear();
            }
        }
        return got;
    }
}
