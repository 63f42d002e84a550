package apps.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.channel.unix.UnixChannelOption;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Every socket option an application sets on Netty's native channels, read and written through Netty's own
 * {@code ChannelConfig} on epoll or io_uring channels in five states, as {@code CompatibilityProbe} does for the JDK's
 * sockets: a listener before and after bind, a client before and after connect, an accepted channel. Prints one line
 * {@code <state> <GET|SET> <option> <outcome>} each, where the outcome is {@code ok}, {@code unsupported} (Netty
 * answers null/false: not an option of that channel) or the exception; plus {@code tcpInfo()} on epoll's connected
 * channels. Unmodified (no mptcp-nio class): run it plain and under the agent and compare. Exits 2 if io_uring is
 * asked for and unavailable.
 *
 * <p>A written value is the one read before; for an option that cannot be read, a value that keeps the socket as
 * it was (false, 0) or, for {@code TCP_MD5SIG}, one key for {@code 192.0.2.1}.
 *
 * <p>Arguments: {@code epoll|io_uring}.
 */
public final class NettyOptionsProbe {
    public static void main(String[] args) throws Exception {
        boolean epoll = args[0].equals("epoll");
        if (!epoll && !io.netty.channel.uring.IoUring.isAvailable()) {
            System.out.println("io_uring unavailable: " + io.netty.channel.uring.IoUring.unavailabilityCause());
            System.exit(2);
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory()
                : IoUringIoHandler.newFactory());
        Class<? extends ServerChannel> serverClass = epoll ? EpollServerSocketChannel.class
                : IoUringServerSocketChannel.class;
        Class<? extends Channel> clientClass = epoll ? EpollSocketChannel.class : IoUringSocketChannel.class;
        List<ChannelOption<?>> options = options(epoll);
        try {
            Channel unbound = serverClass.getConstructor().newInstance();
            group.register(unbound).sync();
            probe("listener_unbound", unbound, options);
            unbound.close().sync();

            CompletableFuture<Channel> accepted = new CompletableFuture<>();
            Channel listener = new ServerBootstrap().group(group).channel(serverClass)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            accepted.complete(ch);
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            probe("listener", listener, options);

            Channel fresh = clientClass.getConstructor().newInstance();
            group.register(fresh).sync();
            probe("client_unconnected", fresh, options);
            fresh.close().sync();

            Channel client = new Bootstrap().group(group).channel(clientClass)
                    .handler(new ChannelInboundHandlerAdapter()).connect(listener.localAddress()).sync().channel();
            Channel child = accepted.get(10, TimeUnit.SECONDS);
            probe("client_connected", client, options);
            probe("accepted", child, options);
            if (epoll) {
                System.out.println("client_connected CALL tcpInfo() "
                        + outcome(() -> ((EpollSocketChannel) client).tcpInfo()));
                System.out.println("accepted CALL tcpInfo() " + outcome(() -> ((EpollSocketChannel) child).tcpInfo()));
            }
            client.close().sync();
            listener.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    static List<ChannelOption<?>> options(boolean epoll) {
        List<ChannelOption<?>> o = new ArrayList<>(List.of(ChannelOption.SO_KEEPALIVE, ChannelOption.TCP_NODELAY,
                ChannelOption.SO_LINGER, ChannelOption.SO_RCVBUF, ChannelOption.SO_SNDBUF, ChannelOption.IP_TOS,
                ChannelOption.SO_REUSEADDR, ChannelOption.SO_BACKLOG, UnixChannelOption.SO_REUSEPORT));
        if (epoll) {
            o.addAll(List.of(EpollChannelOption.TCP_CORK, EpollChannelOption.TCP_NOTSENT_LOWAT,
                    EpollChannelOption.TCP_KEEPIDLE, EpollChannelOption.TCP_KEEPINTVL, EpollChannelOption.TCP_KEEPCNT,
                    EpollChannelOption.TCP_USER_TIMEOUT, EpollChannelOption.IP_FREEBIND,
                    EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, EpollChannelOption.IP_TRANSPARENT,
                    EpollChannelOption.TCP_FASTOPEN, EpollChannelOption.TCP_FASTOPEN_CONNECT,
                    EpollChannelOption.TCP_DEFER_ACCEPT, EpollChannelOption.TCP_QUICKACK,
                    EpollChannelOption.SO_BUSY_POLL, EpollChannelOption.TCP_MD5SIG));
        } else {
            o.addAll(List.of(IoUringChannelOption.TCP_CORK, IoUringChannelOption.TCP_NOTSENT_LOWAT,
                    IoUringChannelOption.TCP_KEEPIDLE, IoUringChannelOption.TCP_KEEPINTVL,
                    IoUringChannelOption.TCP_KEEPCNT, IoUringChannelOption.TCP_USER_TIMEOUT,
                    IoUringChannelOption.IP_FREEBIND, IoUringChannelOption.IP_TRANSPARENT,
                    IoUringChannelOption.TCP_FASTOPEN, IoUringChannelOption.TCP_DEFER_ACCEPT,
                    IoUringChannelOption.TCP_QUICKACK));
        }
        return o;
    }

    /** Reads, then writes, every option on the channel's event loop (where Netty applications set them). */
    static void probe(String state, Channel ch, List<ChannelOption<?>> options) throws Exception {
        Map<String, String> lines = ch.eventLoop().submit(() -> {
            Map<String, String> out = new LinkedHashMap<>();
            ChannelConfig config = ch.config();
            for (ChannelOption<?> option : options) {
                Object[] read = new Object[1];
                out.put("GET " + simpleName(option), outcome(() -> {
                    read[0] = config.getOption(option);
                    return read[0] == null ? "unsupported" : "ok";
                }));
                if (option == ChannelOption.SO_BACKLOG && !state.startsWith("listener")) {
                    continue; // Netty keeps it in the config, no system call
                }
                out.put("SET " + simpleName(option), outcome(() -> set(config, option,
                        read[0] != null ? read[0] : fallbackValue(option)) ? "ok" : "unsupported"));
            }
            return out;
        }).get(10, TimeUnit.SECONDS);
        lines.forEach((k, v) -> System.out.println(state + " " + k + " " + v));
    }

    @SuppressWarnings("unchecked")
    private static <T> boolean set(ChannelConfig config, ChannelOption<T> option, Object value) {
        return config.setOption(option, (T) value);
    }

    private static final List<String> BOOLEANS = List.of("SO_KEEPALIVE", "TCP_NODELAY", "SO_REUSEADDR",
            "SO_REUSEPORT", "TCP_CORK", "IP_FREEBIND", "IP_BIND_ADDRESS_NO_PORT", "IP_TRANSPARENT",
            "TCP_FASTOPEN_CONNECT", "TCP_QUICKACK");

    /** The option's simple name: Netty names some {@code EpollChannelOption#TCP_CORK}. */
    static String simpleName(ChannelOption<?> option) {
        return option.name().substring(option.name().indexOf('#') + 1);
    }

    private static Object fallbackValue(ChannelOption<?> option) throws Exception {
        String name = simpleName(option);
        if (name.equals("TCP_MD5SIG")) {
            return Map.of(InetAddress.getByName("192.0.2.1"), "mptcp-nio".getBytes());
        }
        if (name.equals("TCP_NOTSENT_LOWAT")) {
            return 0L;
        }
        return BOOLEANS.contains(name) ? (Object) Boolean.FALSE : (Object) 0;
    }

    private static String outcome(Callable<?> action) {
        try {
            Object r = action.call();
            return r instanceof String ? (String) r : "ok";
        } catch (Exception e) {
            String m = e.getMessage();
            Throwable cause = e.getCause();
            return e.getClass().getName() + ": " + (m != null ? m : cause != null ? cause.toString() : "");
        }
    }
}
