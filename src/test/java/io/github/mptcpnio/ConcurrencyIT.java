package io.github.mptcpnio;

import io.github.mptcpnio.testing.RequiresMptcp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 32 threads open, connect, exchange and close MPTCP channels at once for several seconds. Every message carries its
 * thread, sequence number and CRC32, and must come back byte for byte on the same connection: a descriptor re-seated
 * onto the wrong channel would cross-wire connections and show up here.
 */
@RequiresMptcp
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConcurrencyIT {
    private static final int THREADS = 32;
    private static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(5);

    @Test
    void thirtyTwoThreadsNeverCrossWires() throws Exception {
        SelectorProvider provider = new MptcpSelectorProvider();
        ExecutorService servers = Executors.newCachedThreadPool();
        ExecutorService clients = Executors.newFixedThreadPool(THREADS);
        try (ServerSocketChannel listener = provider.openServerSocketChannel()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
            servers.submit(() -> acceptLoop(listener, servers));
            SocketAddress address = listener.getLocalAddress();
            AtomicInteger multipath = new AtomicInteger();
            List<Future<Integer>> results = new ArrayList<>();
            long deadline = System.nanoTime() + RUN_NANOS;
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                results.add(clients.submit(() -> client(provider, address, thread, deadline, multipath)));
            }
            int connections = 0;
            for (Future<Integer> f : results) {
                connections += f.get(60, TimeUnit.SECONDS);
            }
            assertTrue(connections >= THREADS * 10, "too few connections completed: " + connections);
            assertEquals(connections, multipath.get(), "every connection must be MPTCP");
        } finally {
            clients.shutdownNow();
            servers.shutdownNow();
            assertTrue(clients.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    private static Void acceptLoop(ServerSocketChannel listener, ExecutorService servers) {
        while (listener.isOpen()) {
            try {
                SocketChannel c = listener.accept();
                servers.submit(() -> echo(c));
            } catch (IOException e) {
                return null; // listener closed at the end of the test
            }
        }
        return null;
    }

    private static Void echo(SocketChannel c) throws IOException {
        try (c) {
            ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
            while (c.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    c.write(buf);
                }
                buf.clear();
            }
        }
        return null;
    }

    private static int client(SelectorProvider provider, SocketAddress address, int thread, long deadline,
                              AtomicInteger multipath) throws IOException {
        int done = 0;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int seq = 0; System.nanoTime() < deadline; seq++) {
            byte[] body = new byte[random.nextInt(1, 64 * 1024)];
            random.nextBytes(body);
            CRC32 crc = new CRC32();
            crc.update(body);
            ByteBuffer message = ByteBuffer.allocate(16 + body.length);
            message.putInt(thread).putInt(seq).putLong(crc.getValue()).put(body).flip();
            byte[] sent = message.array().clone();
            try (SocketChannel ch = provider.openSocketChannel()) {
                ch.connect(address);
                ByteBuffer in = ByteBuffer.allocate(sent.length);
                while (message.hasRemaining()) {
                    ch.write(message);
                }
                while (in.hasRemaining()) {
                    if (ch.read(in) < 0) {
                        throw new IOException("thread " + thread + " seq " + seq + ": early EOF");
                    }
                }
                in.flip();
                int gotThread = in.getInt();
                int gotSeq = in.getInt();
                long gotCrc = in.getLong();
                CRC32 check = new CRC32();
                check.update(in);
                if (gotThread != thread || gotSeq != seq || gotCrc != crc.getValue() || check.getValue() != gotCrc
                        || !java.util.Arrays.equals(sent, in.array())) {
                    throw new AssertionError("cross-wired or corrupt: thread " + thread + " seq " + seq + " got thread "
                            + gotThread + " seq " + gotSeq);
                }
                if (Mptcp.isMultipath(ch)) {
                    multipath.incrementAndGet();
                }
            }
            done++;
        }
        return done;
    }
}
