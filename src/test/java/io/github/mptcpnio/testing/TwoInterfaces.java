package io.github.mptcpnio.testing;

import java.io.IOException;

/**
 * The topology people deploy MPTCP for: a client with two interfaces on two subnets (Wi-Fi and cellular, two uplinks)
 * and a server with one address. Network namespaces "client" and "server" joined by two veth links: {@code pa}
 * (192.0.2.0/24, the client's primary: its default route) and {@code pb} (198.51.100.0/24); the server's one address,
 * 203.0.113.1, sits on its loopback and is reached over either link.
 *
 * <p>The client is set up exactly as docs/multipath.md's client recipe says: a {@code subflow} endpoint on its second
 * interface (optionally {@code backup}), and source-based policy routing so that each subflow leaves through its own
 * interface. The server only accepts the extra subflow ({@code subflows 2}). Everything is removed on {@link #close()},
 * also when a test fails.
 */
public final class TwoInterfaces extends HostPair {
    public static final String SERVER = "203.0.113.1";
    public static final String CLIENT_A = "192.0.2.2";
    public static final String CLIENT_B = "198.51.100.2";
    public static final String GATEWAY_A = "192.0.2.1";
    public static final String GATEWAY_B = "198.51.100.1";

    private TwoInterfaces(Netns client, Netns server) {
        super(client, server);
    }

    /** The topology, with the client's second interface as a {@code backup} path if asked. */
    public static TwoInterfaces create(boolean backup) throws IOException {
        Netns[] ns = namespaces("c2if", "s1addr");
        Netns client = ns[0];
        Netns server = ns[1];
        TwoInterfaces t = new TwoInterfaces(client, server);
        try {
            for (String[] l : new String[][] {{"pa", CLIENT_A, GATEWAY_A}, {"pb", CLIENT_B, GATEWAY_B}}) {
                t.link(l[0], l[1], l[2]);
                t.up(l[0], true);
            }
            server.exec("ip", "addr", "add", SERVER + "/32", "dev", "lo");
            server.exec("ip", "mptcp", "limits", "set", "subflows", "2", "add_addr_accepted", "0");
            // the client recipe of docs/multipath.md, command for command
            client.exec("ip", "route", "add", "default", "via", GATEWAY_A, "dev", "pa");
            client.exec("ip", "mptcp", "limits", "set", "subflows", "2", "add_addr_accepted", "2");
            if (backup) {
                client.exec("ip", "mptcp", "endpoint", "add", CLIENT_B, "dev", "pb", "subflow", "backup");
            } else {
                client.exec("ip", "mptcp", "endpoint", "add", CLIENT_B, "dev", "pb", "subflow");
            }
            client.exec("ip", "rule", "add", "from", CLIENT_B, "table", "101");
            client.exec("ip", "route", "add", "default", "via", GATEWAY_B, "dev", "pb", "table", "101");
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }
}
