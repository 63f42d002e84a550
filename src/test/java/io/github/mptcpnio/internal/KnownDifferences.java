package io.github.mptcpnio.internal;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The one table of what an application can observe differently on an MPTCP channel than on the JDK's TCP channel,
 * each with the kernel behaviour behind it. {@code CompatibilityIT} measures every socket option, operation, socket
 * state and family against the JDK and fails if an entry here does not occur (stale) or a difference occurs that is
 * not here (unlisted). {@code docs/compatibility.md} is generated from this table.
 *
 * <p>Fallen-back connections are measured too ({@link State#CLIENT_FALLEN_BACK}, {@link State#ACCEPTED_FROM_TCP}):
 * a socket that was created as MPTCP stays an MPTCP socket after its connection fell back, and keeps some of its
 * differences.
 */
public final class KnownDifferences {
    private KnownDifferences() {}

    /** The kernel the table was measured on. */
    public static final String MEASURED_ON = "Linux 6.18 (x86_64), JDK 17.0.15 and Temurin 25.0.3";

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

    /** The address families measured. */
    public enum Family { INET, INET6 }

    /**
     * One difference.
     *
     * @param subject     the option name ({@code SocketOption.name()}) or the operation, e.g. {@code sendUrgentData}
     * @param operation   GET or SET for options; null for other operations
     * @param states      where it occurs
     * @param families    for which families
     * @param mptcp       what the application observes on MPTCP, as the measurement records it
     * @param jdk         what it observes on the JDK's TCP channel
     * @param kernel      the kernel behaviour behind it
     * @param application what an unmodified application sees, and our decision about it
     */
    public record Difference(String subject, Operation operation, Set<State> states, Set<Family> families,
                             String mptcp, String jdk, String kernel, String application) {}

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

    public static final String NOT_SUPPORTED = "java.net.SocketException: Operation not supported";
    public static final String INVALID = "java.net.SocketException: Invalid argument";

    public static final List<Difference> TABLE = List.of(
        new Difference("TCP_QUICKACK", Operation.GET, ALL, BOTH, NOT_SUPPORTED, "ok",
            "net/mptcp/sockopt.c: mptcp_getsockopt_sol_tcp() has no TCP_QUICKACK case and returns EOPNOTSUPP.",
            "getOption(ExtendedSocketOptions.TCP_QUICKACK) throws SocketException. Left as is: the kernel decides, "
                + "and the provider returns the JDK's own channel, so it cannot answer in the kernel's place."),
        new Difference("TCP_QUICKACK", Operation.SET, ALL, BOTH,
            "java.lang.UnsupportedOperationException: unsupported socket option", "ok",
            "TCP_QUICKACK is on mptcp_supported_sockopt()'s list but mptcp_setsockopt_sol_tcp() does not implement "
                + "it: ENOPROTOOPT, which the JDK's Linux ExtendedSocketOptions turns into "
                + "UnsupportedOperationException.",
            "setOption(ExtendedSocketOptions.TCP_QUICKACK) throws UnsupportedOperationException, a RuntimeException: "
                + "code that catches only IOException around setOption fails here."),
        new Difference("IP_TOS", Operation.GET, SOCKETS, EnumSet.of(Family.INET6), NOT_SUPPORTED, "ok",
            "On an AF_INET6 socket the JDK reads IPV6_TCLASS; mptcp_getsockopt() has no SOL_IPV6 handler "
                + "(EOPNOTSUPP). IPv4 sockets use IP_TOS, which MPTCP implements.",
            "getOption(StandardSocketOptions.IP_TOS) throws on IPv6 (dual-stack) MPTCP channels."),
        new Difference("IP_TOS", Operation.SET, SOCKETS, EnumSet.of(Family.INET6), NOT_SUPPORTED, "ok",
            "mptcp_setsockopt_v6() implements only IPV6_V6ONLY, IPV6_TRANSPARENT and IPV6_FREEBIND; IPV6_TCLASS "
                + "returns EOPNOTSUPP.",
            "setOption(IP_TOS) / Socket.setTrafficClass throw on IPv6 MPTCP channels."),
        new Difference("SO_OOBINLINE", Operation.SET, SOCKETS_AND_FALLEN_BACK, BOTH, NOT_SUPPORTED, "ok",
            "mptcp_setsockopt_sol_socket() rejects SO_OOBINLINE with EOPNOTSUPP (\"not supported, let's avoid the "
                + "related mess\"), even to set the default false. mptcp_setsockopt() dispatches SOL_SOCKET options "
                + "before it checks for a fallback, so a fallen-back connection rejects it too.",
            "Socket.setOOBInline(...) throws. This breaks Undertow/XNIO, which calls setOOBInline(false) on every "
                + "accepted socket; workaround mode=client (FrameworksIT)."),
        new Difference("SO_REUSEADDR", Operation.SET, CONNECTED_AND_FALLEN_BACK, BOTH, INVALID, "ok",
            "SO_REUSEADDR/SO_REUSEPORT are applied to the MPTCP socket's first subflow, which only exists before "
                + "connect/listen; on a connected or accepted MPTCP socket the kernel returns EINVAL. As a SOL_SOCKET "
                + "option it takes that path after a fallback too.",
            "setOption(SO_REUSEADDR) after connect/accept throws; before bind (where it matters) it works."),
        new Difference("SO_REUSEPORT", Operation.SET, CONNECTED_AND_FALLEN_BACK, BOTH, INVALID, "ok",
            "As SO_REUSEADDR: applied to the first subflow, EINVAL once connected.",
            "setOption(SO_REUSEPORT) after connect/accept throws; before bind it works."),
        new Difference("write after the peer closed", null, EnumSet.of(State.CLIENT_CONNECTED), BOTH,
            "first ok, second ok", "first ok, second java.io.IOException: Broken pipe",
            "After the peer closed, TCP answers the first write with a RST and the next write fails with EPIPE. On "
                + "MPTCP the peer's RST resets only the subflow: net/mptcp/protocol.c __mptcp_error_report() "
                + "passes a subflow's error to the MPTCP socket \"only ... on fallen-back sockets or on MPC "
                + "connect\", so a fully established MPTCP socket keeps accepting writes (measured: six writes over "
                + "300 ms) until the connection itself is torn down.",
            "An application that detects a dead peer by a failing write notices it later on MPTCP; reads still see "
                + "EOF at once. Found by DifferentialIT (writesTowardsAClosedPeer)."),
        new Difference("write after the peer shut down both directions", null, EnumSet.of(State.CLIENT_CONNECTED),
            BOTH, "first ok, second ok", "first ok, second java.io.IOException: Broken pipe",
            "A TCP peer in FIN_WAIT with its receive side shut down answers data with a RST, so the writer's next "
                + "write fails with EPIPE; on MPTCP that RST resets only the subflow, which __mptcp_error_report() "
                + "does not pass on to an established MPTCP socket (as for a closed peer; measured: six writes over "
                + "300 ms).",
            "As for a closed peer: the writer learns later that nobody reads. Found by DifferentialIT "
                + "(writesTowardsAPeerThatShutDownBothWays)."),
        new Difference("read after the peer shut down output, then closed with unread data", null,
            EnumSet.of(State.CLIENT_CONNECTED), BOTH, "java.net.SocketException", "-1",
            "TCP sends the FIN at shutdownOutput and the RST at close, so the reader sees EOF first. MPTCP: "
                + "__mptcp_close() answers unread data with \"the MPTCP equivalent of TCP reset, aka MPTCP "
                + "fastclose\" (mptcp_do_fastclose()), and the reader's mptcp_check_fastclose() \"mirror[s] the "
                + "tcp_reset() error propagation\": it sets sk_err and moves the socket to CLOSE at once, so the "
                + "read fails instead of returning the pending end of stream.",
            "The peer that still had data to send sees 'Connection reset' instead of a clean EOF (10 of 10 trials). "
                + "DifferentialIT, which found it, sees the same whenever a side closes with unread data "
                + "(also without shutdownOutput, and after shutdownInput); measured here in its canonical form."),
        new Difference("sendUrgentData", null, EnumSet.of(State.CLIENT_CONNECTED, State.CLIENT_FALLEN_BACK), BOTH,
            "send ok, peer reads \"\\x55abc\"", "send ok, peer reads \"abc\"",
            "mptcp_sendmsg() silently clears MSG_OOB (\"mptcp: ignore unsupported msg flags\", ~5.13): the urgent "
                + "byte is sent as ordinary data, with no urgent pointer - also after a fallback, since the socket "
                + "is still an MPTCP socket, so even a plain TCP peer receives it in-band.",
            "Socket.sendUrgentData(0x55) followed by \"abc\": a TCP peer (SO_OOBINLINE off) reads \"abc\", an MPTCP "
                + "peer reads 0x55 then \"abc\" - the stream is silently corrupted. Decision (docs/adr/0004): left "
                + "to the kernel and documented. The provider hands out the JDK's own channel and has no code on "
                + "this path; refusing the call would mean rewriting java.base's SocketChannelImpl in the agent, "
                + "for a mechanism RFC 6093 tells new applications not to use and no framework we test calls. "
                + "Applications that send urgent data must keep the sending side on TCP: mptcp.nio.mode=off, or "
                + "mode=server when only their outgoing connections send it, mode=client when only accepted ones "
                + "do.")
    );

    /** {@code docs/compatibility.md}, generated from {@link #TABLE} (a unit test keeps the file in step). */
    public static String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Compatibility: JDK TCP channels vs mptcp-nio MPTCP channels\n\n")
          .append("Generated from `KnownDifferences.TABLE` (do not edit by hand: run\n")
          .append("`mvn -B test -Dtest=CompatibilityDocTest -Dmptcp.nio.regenerate=true`). Measured on ")
          .append(MEASURED_ON).append(" by `CompatibilityIT`, which fails if a listed difference does not occur or an ")
          .append("unlisted one does.\n\n")
          .append("**Method.** For both families (INET, INET6) and five channel states (listener before and after ")
          .append("bind, client before and after connect, accepted), every entry of `supportedOptions()` is read ")
          .append("with `getOption` and written with `setOption` (to the value a fresh JDK channel reports), on the ")
          .append("JDK's own TCP channels and on MPTCP channels from `MptcpSelectorProvider`; the same for two ")
          .append("fallen-back connections: our client connected to a plain TCP listener (`client_fallen_back`: the ")
          .append("socket stays an MPTCP socket whose connection fell back to TCP) and a plain TCP client accepted ")
          .append("by our listener (`accepted_from_tcp`: the kernel hands out a plain TCP socket). Then ")
          .append("`Socket.sendUrgentData(0x55)` followed by \"abc\", and three close sequences, on fresh connected ")
          .append("pairs. Everything not listed below behaves identically. \"all states\" means the five states of ")
          .append("a connection that did not fall back.\n\n")
          .append("| operation | where | JDK TCP | MPTCP | kernel behaviour | what the application sees |\n")
          .append("|---|---|---|---|---|---|\n");
        for (Difference d : TABLE) {
            String op = d.operation() == null ? "`" + d.subject() + "`"
                    : (d.operation() == Operation.GET ? "getOption(`" : "setOption(`") + d.subject() + "`)";
            String where = (d.states().equals(ALL) ? "all states" : d.states().equals(SOCKETS)
                    ? "sockets (not listeners)" : d.states().toString().toLowerCase(java.util.Locale.ROOT))
                    + (d.families().equals(BOTH) ? "" : ", " + d.families().iterator().next() + " only");
            md.append("| ").append(op).append(" | ").append(where).append(" | ").append(cell(d.jdk()))
              .append(" | ").append(cell(d.mptcp())).append(" | ").append(cell(d.kernel())).append(" | ")
              .append(cell(d.application())).append(" |\n");
        }
        md.append("\n## Channels and providers\n\n")
          .append("- Channels opened through `MptcpSelectorProvider` are the JDK's own classes ")
          .append("(`SocketChannelImpl` and friends), and their `provider()` is the JDK's platform provider, ")
          .append("exactly as without the switch. Consequently `channel.provider().openSocketChannel()` returns a ")
          .append("**plain TCP** channel: only channels opened through `SelectorProvider.provider()` (which is what ")
          .append("`SocketChannel.open()` and the frameworks use) get MPTCP. Tested by `IntrospectionIT`.\n")
          .append("- With the switch or the agent, `SelectorProvider.provider()` returns the one ")
          .append("`MptcpSelectorProvider` instance for the life of the JVM (`ModesIT` checks its class in forked ")
          .append("JVMs).\n")
          .append("- Selectors, pipes and datagram channels are the JDK's, so any channel mix registers with any ")
          .append("selector (no `IllegalSelectorException`).\n");
        return md.toString();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
