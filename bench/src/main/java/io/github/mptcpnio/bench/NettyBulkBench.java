package io.github.mptcpnio.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
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

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Benchmark 3, Netty epoll row: each operation moves {@code bytes} over one loopback connection of Netty's epoll
 * transport, the client writing 256 KiB direct buffers as fast as the channel stays writable, the server counting
 * what it reads; milliseconds per transfer, as {@link BulkBench}. One connection per fork, opened (and its protocol
 * checked) in the set-up.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 8)
@Fork(2)
@State(Scope.Benchmark)
public class NettyBulkBench {
    private static final int CHUNK = 256 << 10;

    @Param("1073741824")
    public long bytes;

    private EventLoopGroup group;
    private Channel server;
    private Channel sender;
    private final ByteBuf chunk = Unpooled.unreleasableBuffer(Unpooled.directBuffer(CHUNK).writeZero(CHUNK));
    /** The transfer now under way: bytes the server still expects, and what completes when they are in. */
    private final AtomicReference<Transfer> current = new AtomicReference<>();

    private static final class Transfer {
        long remaining;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Transfer(long bytes) {
            remaining = bytes;
        }
    }

    @Setup(Level.Trial)
    public void connect() throws Exception {
        Baseline b = Check.baseline();
        group = NettyEpoll.group(2);
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.complete(ch);
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf buf = (ByteBuf) msg;
                                Transfer t = current.get();
                                t.remaining -= buf.readableBytes();
                                buf.release();
                                if (t.remaining <= 0) {
                                    t.done.complete(null);
                                }
                            }
                        });
                    }
                }).bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        sender = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                        ctx.fireChannelWritabilityChanged();
                        pump(ctx.channel());
                    }
                }).connect(server.localAddress()).sync().channel();
        NettyEpoll.check(b, sender);
        NettyEpoll.check(b, accepted.get(10, TimeUnit.SECONDS));
    }

    /** What is left to send of the current transfer, written on the sender's event loop while writable. */
    private long toSend;

    private void pump(Channel ch) {
        while (toSend > 0 && ch.isWritable()) {
            int n = (int) Math.min(CHUNK, toSend);
            toSend -= n;
            ch.write(chunk.retainedSlice(0, n));
        }
        ch.flush();
    }

    @Benchmark
    public long transfer() throws Exception {
        Transfer t = new Transfer(bytes);
        current.set(t);
        sender.eventLoop().execute(() -> {
            toSend = bytes;
            pump(sender);
        });
        t.done.get(120, TimeUnit.SECONDS);
        return bytes;
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        sender.close().sync();
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
