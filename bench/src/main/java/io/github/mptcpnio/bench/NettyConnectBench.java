package io.github.mptcpnio.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark 2, Netty epoll row: per operation a Netty epoll client connects over loopback, sends one byte, waits for
 * the echo and closes; the Netty epoll server echoes the byte and closes. Microseconds per connection, as
 * {@link ConnectBench}. The set-up proves the listener's and a client's protocol for the baseline.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Benchmark)
public class NettyConnectBench {
    private EventLoopGroup group;
    private Channel server;
    private SocketAddress address;
    private Bootstrap client;

    @Setup(Level.Trial)
    public void start() throws Exception {
        Baseline b = Check.baseline();
        group = NettyEpoll.group(2);
        server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childHandler(new EchoAndClose()).bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        NettyEpoll.check(b, server);
        address = server.localAddress();
        client = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                .handler(new ChannelInboundHandlerAdapter());
        Channel probe = client.connect(address).sync().channel();
        NettyEpoll.check(b, probe);
        probe.close().sync();
    }

    /** The server's handler, one for every accepted channel. */
    @ChannelHandler.Sharable
    static final class EchoAndClose extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Benchmark
    public int connectEchoClose() throws Exception {
        CompletableFuture<Integer> echo = new CompletableFuture<>();
        ChannelHandler reader = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf buf = (ByteBuf) msg;
                echo.complete((int) buf.readByte());
                buf.release();
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                echo.completeExceptionally(new IOException("closed before the echo"));
            }
        };
        Channel c = client.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(reader);
            }
        }).connect(address).sync().channel();
        c.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {42}));
        int b = echo.get(10, TimeUnit.SECONDS);
        c.close().sync();
        return b;
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
