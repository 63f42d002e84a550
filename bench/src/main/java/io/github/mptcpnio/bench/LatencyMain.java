package io.github.mptcpnio.bench;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Benchmark 4, one fork: request/response latency over a loopback connection. The client writes a message of
 * {@code size} bytes and waits, through a Selector, for the whole echo; an echo server thread does the same
 * through its own Selector. Both ends set TCP_NODELAY. After {@code warmup} round trips, {@code count} round trips
 * are recorded into an HdrHistogram (nanoseconds, 3 significant digits).
 *
 * <pre>LatencyMain &lt;size&gt; &lt;warmup&gt; &lt;count&gt;</pre>
 * Prints one line: {@code latency size=… count=… p50=… p99=… p999=… max=…} in microseconds.
 */
public final class LatencyMain {
    public static void main(String[] args) throws Exception {
        int size = Integer.parseInt(args[0]);
        int warmup = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        Baseline b = Check.baseline();
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel client = SocketChannel.open(listener.getLocalAddress());
             SocketChannel accepted = listener.accept()) {
            Check.connection(b, client);
            Check.connection(b, accepted);
            Thread server = new Thread(() -> echo(accepted, size), "echo-server");
            server.setDaemon(true);
            server.start();
            Histogram h = new Histogram(3);
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            client.configureBlocking(false);
            ByteBuffer request = ByteBuffer.allocateDirect(size);
            ByteBuffer response = ByteBuffer.allocateDirect(size);
            try (Selector selector = Selector.open()) {
                SelectionKey key = client.register(selector, 0);
                for (int i = 0; i < warmup + count; i++) {
                    request.clear();
                    request.put(0, (byte) i);
                    response.clear();
                    long start = System.nanoTime();
                    transfer(client, key, request, SelectionKey.OP_WRITE, true);
                    transfer(client, key, response, SelectionKey.OP_READ, false);
                    long took = System.nanoTime() - start;
                    if (response.get(0) != (byte) i) {
                        throw new IllegalStateException("echo of round trip " + i + " carries the wrong byte");
                    }
                    if (i >= warmup) {
                        h.recordValue(took);
                    }
                }
            }
            System.out.printf("latency size=%d count=%d p50=%.2f p99=%.2f p999=%.2f max=%.2f%n", size,
                    h.getTotalCount(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
                    h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
        }
    }

    /** Writes or reads the whole buffer, waiting on the selector whenever the channel cannot go on. */
    private static void transfer(SocketChannel ch, SelectionKey key, ByteBuffer buf, int op, boolean write)
            throws IOException {
        while (buf.hasRemaining()) {
            int n = write ? ch.write(buf) : ch.read(buf);
            if (n < 0) {
                throw new IOException("peer closed");
            }
            if (n == 0) {
                key.interestOps(op);
                key.selector().select();
                key.selector().selectedKeys().clear();
                key.interestOps(0);
            }
        }
    }

    private static void echo(SocketChannel ch, int size) {
        ByteBuffer buf = ByteBuffer.allocateDirect(size);
        try (Selector selector = Selector.open()) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.configureBlocking(false);
            SelectionKey key = ch.register(selector, 0);
            while (true) {
                buf.clear();
                transfer(ch, key, buf, SelectionKey.OP_READ, false);
                buf.flip();
                transfer(ch, key, buf, SelectionKey.OP_WRITE, true);
            }
        } catch (IOException | java.nio.channels.CancelledKeyException closed) {
            // the client is done and closed the connection
        }
    }
}
