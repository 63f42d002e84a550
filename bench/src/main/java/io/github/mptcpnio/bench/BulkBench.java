package io.github.mptcpnio.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark 3: bulk throughput over one loopback connection. Each operation moves {@code bytes} (1 GiB) from a
 * sender thread (non-blocking, its own Selector) to the benchmark thread, which reads through a Selector loop;
 * milliseconds per GiB (MB/s = bytes / 10^6 / seconds). One connection per fork, opened in the set-up, so this
 * measures the data path only. {@code socketTransfer}: the same over a {@code java.net.Socket} pair, a sender thread
 * writing to its {@code OutputStream} and the benchmark thread reading its {@code InputStream} (plain TCP under the
 * switch, which does not cover {@code java.net} sockets).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 8)
@Fork(2)
@State(Scope.Benchmark)
public class BulkBench {
    private static final int BUFFER = 256 << 10;

    @Param("1073741824")
    public long bytes;

    private SocketChannel sending;
    private SocketChannel receiving;
    private Selector selector;
    private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER);
    private final Semaphore go = new Semaphore(0);
    private Thread sender;
    private volatile Throwable senderFailure;
    private Socket socketSending;
    private Socket socketReceiving;
    private final Semaphore socketGo = new Semaphore(0);
    private Thread socketSender;
    private final byte[] socketIn = new byte[BUFFER];

    @Setup(Level.Trial)
    public void connect() throws IOException {
        Baseline b = Check.baseline();
        try (ServerSocketChannel listener = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            sending = SocketChannel.open(listener.getLocalAddress());
            receiving = listener.accept();
        }
        Check.connection(b, sending);
        Check.connection(b, receiving);
        receiving.configureBlocking(false);
        selector = Selector.open();
        receiving.register(selector, SelectionKey.OP_READ);
        sender = new Thread(this::send, "bulk-sender");
        sender.setDaemon(true);
        sender.start();
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socketSending = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            socketReceiving = listener.accept();
        }
        socketSender = new Thread(this::sendSocket, "bulk-socket-sender");
        socketSender.setDaemon(true);
        socketSender.start();
    }

    /** Writes exactly {@code bytes} to the socket's stream for every permit. */
    private void sendSocket() {
        byte[] out = new byte[BUFFER];
        for (int i = 0; i < BUFFER; i++) {
            out[i] = (byte) (i * 31);
        }
        try {
            OutputStream stream = socketSending.getOutputStream();
            while (true) {
                socketGo.acquire();
                for (long remaining = bytes; remaining > 0; remaining -= Math.min(BUFFER, remaining)) {
                    stream.write(out, 0, (int) Math.min(BUFFER, remaining));
                }
            }
        } catch (InterruptedException stop) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            senderFailure = t;
        }
    }

    @Benchmark
    public long socketTransfer() throws IOException {
        socketGo.release();
        InputStream stream = socketReceiving.getInputStream();
        long received = 0;
        while (received < bytes) {
            int n = stream.read(socketIn, 0, (int) Math.min(BUFFER, bytes - received));
            if (n < 0 || senderFailure != null) {
                throw new IOException("socket sender stopped after " + received + " bytes", senderFailure);
            }
            received += n;
        }
        return received;
    }

    /** Sends exactly {@code bytes} for every permit, through its own Selector. */
    private void send() {
        ByteBuffer out = ByteBuffer.allocateDirect(BUFFER);
        for (int i = 0; i < BUFFER; i++) {
            out.put(i, (byte) (i * 31));
        }
        try (Selector writable = Selector.open()) {
            sending.configureBlocking(false);
            sending.register(writable, SelectionKey.OP_WRITE);
            while (true) {
                go.acquire();
                long remaining = bytes;
                while (remaining > 0) {
                    out.clear().limit((int) Math.min(BUFFER, remaining));
                    while (out.hasRemaining()) {
                        int n = sending.write(out);
                        if (n == 0) {
                            writable.select();
                            writable.selectedKeys().clear();
                        }
                        remaining -= n;
                    }
                }
            }
        } catch (InterruptedException stop) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            senderFailure = t;
        }
    }

    @Benchmark
    public long transfer() throws IOException {
        go.release();
        long received = 0;
        while (received < bytes) {
            selector.select(1000);
            selector.selectedKeys().clear();
            int n;
            while ((n = receiving.read(in.clear())) > 0) {
                received += n;
            }
            if (n < 0 || senderFailure != null) {
                throw new IOException("sender stopped after " + received + " bytes", senderFailure);
            }
        }
        if (received != bytes) {
            throw new IllegalStateException("received " + received + " of " + bytes + " bytes");
        }
        return received;
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        sender.interrupt();
        sender.join(5000);
        socketSender.interrupt();
        socketSending.close(); // unblocks a write the interrupt cannot
        socketSender.join(5000);
        socketReceiving.close();
        selector.close();
        sending.close();
        receiving.close();
    }
}
