package io.github.mptcpnio.bench;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.IntegerUnixChannelOption;

/**
 * Netty 4.2's epoll transport for the Netty benchmarks: its event loops, and the proof that a channel runs the
 * protocol its baseline says. The switch does not reach Netty's native transports (their sockets are created in
 * Netty's JNI), so only jdk, mptcpize and the agent are measured.
 */
final class NettyEpoll {
    private NettyEpoll() {}

    /** {@code SO_PROTOCOL} through Netty's own option: 6 TCP, 262 MPTCP. */
    static final IntegerUnixChannelOption SO_PROTOCOL = new IntegerUnixChannelOption("SO_PROTOCOL", 1, 38);

    static EventLoopGroup group(int threads) {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("Netty epoll unavailable", Epoll.unavailabilityCause());
        }
        return new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
    }

    /** Fails unless the kernel reports the channel's socket as MPTCP exactly when the baseline is. */
    static void check(Baseline b, Channel channel) {
        int protocol = channel.config().getOption(SO_PROTOCOL);
        if ((protocol == 262) != b.mptcp) {
            throw new IllegalStateException(b.label + ": Netty epoll channel " + channel + " has protocol "
                    + protocol);
        }
    }
}
