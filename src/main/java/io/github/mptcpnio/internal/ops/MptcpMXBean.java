package io.github.mptcpnio.internal.ops;

import java.util.List;
import java.util.Map;

/**
 * The JMX view of mptcp-nio in a running JVM, registered as {@value Registration#NAME}. An MXBean: every attribute is
 * an open type (simple values, {@code CompositeData}, {@code TabularData}), so JConsole, VisualVM or any JMX exporter
 * shows it without this library on its class path. The connection attributes are computed when read.
 */
public interface MptcpMXBean {
    /** "available", or the reason MPTCP is not (the same text as the one line at start-up). */
    String getAvailability();

    /** {@code mptcp.nio.mode}: both, server, client. */
    String getMode();

    /** {@code mptcp.nio.strict}. */
    boolean isStrict();

    /** How this JVM got mptcp-nio: the agent (in place, or through the provider only) or the switch. */
    String getLaunchMode();

    /**
     * The agent's rules in the order they are tried, each with its protocol: the mode's, the user's
     * ({@code mptcp.nio.rules}), the defaults ({@code default "client loopback tcp" -> TCP}); empty under the switch.
     */
    List<String> getRules();

    /** How many sockets each rule decided (clients at their connect, listeners at their bind), in rule order. */
    Map<String, Long> getDecisionsByRule();

    /** Listening sockets made MPTCP since start (under the agent at their bind, under the switch at creation). */
    long getCreatedAsMptcpListeners();

    /**
     * Client sockets created as MPTCP since start (an accepted socket is not created but handed out by its listener,
     * and is MPTCP when the listener is).
     */
    long getCreatedAsMptcpClients();

    /**
     * Sockets created as MPTCP since start, by kind: {@code Socket}, {@code ServerSocket}, {@code SocketChannel},
     * {@code ServerSocketChannel}, {@code AsynchronousSocketChannel}, {@code AsynchronousServerSocketChannel} (and
     * "unknown client/listener" where a JDK class did not have the shape the agent marks).
     */
    Map<String, Long> getCreatedAsMptcpByKind();

    /**
     * Sockets left on TCP at creation since start, by "kind: reason" (an {@code Unavailability} reason, or the
     * refusal).
     */
    Map<String, Long> getFallbacksAtCreation();

    /**
     * Netty {@code TCP_USER_TIMEOUT} settings on MPTCP sockets that the kernel refused and the agent let succeed
     * without effect (see the agent's WARNING).
     */
    long getUserTimeoutsNotApplied();

    /** This JVM's MPTCP sockets now (listeners included). */
    int getLiveMptcpSockets();

    /** This JVM's connections that were created as MPTCP and fell back to TCP (the peer or a middlebox). */
    int getLiveFallenBack();

    /** This JVM's MPTCP sockets now, each with its subflows. */
    List<ConnectionView> getConnections();
}
