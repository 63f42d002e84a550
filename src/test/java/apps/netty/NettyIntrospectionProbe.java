package apps.netty;

import io.github.mptcpnio.Mptcp;
import io.github.mptcpnio.MptcpInfo;
import io.github.mptcpnio.Subflow;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.UnixChannel;

import java.io.File;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Asks mptcp-nio about Netty epoll channels by descriptor ({@code Mptcp.isMultipath(int)}, {@code info(int)},
 * {@code subflows(int)}), on each channel's event loop, as its javadoc says. Prints one {@code key=value} line per
 * answer: the listener, the client and the accepted channel, a closed descriptor, a file that is no socket, a
 * negative number.
 */
public final class NettyIntrospectionProbe {
    public static void main(String[] args) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        try {
            CompletableFuture<Channel> accepted = new CompletableFuture<>();
            Channel server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            accepted.complete(ch);
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            Channel client = new Bootstrap().group(group).channel(EpollSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter()).connect(server.localAddress()).sync().channel();
            Channel child = accepted.get(10, TimeUnit.SECONDS);
            System.out.println("listener.multipath=" + onLoop(server, () -> Mptcp.isMultipath(fd(server))));
            for (Channel ch : List.of(client, child)) {
                String who = ch == client ? "client" : "accepted";
                System.out.println(who + ".multipath=" + onLoop(ch, () -> Mptcp.isMultipath(fd(ch))));
                Optional<MptcpInfo> info = onLoop(ch, () -> Mptcp.info(fd(ch)));
                System.out.println(who + ".info=" + info.map(i -> "subflows:" + i.subflows()).orElse("empty"));
                List<Subflow> subflows = onLoop(ch, () -> Mptcp.subflows(fd(ch)));
                System.out.println(who + ".subflows=" + subflows.size() + " " + (subflows.isEmpty() ? ""
                        : subflows.get(0).local() + "->" + subflows.get(0).remote()));
            }
            int closedFd = fd(client);
            client.close().sync();
            System.out.println("closed=" + outcome(() -> Mptcp.isMultipath(closedFd)));
            File file = File.createTempFile("probe", ".txt");
            file.deleteOnExit();
            FileDescriptor notSocket = FileDescriptor.from(file);
            try {
                System.out.println("file=" + outcome(() -> Mptcp.isMultipath(notSocket.intValue())));
            } finally {
                notSocket.close();
            }
            System.out.println("negative=" + outcome(() -> Mptcp.isMultipath(-1)));
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static int fd(Channel ch) {
        return ((UnixChannel) ch).fd().intValue();
    }

    private static <T> T onLoop(Channel ch, Callable<T> question) throws Exception {
        return ch.eventLoop().submit(question).get(10, TimeUnit.SECONDS);
    }

    private static String outcome(Callable<?> question) {
        try {
            return "answered " + question.call();
        } catch (ClosedChannelException e) {
            return "ClosedChannelException";
        } catch (Exception e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}
