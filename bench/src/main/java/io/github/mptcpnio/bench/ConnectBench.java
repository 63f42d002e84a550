package io.github.mptcpnio.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark 2: connection set-up. Per operation the client connects over loopback, sends one byte, reads the echo
 * and closes; a server thread accepts, echoes the byte and closes. Microseconds per connection (connections/s is
 * its inverse). {@code connectEchoClose}: both ends are channels of the baseline's provider;
 * {@code socketConnectEchoClose}: both ends are {@code java.net.Socket}/{@code ServerSocket} (plain TCP under the
 * switch, which does not cover them).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Benchmark)
public class ConnectBench {
    private ServerSocketChannel listener;
    private SocketAddress address;
    private Thread server;
    private volatile Throwable serverFailure;
    private final ByteBuffer out = ByteBuffer.allocate(1);
    private final ByteBuffer in = ByteBuffer.allocate(1);
    private ServerSocket socketListener;
    private Thread socketServer;

    @Setup(Level.Trial)
    public void start() throws IOException {
        Check.baseline();
        listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        address = listener.getLocalAddress();
        server = new Thread(this::serve, "echo-server");
        server.setDaemon(true);
        server.start();
        socketListener = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        socketServer = new Thread(this::serveSockets, "socket-echo-server");
        socketServer.setDaemon(true);
        socketServer.start();
    }

    private void serveSockets() {
        while (true) {
            try (Socket c = socketListener.accept()) {
                int b = c.getInputStream().read();
                if (b < 0) {
                    throw new EOFException("client sent nothing");
                }
                c.getOutputStream().write(b);
            } catch (SocketException closed) {
                if (socketListener.isClosed()) {
                    return;
                }
                serverFailure = closed;
                return;
            } catch (Throwable t) {
                serverFailure = t;
                return;
            }
        }
    }

    @Benchmark
    public int socketConnectEchoClose() throws IOException {
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), socketListener.getLocalPort())) {
            c.getOutputStream().write(42);
            int b = c.getInputStream().read();
            if (b < 0) {
                throw new IOException("no echo", serverFailure);
            }
            return b;
        }
    }

    private void serve() {
        ByteBuffer b = ByteBuffer.allocate(1);
        while (true) {
            try (SocketChannel c = listener.accept()) {
                b.clear();
                if (c.read(b) != 1) {
                    throw new EOFException("client sent nothing");
                }
                b.flip();
                c.write(b);
            } catch (ClosedChannelException stop) {
                return;
            } catch (Throwable t) {
                serverFailure = t;
                return;
            }
        }
    }

    @Benchmark
    public int connectEchoClose() throws IOException {
        try (SocketChannel c = SocketChannel.open(address)) {
            out.clear().put((byte) 42).flip();
            c.write(out);
            in.clear();
            if (c.read(in) != 1) {
                throw new IOException("no echo", serverFailure);
            }
            return in.get(0);
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        listener.close();
        socketListener.close();
        server.join(5000);
        socketServer.join(5000);
        if (serverFailure != null) {
            throw new IllegalStateException("echo server failed", serverFailure);
        }
    }
}
