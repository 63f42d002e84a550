package io.github.mptcpnio.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@link DecideApp}'s Netty rows, measured the same way (median of blocks after a warm-up): a Netty 4.2 epoll client
 * against the same loopback echo server, the way a Netty application connects — set-up (connect, 1-byte echo, close),
 * bulk (256 KiB buffers written whenever the channel is writable, then the output shut down and the server's 1-byte
 * answer awaited) and 1-byte round trips. Every channel's protocol is checked against the baseline
 * ({@link NettyEpoll#check}).
 */
final class DecideNetty implements AutoCloseable {
    private final EventLoopGroup group;
    private final Bootstrap boot;
    private final Baseline baseline;
    private final InetSocketAddress to;
    private final int count;
    private final long bulk;
    private final int trips;

    DecideNetty(InetSocketAddress to, int count, long bulk, int trips) throws Exception {
        this.baseline = Check.baseline(false);
        this.group = NettyEpoll.group(1);
        this.boot = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true);
        this.to = to;
        this.count = count;
        this.bulk = bulk;
        this.trips = trips;
    }

    /** Adds the Netty blocks ({@code netty.us}, {@code netty.mbps}, {@code netty.rtt.us}) to {@code blocks}. */
    void blocks(Map<String, DecideApp.Block> blocks) {
        blocks.put("netty.us", () -> connects(boot, to, count, baseline));
        blocks.put("netty.mbps", () -> bulk(boot, to, bulk, baseline));
        blocks.put("netty.rtt.us", () -> roundTrips(boot, to, trips, baseline));
    }

    @Override
    public void close() throws InterruptedException {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** Microseconds per connection. */
    private static double connects(Bootstrap boot, InetSocketAddress to, int n, Baseline b) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Bytes in = new Bytes();
            Channel c = boot.clone().handler(in).connect(to).sync().channel();
            if (i == 0) {
                NettyEpoll.check(b, c);
            }
            c.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
            DecideApp.expect(in.next(), 1);
            c.close().sync();
        }
        return (System.nanoTime() - start) / 1e3 / n;
    }

    /** MB/s (10^6 bytes) of one transfer: writes for {@code nanos}, then until the receiver has drained it all. */
    private static double bulk(Bootstrap boot, InetSocketAddress to, long nanos, Baseline b) throws Exception {
        ByteBuf chunk = Unpooled.unreleasableBuffer(Unpooled.directBuffer(256 * 1024).writeZero(256 * 1024));
        long start = System.nanoTime();
        long bytes = 0;
        Bytes in = new Bytes();
        EpollSocketChannel c = (EpollSocketChannel) boot.clone().handler(in).connect(to).sync().channel();
        NettyEpoll.check(b, c);
        c.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {2}));
        for (; System.nanoTime() - start < nanos; bytes += chunk.capacity()) {
            if (!c.isWritable()) {
                c.writeAndFlush(chunk.retainedSlice()).sync(); // waits until the socket took what was queued
            } else {
                c.write(chunk.retainedSlice());
            }
        }
        c.writeAndFlush(Unpooled.EMPTY_BUFFER).sync();
        c.shutdownOutput().sync();
        DecideApp.expect(in.next(), 2);
        c.close().sync();
        return bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
    }

    /** Median microseconds of {@code n} 1-byte round trips on one connection. */
    private static double roundTrips(Bootstrap boot, InetSocketAddress to, int n, Baseline b) throws Exception {
        long[] nanos = new long[n];
        Bytes in = new Bytes();
        Channel c = boot.clone().handler(in).connect(to).sync().channel();
        NettyEpoll.check(b, c);
        c.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {3}));
        DecideApp.expect(in.next(), 3);
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            c.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {(byte) i}));
            DecideApp.expect(in.next(), i & 0xff);
            nanos[i] = System.nanoTime() - t;
        }
        c.close().sync();
        return DecideApp.median(nanos) / 1e3;
    }

    /** Hands the bytes a channel reads to the benchmark's thread, one at a time. */
    private static final class Bytes extends ChannelInboundHandlerAdapter {
        private final BlockingQueue<Integer> queue = new LinkedBlockingQueue<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            while (buf.isReadable()) {
                queue.add((int) buf.readUnsignedByte());
            }
            buf.release();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            queue.add(-1);
        }

        int next() throws Exception {
            Integer v = queue.poll(30, TimeUnit.SECONDS);
            if (v == null) {
                throw new IOException("no byte within 30 s");
            }
            return v;
        }
    }
}
