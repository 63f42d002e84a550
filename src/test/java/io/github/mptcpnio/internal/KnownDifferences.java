package io.github.mptcpnio.internal;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one table of what an application can observe differently on an MPTCP socket than on the JDK's TCP socket,
 * under the switch and under the agent, each with the kernel behaviour behind it. {@code CompatibilityIT} measures
 * every socket option, operation, socket state, family and kind in forked JVMs — a plain one, and one per launch mode
 * — and fails if an entry here does not occur (stale) or a difference occurs that is not here (unlisted).
 * {@code docs/compatibility.md} is generated from this table.
 *
 * <p>Fallen-back connections are measured too ({@link State#CLIENT_FALLEN_BACK}, {@link State#ACCEPTED_FROM_TCP}):
 * a socket that was created as MPTCP stays an MPTCP socket after its connection fell back, and keeps some of its
 * differences.
 */
public final class KnownDifferences {
    private KnownDifferences() {}

    /** The kernel the table was measured on. */
    public static final String MEASURED_ON = "Linux 6.18 (x86_64), JDK 17.0.15 and Temurin 25.0.3";

    /** How MPTCP was switched on in the measured JVM. */
    public enum LaunchMode { SWITCH, AGENT }

    /** What is done with an option. */
    public enum Operation { GET, SET }

    /**
     * The states a channel is measured in. {@code CLIENT_FALLEN_BACK}: an MPTCP client connected to a plain TCP
     * listener, so the kernel fell back to TCP for the connection; {@code ACCEPTED_FROM_TCP}: what an MPTCP listener
     * accepted from a plain TCP client (the kernel hands out a plain TCP socket).
     */
    public enum State {
        LISTENER_UNBOUND, LISTENER, CLIENT_UNCONNECTED, CLIENT_CONNECTED, ACCEPTED, CLIENT_FALLEN_BACK,
        ACCEPTED_FROM_TCP
    }

    /**
     * The two kinds of socket an application has: {@code CHANNEL}, a {@code SocketChannel}/{@code ServerSocketChannel}
     * and its socket adaptor ({@code channel.socket()}); {@code SOCKET}, a {@code java.net.Socket}/{@code ServerSocket}
     * of its own ({@code new Socket()}). The switch converts only channels; the agent converts both.
     */
    public enum Kind { CHANNEL, SOCKET }

    /** The address families measured. */
    public enum Family { INET, INET6 }

    /** The subject of the row a {@code DifferentialIT} model needs by name: an abort into a small window. */
    public static final String SMALL_WINDOW_ABORT =
            "read after the peer's abortive close, the reader's receive buffer sized before its connect";

    /**
     * One difference.
     *
     * @param subject     the option name ({@code SocketOption.name()}) or the operation, e.g. {@code sendUrgentData}
     * @param operation   GET or SET for options; null for other operations
     * @param states      where it occurs
     * @param families    for which families
     * @param kinds       for which kinds of socket (the switch converts only {@link Kind#CHANNEL})
     * @param jdk         what the application observes on the JDK's TCP socket
     * @param underSwitch what it observes under the switch; null where the switch shows no difference
     * @param underAgent  what it observes under the agent; null where the agent shows no difference
     * @param kernel      the kernel behaviour behind it
     * @param application what an unmodified application sees, and our decision about it
     */
    public record Difference(String subject, Operation operation, Set<State> states, Set<Family> families,
                             Set<Kind> kinds, String jdk, String underSwitch, String underAgent, String kernel,
                             String application) {
        /** What the application observes in {@code mode}; null where it shows no difference there. */
        public String observed(LaunchMode mode) {
            return mode == LaunchMode.SWITCH ? underSwitch : underAgent;
        }

        /**
         * The states where {@code mode} shows it: under the agent a socket is plain TCP until the rules decide at
         * its connect or bind, so never in {@link #BEFORE_DECISION}.
         */
        public Set<State> states(LaunchMode mode) {
            Set<State> s = EnumSet.copyOf(states);
            if (mode == LaunchMode.AGENT) {
                s.removeAll(BEFORE_DECISION);
            }
            return s;
        }

        /** The kinds of socket {@code mode} converts, of those this difference is about. */
        public Set<Kind> kinds(LaunchMode mode) {
            Set<Kind> k = EnumSet.copyOf(kinds);
            if (mode == LaunchMode.SWITCH) {
                k.retainAll(EnumSet.of(Kind.CHANNEL));
            }
            return k;
        }
    }

    /** The states before the agent's rules decide (at connect, at bind): its sockets are plain TCP there. */
    public static final Set<State> BEFORE_DECISION = EnumSet.of(State.LISTENER_UNBOUND, State.CLIENT_UNCONNECTED);

    /** Every state of a channel that is MPTCP end to end (not fallen back). */
    private static final Set<State> ALL = EnumSet.range(State.LISTENER_UNBOUND, State.ACCEPTED);
    private static final Set<State> SOCKETS = EnumSet.of(State.CLIENT_UNCONNECTED, State.CLIENT_CONNECTED,
            State.ACCEPTED);
    private static final Set<State> CONNECTED = EnumSet.of(State.CLIENT_CONNECTED, State.ACCEPTED);
    /** SOL_SOCKET options: mptcp_setsockopt() handles them before it looks for a fallback. */
    private static final Set<State> SOCKETS_AND_FALLEN_BACK = EnumSet.of(State.CLIENT_UNCONNECTED,
            State.CLIENT_CONNECTED, State.ACCEPTED, State.CLIENT_FALLEN_BACK);
    private static final Set<State> CONNECTED_AND_FALLEN_BACK = EnumSet.of(State.CLIENT_CONNECTED, State.ACCEPTED,
            State.CLIENT_FALLEN_BACK);
    private static final Set<Family> BOTH = EnumSet.allOf(Family.class);
    private static final Set<Kind> EVERY_KIND = EnumSet.allOf(Kind.class);
    private static final Set<Kind> CHANNELS = EnumSet.of(Kind.CHANNEL);
    private static final Set<Kind> SOCKETS_OF_THEIR_OWN = EnumSet.of(Kind.SOCKET);
    private static final Set<State> CONNECTED_AND_CLIENT_FALLEN_BACK = EnumSet.of(State.CLIENT_CONNECTED,
            State.CLIENT_FALLEN_BACK);
    private static final String URGENT_REFUSED = "send java.net.SocketException: Urgent data is not sent on MPTCP "
            + "sockets: the kernel would deliver it in-band, as a byte of the stream (mptcp-nio agent; keep this side "
            + "on TCP with mptcp.nio.mode to send urgent data), peer reads \"abc\"";

    public static final String NOT_SUPPORTED = "java.net.SocketException: Operation not supported";
    public static final String INVALID = "java.net.SocketException: Invalid argument";

    public static final List<Difference> TABLE = List.of(
        new Difference("TCP_QUICKACK", Operation.GET, ALL, BOTH, EVERY_KIND, "ok", NOT_SUPPORTED, NOT_SUPPORTED,
            "net/mptcp/sockopt.c: mptcp_getsockopt_sol_tcp() has no TCP_QUICKACK case and returns EOPNOTSUPP.",
            "getOption(ExtendedSocketOptions.TCP_QUICKACK) throws SocketException. Left as is: the kernel decides; "
                + "neither the JDK nor we can read the option from an MPTCP socket."),
        new Difference("TCP_QUICKACK", Operation.SET, ALL, BOTH, EVERY_KIND, "ok",
            "java.lang.UnsupportedOperationException: unsupported socket option",
            "java.lang.UnsupportedOperationException: unsupported socket option",
            "TCP_QUICKACK is on mptcp_supported_sockopt()'s list but mptcp_setsockopt_sol_tcp() does not implement "
                + "it: ENOPROTOOPT, which the JDK's Linux ExtendedSocketOptions turns into "
                + "UnsupportedOperationException.",
            "setOption(ExtendedSocketOptions.TCP_QUICKACK) throws UnsupportedOperationException, a RuntimeException: "
                + "code that catches only IOException around setOption fails here."),
        new Difference("IP_TOS", Operation.GET, SOCKETS, EnumSet.of(Family.INET6), CHANNELS, "ok", NOT_SUPPORTED,
            NOT_SUPPORTED,
            "On an AF_INET6 socket the JDK reads IPV6_TCLASS; mptcp_getsockopt() has no SOL_IPV6 handler "
                + "(EOPNOTSUPP). IPv4 channels use IP_TOS, which MPTCP implements. After a fallback the option "
                + "reaches the TCP subflow and works.",
            "getOption(StandardSocketOptions.IP_TOS) throws on IPv6 (dual-stack) MPTCP channels."),
        new Difference("IP_TOS", Operation.SET, SOCKETS, EnumSet.of(Family.INET6), CHANNELS, "ok", NOT_SUPPORTED,
            NOT_SUPPORTED,
            "mptcp_setsockopt_v6() implements only IPV6_V6ONLY, IPV6_TRANSPARENT and IPV6_FREEBIND; IPV6_TCLASS "
                + "returns EOPNOTSUPP.",
            "setOption(IP_TOS) / socket().setTrafficClass throw on IPv6 MPTCP channels. Left as is: ignoring the "
                + "call would silently send with the wrong traffic class."),
        new Difference("IP_TOS", Operation.GET, ALL, BOTH, SOCKETS_OF_THEIR_OWN, "ok", null, NOT_SUPPORTED,
            "A java.net.Socket or ServerSocket is an AF_INET6 socket whenever the JDK has IPv6, also for IPv4 "
                + "addresses, so the JDK reads IPV6_TCLASS, which mptcp_getsockopt() does not handle (EOPNOTSUPP).",
            "Under the agent, Socket.getTrafficClass / getOption(IP_TOS) throw on MPTCP sockets of both families "
                + "(the switch leaves java.net sockets on TCP)."),
        new Difference("IP_TOS", Operation.SET, ALL, BOTH, SOCKETS_OF_THEIR_OWN, "ok", null, NOT_SUPPORTED,
            "As for the get: IPV6_TCLASS on the AF_INET6 MPTCP socket returns EOPNOTSUPP.",
            "Under the agent, Socket.setTrafficClass / setOption(IP_TOS) throw on MPTCP sockets. Left as is: "
                + "ignoring the call would silently send with the wrong traffic class; an application that needs "
                + "it keeps that side on TCP (mptcp.nio.mode)."),
        new Difference("SO_OOBINLINE", Operation.SET, SOCKETS_AND_FALLEN_BACK, BOTH, EVERY_KIND, "ok",
            NOT_SUPPORTED, null,
            "mptcp_setsockopt_sol_socket() rejects SO_OOBINLINE with EOPNOTSUPP (\"not supported, let's avoid the "
                + "related mess\"), even to set the default false. mptcp_setsockopt() dispatches SOL_SOCKET options "
                + "before it checks for a fallback, so a fallen-back connection rejects it too.",
            "Under the switch, socket().setOOBInline(false) throws, which breaks Undertow/XNIO (it calls it on every "
                + "accepted socket; workaround mode=client). The agent defuses it: a request for the default "
                + "(false) on an MPTCP socket succeeds without a system call (FrameworksIT: Undertow under the agent)."
                + " The value set here is the default; setOOBInline(true) still throws in both modes."),
        new Difference("setOOBInline(true)", null, SOCKETS_AND_FALLEN_BACK, BOTH, EVERY_KIND, "ok", NOT_SUPPORTED,
            NOT_SUPPORTED,
            "As for false: mptcp_setsockopt_sol_socket() rejects SO_OOBINLINE with EOPNOTSUPP, also after a fallback.",
            "setOOBInline(true) / setOption(SO_OOBINLINE, true) throws in both launch modes: MPTCP cannot deliver "
                + "urgent data in-band as it was sent (it has none), and pretending would be a silent wrong result. "
                + "Found by DifferentialIT under the agent."),
        new Difference("SO_REUSEADDR", Operation.SET, CONNECTED_AND_FALLEN_BACK, BOTH, EVERY_KIND, "ok", INVALID,
            INVALID,
            "SO_REUSEADDR/SO_REUSEPORT are applied to the MPTCP socket's first subflow, which only exists before "
                + "connect/listen; on a connected or accepted MPTCP socket the kernel returns EINVAL. As a SOL_SOCKET "
                + "option it takes that path after a fallback too.",
            "setOption(SO_REUSEADDR) / setReuseAddress after connect/accept throws; before bind (where it matters) "
                + "it works."),
        new Difference("SO_REUSEPORT", Operation.SET, CONNECTED_AND_FALLEN_BACK, BOTH, EVERY_KIND, "ok", INVALID,
            INVALID,
            "As SO_REUSEADDR: applied to the first subflow, EINVAL once connected.",
            "setOption(SO_REUSEPORT) after connect/accept throws; before bind it works."),
        new Difference("write after the peer closed", null, EnumSet.of(State.CLIENT_CONNECTED), BOTH, EVERY_KIND,
            "first ok, second fails (Broken pipe)", "first ok, second ok", "first ok, second ok",
            "After the peer closed, TCP answers the first write with a RST and the next write fails with EPIPE. On "
                + "MPTCP the peer's RST resets only the subflow: net/mptcp/protocol.c __mptcp_error_report() "
                + "passes a subflow's error to the MPTCP socket \"only ... on fallen-back sockets or on MPC "
                + "connect\", so a fully established MPTCP socket keeps accepting writes (measured: six writes over "
                + "300 ms) until the connection itself is torn down.",
            "An application that detects a dead peer by a failing write notices it later on MPTCP; reads still see "
                + "EOF at once. Left to the kernel: failing a write the kernel accepted would need a guess. Found by "
                + "DifferentialIT (writesTowardsAClosedPeer)."),
        new Difference("write after the peer shut down both directions", null, EnumSet.of(State.CLIENT_CONNECTED),
            BOTH, EVERY_KIND, "first ok, second fails (Broken pipe)", "first ok, second ok", "first ok, second ok",
            "A TCP peer in FIN_WAIT with its receive side shut down answers data with a RST, so the writer's next "
                + "write fails with EPIPE; on MPTCP that RST resets only the subflow, which __mptcp_error_report() "
                + "does not pass on to an established MPTCP socket (as for a closed peer; measured: six writes over "
                + "300 ms).",
            "As for a closed peer: the writer learns later that nobody reads. Found by DifferentialIT "
                + "(writesTowardsAPeerThatShutDownBothWays)."),
        new Difference("read after the peer shut down output, then closed with unread data", null,
            EnumSet.of(State.CLIENT_CONNECTED), BOTH, EVERY_KIND, "-1", "java.net.SocketException",
            "java.net.SocketException",
            "TCP sends the FIN at shutdownOutput and the RST at close, so the reader sees EOF first. MPTCP: "
                + "__mptcp_close() answers unread data with \"the MPTCP equivalent of TCP reset, aka MPTCP "
                + "fastclose\" (mptcp_do_fastclose()), and the reader's mptcp_check_fastclose() \"mirror[s] the "
                + "tcp_reset() error propagation\": it sets sk_err and moves the socket to CLOSE at once, so the "
                + "read fails instead of returning the pending end of stream.",
            "The peer that still had data to send sees 'Connection reset' instead of a clean EOF (10 of 10 trials). "
                + "DifferentialIT, which found it, sees the same whenever a side closes with unread data "
                + "(also without shutdownOutput, and after shutdownInput); measured here in its canonical form."),
        keepAliveBeforeConnect("TCP_KEEPIDLE"), keepAliveBeforeConnect("TCP_KEEPINTERVAL"),
        keepAliveBeforeConnect("TCP_KEEPCOUNT"),
        new Difference("read after the peer shut down output, then closed abortively (SO_LINGER 0)", null,
            EnumSet.of(State.CLIENT_CONNECTED), BOTH, EVERY_KIND, "-1", "java.net.SocketException",
            "java.net.SocketException",
            "TCP sends the FIN at shutdownOutput and the RST at the abortive close; the reader has the FIN queued and "
                + "reads its end of stream first. An abortive close of an MPTCP socket is an MPTCP fastclose "
                + "(MP_FASTCLOSE and a reset on every subflow), which the reader's mptcp_check_fastclose() turns into "
                + "sk_err and CLOSE at once, as for a close with unread data (the row above): the pending end of "
                + "stream is never read.",
            "A peer that half-closes and then aborts (SO_LINGER 0, e.g. a client giving up after its request) is "
                + "seen as 'Connection reset' where TCP gives EOF first. Found by DifferentialIT's peers that end "
                + "connections abortively (this phase); measured here in its canonical form."),
        new Difference(SMALL_WINDOW_ABORT, null, EnumSet.of(State.CLIENT_CONNECTED), BOTH, EVERY_KIND,
            "java.net.SocketException", "java.net.SocketTimeoutException", "java.net.SocketTimeoutException",
            "Linux 6.18 only: Debian's 6.1 and 6.12 deliver the reset (the same sequence from Python, in their qemu "
                + "guests). With SO_RCVBUF 1 set before the connect, the MPTCP reader takes 552 bytes where TCP's "
                + "window takes 1,152; its subflow drops the next segment (TcpExtTCPZeroWindowDrop 1), and the "
                + "peer's MP_FASTCLOSE reset (MPTcpExtMPFastcloseTx 1) is never processed (MPTcpExtMPFastcloseRx 0) - "
                + "probably because its sequence number, past the dropped bytes, lies beyond the reader's window. "
                + "The reader's MPTCP socket stays open: no error, no end of stream. Measured with SO_RCVBUF up to 16 "
                + "KiB requested; from 64 KiB on, with the default autotuned buffer, or with the buffer set after the "
                + "connect, the reset arrives. Not bisected (mptcp_net-next issue 596 reworked how a fastclose "
                + "sends its reset).",
            "A client that sized its receive buffer small before connecting, whose peer closes abortively (SO_LINGER "
                + "0) while sending more than that window holds, reads the bytes that got through and then waits: "
                + "until its SO_TIMEOUT (SocketTimeoutException), for good without one; a non-blocking channel reads "
                + "0. TCP reads its window's bytes, then 'Connection reset'. Found by DifferentialIT under the agent "
                + "(a CI run of this phase: 644 bytes written, 552 read, then nothing); measured here with 4,000 "
                + "bytes and a 2 s SO_TIMEOUT. Left to the kernel: the reset never reaches the socket, so nothing in "
                + "the JVM can see it; a read timeout bounds the wait."),
        new Difference("sendUrgentData", null, CONNECTED_AND_CLIENT_FALLEN_BACK, BOTH, EVERY_KIND,
            "send ok, peer reads \"abc\"", "send ok, peer reads \"\\x55abc\"", URGENT_REFUSED,
            "mptcp_sendmsg() silently clears MSG_OOB (\"mptcp: ignore unsupported msg flags\", ~5.13): the urgent "
                + "byte is sent as ordinary data, with no urgent pointer - also after a fallback, since the socket "
                + "is still an MPTCP socket, so even a plain TCP peer receives it in-band.",
            "sendUrgentData(0x55) followed by \"abc\": a TCP peer (SO_OOBINLINE off) reads \"abc\". Under the "
                + "switch the MPTCP peer reads 0x55 then \"abc\": the stream is silently corrupted (the provider "
                + "hands out the JDK's own channel and has no code on this path; docs/adr/0004). The agent refuses "
                + "the call on MPTCP sockets with a SocketException that names MPTCP, so nothing reaches the "
                + "stream. Applications that send urgent data keep the sending side on TCP: mptcp.nio.mode=off, or "
                + "mode=server when only their outgoing connections send it, mode=client when only accepted ones "
                + "do."),
        new Difference("InputStream.available() at the peer's end of stream", null, CONNECTED_AND_CLIENT_FALLEN_BACK,
            BOTH, EVERY_KIND, "0", "1", null,
            "mptcp_inq_hint() (the FIONREAD/SIOCINQ answer) returns 1 for an MPTCP socket with an empty receive "
                + "queue whose peer has shut down (RCV_SHUTDOWN) or that is closed; tcp_inq() answers 0. Also after "
                + "a fallback: the socket is still an MPTCP socket.",
            "Found by DifferentialIT (availableAtThePeersEndOfStream): the socket adaptor's "
                + "getInputStream().available() answers 1 although the next read returns -1; a loop like "
                + "'while (in.available() > 0) buf.write(in.read())' appends a 0xFF byte. The agent defuses it for "
                + "java.net.Socket and socket adaptors: when the kernel's count is at least 1 and a zero-timeout "
                + "poll shows the peer's shutdown and no error, a non-consuming peek counts the bytes really there. "
                + "The switch cannot reach InputStream.available() (the JDK's own adaptor) and leaves it."),
        new Difference("InputStream.available() with data and the peer's end of stream", null,
            CONNECTED_AND_CLIENT_FALLEN_BACK, BOTH, EVERY_KIND, "3", "4", null,
            "Once the DATA_FIN has arrived, msk->ack_seq includes it, and mptcp_inq_hint() answers "
                + "ack_seq - map_seq of the first queued skb: the data plus one.",
            "available() answers one more byte than can be read. Defused by the agent as above; left under the "
                + "switch."),
        new Difference("InputStream.available() after the peer's abortive close", null,
            EnumSet.of(State.CLIENT_CONNECTED), BOTH, EVERY_KIND, "0", "1", "1",
            "The peer's abortive close (SO_LINGER 0) is an MPTCP fastclose; the reader's socket is then closed with "
                + "an empty receive queue, for which mptcp_inq_hint() answers 1 (as at the end of stream). poll() "
                + "shows the pending reset (POLLERR), and a peek would consume it, so the agent leaves the count.",
            "available() answers 1 where TCP answers 0; the next read throws 'Connection reset', as on TCP. Found by "
                + "DifferentialIT's peers that end connections abortively (this phase).")
    );

    /**
     * An invalid keep-alive value (0; negatives the JDK rejects itself) on a socket that is not connected: MPTCP takes
     * it. Not under the agent, whose sockets are TCP until their connect.
     */
    private static Difference keepAliveBeforeConnect(String option) {
        return new Difference(option + "=0", Operation.SET, EnumSet.of(State.CLIENT_UNCONNECTED),
            EnumSet.of(Family.INET), EVERY_KIND, INVALID, "ok", null,
            "Before its connect an MPTCP socket may have no subflow yet (an earlier option can create the first): "
                + "mptcp_setsockopt_sol_tcp() then applies the value to no subflow and returns 0, without "
                + "tcp_sock_set_keep*()'s range check (1..32767 s, 1..127 probes); with a subflow it checks as TCP "
                + "does. Measured on a new socket with nothing else set; the switch's IPv6 sockets have their first "
                + "subflow already (the IPV6_V6ONLY it copies creates it).",
            "setOption(" + option + ", 0), or another value out of the kernel's range, succeeds where the JDK throws "
                + "'Invalid argument'. Found by DifferentialIT's options before the connect (this phase); measured "
                + "with 0.");
    }

    /** The states {@code NettyOptionsProbe} measures a Netty native channel in. */
    public enum NettyState { LISTENER_UNBOUND, LISTENER, CLIENT_UNCONNECTED, CLIENT_CONNECTED, ACCEPTED }

    /** Netty's native transports. */
    public enum Transport { EPOLL, IO_URING }

    /**
     * One difference of Netty's native channels ({@code ChannelConfig.getOption}/{@code setOption}, or a call), on an
     * MPTCP socket against a TCP one, measured with Netty 4.2 by {@code NettyOptionsIT}.
     *
     * @param subject     the option's simple name, or the call, e.g. {@code tcpInfo()}
     * @param operation   GET or SET for options; null for a call
     * @param states      where it occurs
     * @param transports  on which transports (some options exist on epoll only)
     * @param tcp         what Netty reports on a TCP socket
     * @param mptcp       what it reports on an MPTCP socket without the agent's help (under {@code mptcpize run})
     * @param underAgent  what it reports under the agent; null where the agent shows no difference from TCP
     * @param kernel      the kernel behaviour behind it
     * @param application what an unmodified application sees, and our decision about it
     */
    public record NettyDifference(String subject, Operation operation, Set<NettyState> states,
                                  Set<Transport> transports, String tcp, String mptcp, String underAgent,
                                  String kernel, String application) {
        /** The states where the agent shows it: its sockets are plain TCP until their connect or bind. */
        public Set<NettyState> agentStates() {
            Set<NettyState> s = EnumSet.copyOf(states);
            s.removeAll(EnumSet.of(NettyState.LISTENER_UNBOUND, NettyState.CLIENT_UNCONNECTED));
            return s;
        }
    }

    private static final Set<NettyState> NETTY_SOCKETS = EnumSet.of(NettyState.CLIENT_UNCONNECTED,
            NettyState.CLIENT_CONNECTED, NettyState.ACCEPTED);
    private static final Set<NettyState> NETTY_CONNECTED = EnumSet.of(NettyState.CLIENT_CONNECTED,
            NettyState.ACCEPTED);
    private static final Set<Transport> BOTH_TRANSPORTS = EnumSet.allOf(Transport.class);
    private static final Set<Transport> EPOLL = EnumSet.of(Transport.EPOLL);
    private static final String CHANNEL_EXCEPTION = "io.netty.channel.ChannelException: ";
    private static final String NETTY_GET_NOT_SUPPORTED = CHANNEL_EXCEPTION
            + "getsockopt() failed: Operation not supported";
    private static final String NETTY_SET_NOT_SUPPORTED = CHANNEL_EXCEPTION
            + "setsockopt() failed: Operation not supported";
    private static final String NETTY_SET_NO_PROTOCOL_OPTION = CHANNEL_EXCEPTION
            + "setsockopt() failed: Protocol not available";
    private static final String NETTY_SET_INVALID = CHANNEL_EXCEPTION + "setsockopt() failed: Invalid argument";

    public static final List<NettyDifference> NETTY = List.of(
        new NettyDifference("TCP_USER_TIMEOUT", Operation.SET, NETTY_SOCKETS, BOTH_TRANSPORTS, "ok",
            NETTY_SET_NO_PROTOCOL_OPTION, null,
            "TCP_USER_TIMEOUT is not implemented for MPTCP sockets: mptcp_setsockopt_sol_tcp() returns ENOPROTOOPT.",
            "gRPC sets it on every client channel with keep-alive (NettyChannelBuilder.keepAliveTime): without the "
                + "agent's help the whole channel fails (\"Panic! This is a bug!\", measured under mptcpize). Defused "
                + "by the agent: Netty's setTcpUserTimeout on an MPTCP socket sets the option if the kernel takes "
                + "it, and otherwise succeeds without effect, with one WARNING per JVM and the JMX counter "
                + "UserTimeoutsNotApplied; dead peers are still found by keep-alive (gRPC's own pings) and "
                + "application timeouts. Where the timeout itself is needed: mptcp.nio.mode=server."),
        new NettyDifference("TCP_USER_TIMEOUT", Operation.GET, NETTY_SOCKETS, BOTH_TRANSPORTS, "ok",
            NETTY_GET_NOT_SUPPORTED, NETTY_GET_NOT_SUPPORTED,
            "mptcp_getsockopt_sol_tcp() has no TCP_USER_TIMEOUT case: EOPNOTSUPP.",
            "getOption(TCP_USER_TIMEOUT) throws ChannelException. Left as is: there is no value to report."),
        new NettyDifference("TCP_QUICKACK", Operation.GET, NETTY_SOCKETS, BOTH_TRANSPORTS, "ok",
            NETTY_GET_NOT_SUPPORTED, NETTY_GET_NOT_SUPPORTED,
            "As for the JDK's TCP_QUICKACK: no case in mptcp_getsockopt_sol_tcp() (EOPNOTSUPP).",
            "getOption(EpollChannelOption.TCP_QUICKACK) throws ChannelException."),
        new NettyDifference("TCP_QUICKACK", Operation.SET, NETTY_SOCKETS, BOTH_TRANSPORTS, "ok",
            NETTY_SET_NO_PROTOCOL_OPTION, NETTY_SET_NO_PROTOCOL_OPTION,
            "Listed by mptcp_supported_sockopt() but not implemented by mptcp_setsockopt_sol_tcp(): ENOPROTOOPT.",
            "setOption(TCP_QUICKACK) throws ChannelException; set through a Bootstrap's option(), Netty logs a "
                + "warning per channel and goes on. Left as is: a quick ACK cannot be asked for on MPTCP."),
        new NettyDifference("IP_TOS", Operation.GET, NETTY_SOCKETS, BOTH_TRANSPORTS, "ok", NETTY_GET_NOT_SUPPORTED,
            NETTY_GET_NOT_SUPPORTED,
            "Netty's sockets are AF_INET6 (dual stack) by default, so Netty reads IPV6_TCLASS; mptcp_getsockopt() "
                + "has no SOL_IPV6 handler (EOPNOTSUPP). As the JDK's IPv6 channels.",
            "getOption(IP_TOS) throws ChannelException."),
        new NettyDifference("IP_TOS", Operation.SET, NETTY_SOCKETS, BOTH_TRANSPORTS, "ok", NETTY_SET_NOT_SUPPORTED,
            NETTY_SET_NOT_SUPPORTED,
            "Netty sets IP_TOS and, on AF_INET6 sockets, IPV6_TCLASS, which mptcp_setsockopt_v6() does not implement "
                + "(EOPNOTSUPP).",
            "setOption(IP_TOS) throws ChannelException (a Bootstrap option: a warning per channel). Left as is: "
                + "ignoring it would send with the wrong traffic class."),
        new NettyDifference("TCP_MD5SIG", Operation.SET, EnumSet.allOf(NettyState.class), EPOLL, "ok",
            CHANNEL_EXCEPTION + "java.io.IOException: setsockopt() failed: Protocol not available",
            CHANNEL_EXCEPTION + "java.io.IOException: setsockopt() failed: Protocol not available",
            "TCP-MD5 signatures are per TCP segment; MPTCP does not support them (TCP_MD5SIG is not in "
                + "mptcp_supported_sockopt(): ENOPROTOOPT).",
            "setOption(EpollChannelOption.TCP_MD5SIG) throws ChannelException (measured with one key). Applications "
                + "that need TCP-MD5 (BGP speakers) keep that side on TCP with mptcp.nio.mode."),
        new NettyDifference("SO_REUSEADDR", Operation.SET, NETTY_CONNECTED, BOTH_TRANSPORTS, "ok", NETTY_SET_INVALID,
            NETTY_SET_INVALID,
            "As for the JDK's sockets: applied to the first subflow, which no longer exists once connected (EINVAL).",
            "Only on connected or accepted channels, where the option has no use; before bind it works."),
        new NettyDifference("IP_TRANSPARENT", Operation.SET, NETTY_CONNECTED, BOTH_TRANSPORTS, "ok",
            NETTY_SET_INVALID, NETTY_SET_INVALID,
            "mptcp_setsockopt_v4/v6_set_transparent() apply it to the first subflow: EINVAL once connected.",
            "Only on connected or accepted channels; transparent proxies set it before bind, where it works."),
        new NettyDifference("IP_BIND_ADDRESS_NO_PORT", Operation.SET, NETTY_CONNECTED, EPOLL, "ok",
            NETTY_SET_INVALID, NETTY_SET_INVALID,
            "Applied to the first subflow: EINVAL once connected.",
            "Only on connected or accepted channels; it matters before bind, where it works.")
    );

    /** {@code docs/compatibility.md}, generated from {@link #TABLE} (a unit test keeps the file in step). */
    public static String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Compatibility: JDK TCP sockets vs mptcp-nio MPTCP sockets, under the switch and the agent\n\n")
          .append("Generated from `KnownDifferences.TABLE` (do not edit by hand: run\n")
          .append("`mvn -B test -Dtest=CompatibilityDocTest -Dmptcp.nio.regenerate=true`). Measured on ")
          .append(MEASURED_ON).append(" by `CompatibilityIT`, which fails if a listed difference does not occur or an ")
          .append("unlisted one does.\n\n")
          .append("**Method.** `CompatibilityProbe` runs in forked JVMs: a plain one (the baseline), one with the ")
          .append("switch and one with the agent, each also with `mptcp.nio.mode=client` and `=server` for the ")
          .append("fallen-back states. For both families (INET, INET6), both kinds of socket (`channel`: ")
          .append("`SocketChannel`/`ServerSocketChannel` of `SelectorProvider.provider()` and their socket adaptors; ")
          .append("`socket`: `new Socket()`/`new ServerSocket()`) and five states (listener before and after bind, ")
          .append("client before and after connect, accepted), every supported option is read with `getOption` and ")
          .append("written with `setOption` (to the value a fresh socket of the same kind reports); the same for two ")
          .append("fallen-back connections: a client of ours connected to a plain TCP listener (`client_fallen_back`: ")
          .append("the socket stays an MPTCP socket whose connection fell back to TCP) and a plain TCP client ")
          .append("accepted by our listener (`accepted_from_tcp`: the kernel hands out a plain TCP socket). Then, on ")
          .append("fresh connected pairs: `sendUrgentData(0x55)` followed by \"abc\", four close sequences (one ")
          .append("with the reader's receive buffer sized before its connect), and ")
          .append("`getInputStream().available()` after the peer's end of stream. Everything not listed below ")
          .append("behaves identically. \"all states\" means the five states of a connection that did not fall back; ")
          .append("\"-\" means no difference in that launch mode (the switch never converts `socket`s). **Under the ")
          .append("agent a socket is plain TCP until its rules decide**, at the connect of a client and the bind of a ")
          .append("listener: its column applies only after that (listener, client_connected, accepted), never to ")
          .append("`listener_unbound` or `client_unconnected`.\n\n")
          .append("**Options set before the decision** (agent): the switch to MPTCP carries over every option the ")
          .append("application changed from a new socket's default (`SO_*`, `IP_TOS`, `IPV6_TCLASS`, `TCP_*`, ")
          .append("keep-alive, buffers, linger) and the bound address. Where MPTCP refuses one of them — on ")
          .append(MEASURED_ON).append(": a traffic class on an IPv6 (dual-stack) socket, `TCP_QUICKACK` turned off, ")
          .append("`TCP_MD5SIG` cannot even be read back and is not carried — the application asked for something ")
          .append("only TCP gives, so the socket **stays TCP**: counted as a fallback `OPTION <name>` (JMX, `status`, ")
          .append("the JFR `Fallback` event), an exception in strict mode. One exception: Netty's `TCP_USER_TIMEOUT` ")
          .append("(gRPC's and Armeria's keep-alive set it) is left behind with one WARNING, as when it is set after ")
          .append("the connect. Tested by `RulesIT`.\n\n")
          .append("**Kernels.** The table is Linux 6.18's. `KernelsIT` runs the same probe in qemu guests of ")
          .append(KernelRecords.measuredKernels()).append(" and each kernel's differences must be exactly its ")
          .append("record (`src/test/resources/compatibility/`, written by the probe, never by hand). The column ")
          .append("*kernels* says where a row occurs (\"part\": in some of its places only); differences that ")
          .append("Linux 6.18 does not have follow the table.\n\n")
          .append("| operation | kind | where | JDK TCP | switch | agent | kernels | kernel behaviour | what the ")
          .append("application sees |\n")
          .append("|---|---|---|---|---|---|---|---|---|\n");
        Map<String, Map<LaunchMode, Map<String, String>>> records = KernelRecords.allRecorded();
        for (Difference d : TABLE) {
            String op = d.operation() == null ? "`" + d.subject() + "`"
                    : (d.operation() == Operation.GET ? "getOption(`" : "setOption(`") + d.subject() + "`)";
            String kinds = d.kinds().equals(EVERY_KIND) ? "both"
                    : d.kinds().iterator().next().name().toLowerCase(java.util.Locale.ROOT);
            String where = (d.states().equals(ALL) ? "all states" : d.states().equals(SOCKETS)
                    ? "sockets (not listeners)" : d.states().toString().toLowerCase(java.util.Locale.ROOT))
                    + (d.families().equals(BOTH) ? "" : ", " + d.families().iterator().next() + " only");
            md.append("| ").append(op).append(" | ").append(kinds).append(" | ").append(where).append(" | ")
              .append(cell(d.jdk())).append(" | ").append(cell(d.underSwitch())).append(" | ")
              .append(cell(d.underAgent())).append(" | ").append(KernelRecords.kernelsOf(d, records)).append(" | ")
              .append(cell(d.kernel())).append(" | ").append(cell(d.application())).append(" |\n");
        }
        md.append(KernelRecords.olderKernelsMarkdown(records));
        md.append("\n## Netty's native transports (agent)\n\n")
          .append("Measured by `NettyOptionsIT` with Netty 4.2's epoll and io_uring channels: `NettyOptionsProbe` ")
          .append("reads and writes, through Netty's own `ChannelConfig`, every option an application sets (the ")
          .append("standard `ChannelOption`s, `UnixChannelOption.SO_REUSEPORT`, every socket option of ")
          .append("`EpollChannelOption`/`IoUringChannelOption`) and calls `EpollSocketChannel.tcpInfo()`, on a ")
          .append("listener before and after bind, a client before and after connect and an accepted channel; in a ")
          .append("plain JVM (TCP), under `mptcpize run` (MPTCP as the kernel gives it) and under the agent. ")
          .append("Options not listed behave identically, among them `TCP_KEEPIDLE`/`TCP_KEEPINTVL`/`TCP_KEEPCNT`, ")
          .append("`TCP_CORK`, `TCP_NOTSENT_LOWAT`, `TCP_FASTOPEN`, `TCP_FASTOPEN_CONNECT`, `TCP_DEFER_ACCEPT`, ")
          .append("`SO_REUSEPORT`, `IP_FREEBIND`, `SO_BUSY_POLL` and `tcpInfo()`. Netty reports a failed option as ")
          .append("a `ChannelException`: thrown by `setOption`/`getOption`, logged as a warning (and skipped) when ")
          .append("the option is given to a `Bootstrap`.\n\n")
          .append("| operation | transports | where | TCP | MPTCP (mptcpize) | agent | kernel behaviour | what the ")
          .append("application sees |\n")
          .append("|---|---|---|---|---|---|---|---|\n");
        for (NettyDifference d : NETTY) {
            String op = d.operation() == null ? "`" + d.subject() + "`"
                    : (d.operation() == Operation.GET ? "getOption(`" : "setOption(`") + d.subject() + "`)";
            String where = d.states().equals(EnumSet.allOf(NettyState.class)) ? "all states"
                    : d.states().toString().toLowerCase(java.util.Locale.ROOT);
            md.append("| ").append(op).append(" | ")
              .append(d.transports().toString().toLowerCase(java.util.Locale.ROOT)).append(" | ").append(where)
              .append(" | ").append(cell(d.tcp())).append(" | ").append(cell(d.mptcp())).append(" | ")
              .append(d.underAgent() == null ? "as TCP" : cell(d.underAgent())).append(" | ")
              .append(cell(d.kernel())).append(" | ").append(cell(d.application())).append(" |\n");
        }
        md.append("\n## Channels and providers\n\n")
          .append("- Under the switch, channels opened through `MptcpSelectorProvider` are the JDK's own classes ")
          .append("(`SocketChannelImpl` and friends), and their `provider()` is the JDK's platform provider, ")
          .append("exactly as without the switch. Consequently `channel.provider().openSocketChannel()` returns a ")
          .append("**plain TCP** channel: only channels opened through `SelectorProvider.provider()` (which is what ")
          .append("`SocketChannel.open()` and the frameworks use) get MPTCP. Tested by `IntrospectionIT`.\n")
          .append("- Under the agent the JDK itself creates MPTCP sockets, for every provider and for ")
          .append("`java.net.Socket`; `SelectorProvider.provider()` stays the JDK's own (docs/adr/0006). When the ")
          .append("JDK's classes do not have the shape the agent knows, it installs `MptcpSelectorProvider` instead, ")
          .append("and channels behave as under the switch.\n")
          .append("- Selectors, pipes and datagram channels are the JDK's, so any channel mix registers with any ")
          .append("selector (no `IllegalSelectorException`).\n");
        return md.toString();
    }

    static String cell(String text) {
        return text == null ? "-" : text.replace("|", "\\|").replace("\n", " ");
    }
}
