package apps.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.util.Version;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Netty's native transports, unmodified: an echo server and {@code connections} echo clients on epoll (Netty 4.1 or
 * 4.2: only API both have) or io_uring (4.2), over {@code host}. Each client sends a line and waits for it to come
 * back. Prints the Netty version, the channel classes, the protocol of each socket as the kernel reports it
 * ({@code SO_PROTOCOL}, through Netty's own {@code IntegerUnixChannelOption}: 6 TCP, 262 MPTCP), then
 * {@code netty-native OK connections=N}; exits 2 if the transport is not available.
 *
 * <p>Arguments: {@code epoll|io_uring connections [host]}.
 */
public final class NativeEchoApp {
    static final IntegerUnixChannelOption SO_PROTOCOL = new IntegerUnixChannelOption("SO_PROTOCOL", 1, 38);

    public static void main(String[] args) throws Exception {
        String transport = args[0];
        int connections = Integer.parseInt(args[1]);
        String host = args.length > 2 ? args[2] : "127.0.0.1";
        System.out.println("netty=" + Version.identify().get("netty-transport").artifactVersion());
        Transport t = transport.equals("io_uring") ? IoUring.transport() : epoll();
        if (t == null) {
            System.exit(2);
        }
        int status = 1;
        try {
            Channel server = new ServerBootstrap().group(t.group).channel(t.server)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ctx.writeAndFlush(msg);
                                }
                            });
                        }
                    }).bind(new InetSocketAddress(host, 0)).sync().channel();
            System.out.println("server=" + server.getClass().getSimpleName() + " protocol="
                    + server.config().getOption(SO_PROTOCOL));
            int ok = 0;
            TreeSet<String> clientProtocols = new TreeSet<>();
            String clientClass = null;
            for (int i = 0; i < connections; i++) {
                String message = "echo " + i;
                CompletableFuture<String> answer = new CompletableFuture<>();
                StringBuilder got = new StringBuilder();
                Channel client = new Bootstrap().group(t.group).channel(t.client)
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
                clientClass = client.getClass().getSimpleName();
                clientProtocols.add(String.valueOf(client.config().getOption(SO_PROTOCOL)));
                client.writeAndFlush(Unpooled.copiedBuffer(message, StandardCharsets.UTF_8));
                if (message.equals(answer.get(10, TimeUnit.SECONDS))) {
                    ok++;
                }
                client.close().sync();
            }
            server.close().sync();
            System.out.println("client=" + clientClass + " protocols=" + String.join(",", clientProtocols));
            AgentView.printKinds();
            System.out.println("netty-native OK connections=" + ok);
            status = ok == connections ? 0 : 1;
        } finally {
            t.group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        System.exit(status);
    }

    static final class Transport {
        final EventLoopGroup group;
        final Class<? extends ServerChannel> server;
        final Class<? extends Channel> client;

        Transport(EventLoopGroup group, Class<? extends ServerChannel> server, Class<? extends Channel> client) {
            this.group = group;
            this.server = server;
            this.client = client;
        }
    }

    @SuppressWarnings("deprecation") // EpollEventLoopGroup: the API Netty 4.1 and 4.2 share
    private static Transport epoll() {
        if (!Epoll.isAvailable()) {
            System.out.println("epoll unavailable: " + Epoll.unavailabilityCause());
            return null;
        }
        return new Transport(new EpollEventLoopGroup(2), EpollServerSocketChannel.class, EpollSocketChannel.class);
    }

    /** Netty 4.2's io_uring, in a class of its own so that Netty 4.1 never loads it. */
    static final class IoUring {
        static Transport transport() {
            if (!io.netty.channel.uring.IoUring.isAvailable()) {
                System.out.println("io_uring unavailable: " + io.netty.channel.uring.IoUring.unavailabilityCause());
                return null;
            }
            return new Transport(new io.netty.channel.MultiThreadIoEventLoopGroup(2,
                    io.netty.channel.uring.IoUringIoHandler.newFactory()),
                    io.netty.channel.uring.IoUringServerSocketChannel.class,
                    io.netty.channel.uring.IoUringSocketChannel.class);
        }
    }

}
