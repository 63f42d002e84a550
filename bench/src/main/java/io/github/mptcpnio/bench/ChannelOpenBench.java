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
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark 1: open and close an unconnected channel, client and server side, and the same for
 * {@code java.net.Socket}/{@code ServerSocket} (which create their socket at first use: reading {@code SO_RCVBUF}, one
 * {@code getsockopt}, creates it here); nanoseconds per open+close. Under the switch the {@code java.net} rows are plain
 * TCP (it does not cover them); under the agent every row is MPTCP.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class ChannelOpenBench {
    @Setup(Level.Trial)
    public void check() throws IOException {
        Check.baseline();
    }

    @Benchmark
    public SocketChannel socketChannel() throws IOException {
        SocketChannel ch = SocketChannel.open();
        ch.close();
        return ch;
    }

    @Benchmark
    public ServerSocketChannel serverSocketChannel() throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        ch.close();
        return ch;
    }

    @Benchmark
    public int socket() throws IOException {
        try (Socket s = new Socket()) {
            return s.getReceiveBufferSize();
        }
    }

    @Benchmark
    public int serverSocket() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            return s.getReceiveBufferSize();
        }
    }
}
