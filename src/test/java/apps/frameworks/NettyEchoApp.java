package apps.frameworks;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Netty 4.2 NIO transport: an echo server and {@code connections} echo clients, each sending one line and waiting for
 * it to come back. Prints {@code netty OK connections=N}.
 */
public final class NettyEchoApp {
    public static void main(String[] args) throws Exception {
        int connections = Integer.parseInt(args[0]);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        int status = 1;
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ctx.writeAndFlush(msg);
                                }
                            });
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            int ok = 0;
            for (int i = 0; i < connections; i++) {
                String message = "echo " + i;
                CompletableFuture<String> answer = new CompletableFuture<>();
                StringBuilder got = new StringBuilder();
                Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
                        .handler(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf buf = (ByteBuf) msg;
                                got.append(buf.toString(StandardCharsets.UTF_8));
                                buf.release();
                                if (got.length() >= message.length()) {
                                    answer.complete(got.toString());
                                }
                            }
                        }).connect(server.localAddress()).sync().channel();
                client.writeAndFlush(Unpooled.copiedBuffer(message, StandardCharsets.UTF_8));
                if (message.equals(answer.get(10, TimeUnit.SECONDS))) {
                    ok++;
                }
                client.close().sync();
            }
            server.close().sync();
            System.out.println("netty OK connections=" + ok);
            status = ok == connections ? 0 : 1;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        System.exit(status);
    }
}
