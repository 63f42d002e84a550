package io.github.mptcpnio;

import io.github.mptcpnio.internal.JdkShim;
import io.github.mptcpnio.internal.provider.Reseater;
import io.github.mptcpnio.internal.provider.Reseater.Kind;
import io.github.mptcpnio.internal.Settings;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;

/**
 * A {@link SelectorProvider} that gives every TCP channel an MPTCP socket. Install it JVM-wide with
 * {@code -Djava.nio.channels.spi.SelectorProvider=io.github.mptcpnio.MptcpSelectorProvider}.
 *
 * <p>Every method delegates to the JDK's own provider. The four socket-channel factories then re-seat the new
 * channel's descriptor as an MPTCP socket of the same family before returning it, so the application receives the
 * JDK's own channel classes (selectors, virtual threads, interrupts and socket adaptors behave exactly as in the
 * JDK). {@code UNIX} channels, datagram channels, pipes and selectors are not changed. The channels' own
 * {@code provider()} is the JDK's provider, as it would be without this class.
 *
 * @since 0.1.0
 */
public final class MptcpSelectorProvider extends SelectorProvider {
    private final Reseater reseater;

    /**
     * Validates {@code mptcp.nio.mode} and {@code mptcp.nio.strict}. Does no I/O, loads nothing native and logs
     * nothing; MPTCP availability is probed when the first channel is opened.
     *
     * @throws IllegalArgumentException if a property has an invalid value, naming property, value and the
     *         allowed values
     * @since 0.1.0
     */
    public MptcpSelectorProvider() {
        this.reseater = new Reseater(Settings.fromSystemProperties());
    }

    private static SelectorProvider platform() {
        return JdkShim.platformProvider();
    }

    private static boolean isIp(ProtocolFamily family) {
        return family == StandardProtocolFamily.INET || family == StandardProtocolFamily.INET6;
    }

    /**
     * Opens a JDK datagram channel, unchanged.
     *
     * @since 0.1.0
     */
    @Override
    public DatagramChannel openDatagramChannel() throws IOException {
        return platform().openDatagramChannel();
    }

    /**
     * Opens a JDK datagram channel of the given family, unchanged.
     *
     * @since 0.1.0
     */
    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
        return platform().openDatagramChannel(family);
    }

    /**
     * Opens a JDK pipe, unchanged.
     *
     * @since 0.1.0
     */
    @Override
    public Pipe openPipe() throws IOException {
        return platform().openPipe();
    }

    /**
     * Opens the JDK's selector, which accepts every channel this provider returns.
     *
     * @since 0.1.0
     */
    @Override
    public AbstractSelector openSelector() throws IOException {
        return platform().openSelector();
    }

    /**
     * Opens a JDK server socket channel whose descriptor is an MPTCP listener (unless {@code mptcp.nio.mode}
     * excludes listeners or MPTCP is unavailable).
     *
     * @throws IOException as the JDK would, or in strict mode when MPTCP is refused
     * @since 0.1.0
     */
    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        reseater.preload();
        return reseater.upgrade(platform().openServerSocketChannel(), Kind.SERVER);
    }

    /**
     * Opens a JDK server socket channel of the given family: MPTCP for {@code INET} and {@code INET6},
     * unchanged for {@code UNIX}.
     *
     * @throws IOException as the JDK would, or in strict mode when MPTCP is refused
     * @since 0.1.0
     */
    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        if (isIp(family)) {
            reseater.preload();
        }
        ServerSocketChannel channel = platform().openServerSocketChannel(family);
        return isIp(family) ? reseater.upgrade(channel, Kind.of(true, family)) : channel;
    }

    /**
     * Opens a JDK socket channel whose descriptor is an MPTCP socket (unless {@code mptcp.nio.mode} excludes
     * clients or MPTCP is unavailable).
     *
     * @throws IOException as the JDK would, or in strict mode when MPTCP is refused
     * @since 0.1.0
     */
    @Override
    public SocketChannel openSocketChannel() throws IOException {
        reseater.preload();
        return reseater.upgrade(platform().openSocketChannel(), Kind.SOCKET);
    }

    /**
     * Opens a JDK socket channel of the given family: MPTCP for {@code INET} and {@code INET6}, unchanged for
     * {@code UNIX}.
     *
     * @throws IOException as the JDK would, or in strict mode when MPTCP is refused
     * @since 0.1.0
     */
    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        if (isIp(family)) {
            reseater.preload();
        }
        SocketChannel channel = platform().openSocketChannel(family);
        return isIp(family) ? reseater.upgrade(channel, Kind.of(false, family)) : channel;
    }

    /**
     * The JDK's inherited channel, unchanged.
     *
     * @since 0.1.0
     */
    @Override
    public Channel inheritedChannel() throws IOException {
        return platform().inheritedChannel();
    }
}
