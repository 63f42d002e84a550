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
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@link TwoHostApp}'s {@code netty} method: the sender as a Netty 4.2 epoll client. Per transfer it connects (with
 * {@code SO_SNDBUF} set before connect for a fixed size), sends the method byte {@code r}, and for the given time its
 * event loop writes 256 KiB direct buffers whenever the channel is writable (as Netty applications stream); then it
 * shuts its output down and waits for the receiver's answer.
 */
final class NettySender {
    private NettySender() {}

    static void send(Baseline baseline, InetSocketAddress to, int bufferKib, byte[] data, double seconds, int reps)
            throws Exception {
        EventLoopGroup group = NettyEpoll.group(1);
        ByteBuf chunk = Unpooled.unreleasableBuffer(Unpooled.directBuffer(data.length).writeBytes(data));
        try {
            for (int rep = 0; rep < reps; rep++) {
                Streamer streamer = new Streamer(chunk);
                Bootstrap b = new Bootstrap().group(group).channel(EpollSocketChannel.class).handler(streamer);
                if (bufferKib > 0) {
                    b.option(ChannelOption.SO_SNDBUF, bufferKib << 10);
                }
                Channel ch = b.connect(to).sync().channel();
                NettyEpoll.check(baseline, ch);
                ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {'r'})).sync();
                ch.eventLoop().submit(() -> streamer.start(ch)).sync();
                Thread.sleep((long) (seconds * 1000));
                ch.eventLoop().submit(() -> streamer.streaming = false).sync();
                ch.writeAndFlush(Unpooled.EMPTY_BUFFER).sync(); // done once everything before it is written
                ((EpollSocketChannel) ch).shutdownOutput().sync();
                TwoHostApp.printAnswer(streamer.answer.get(60, TimeUnit.SECONDS));
                ch.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Writes while writable and streaming; collects the 16-byte answer. Used on the channel's event loop only. */
    private static final class Streamer extends ChannelInboundHandlerAdapter {
        private final ByteBuf chunk;
        final CompletableFuture<ByteBuffer> answer = new CompletableFuture<>();
        private final ByteBuffer got = ByteBuffer.allocate(TwoHostApp.ANSWER_BYTES);
        boolean streaming;

        Streamer(ByteBuf chunk) {
            this.chunk = chunk;
        }

        void start(Channel ch) {
            streaming = true;
            pump(ch);
        }

        private void pump(Channel ch) {
            while (streaming && ch.isWritable()) {
                ch.write(chunk.retainedSlice());
            }
            ch.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            pump(ctx.channel());
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            int n = Math.min(got.remaining(), buf.readableBytes());
            buf.readBytes(got.limit(got.position() + n));
            got.limit(TwoHostApp.ANSWER_BYTES);
            buf.release();
            if (!got.hasRemaining()) {
                answer.complete(got.flip());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            answer.completeExceptionally(new IOException("the receiver closed without an answer"));
        }
    }
}
