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
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/** Benchmark 1: open and close an unconnected channel, client and server side; nanoseconds per open+close. */
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
}
