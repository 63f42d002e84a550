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
public final class TwoInterfaces implements AutoCloseable {
    public static final String SERVER = "203.0.113.1";
    public static final String CLIENT_A = "192.0.2.2";
    public static final String CLIENT_B = "198.51.100.2";
    public static final String GATEWAY_A = "192.0.2.1";
    public static final String GATEWAY_B = "198.51.100.1";

    public final Netns client;
    public final Netns server;

    private TwoInterfaces(Netns client, Netns server) {
        this.client = client;
        this.server = server;
    }

    /** The topology, with the client's second interface as a {@code backup} path if asked. */
    public static TwoInterfaces create(boolean backup) throws IOException {
        Netns client = Netns.create("c2if");
        Netns server;
        try {
            server = Netns.create("s1addr");
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
        TwoInterfaces t = new TwoInterfaces(client, server);
        try {
            t.link("pa", CLIENT_A, GATEWAY_A);
            t.link("pb", CLIENT_B, GATEWAY_B);
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

    private void link(String name, String clientAddress, String serverAddress) throws IOException {
        Netns.host("ip", "link", "add", name, "netns", client.name(), "type", "veth", "peer", "name", name,
                "netns", server.name());
        client.exec("ip", "addr", "add", clientAddress + "/24", "dev", name);
        server.exec("ip", "addr", "add", serverAddress + "/24", "dev", name);
        client.exec("ip", "link", "set", name, "up");
        server.exec("ip", "link", "set", name, "up");
    }

    /** Token-bucket rate limit on both ends of a link. */
    public void rateLimit(String link, int mbit) throws IOException {
        for (Netns ns : new Netns[] {client, server}) {
            ns.exec("tc", "qdisc", "replace", "dev", link, "root", "tbf", "rate", mbit + "mbit", "burst", "32kb",
                    "latency", "100ms");
        }
    }

    /** The client's interface goes down (the link loses carrier at both ends). */
    public void down(String link) throws IOException {
        client.exec("ip", "link", "set", link, "down");
    }

    /** Bytes the client has sent through an interface. */
    public long clientTxBytes(String link) throws IOException {
        return Long.parseLong(client.exec("cat", "/sys/class/net/" + link + "/statistics/tx_bytes").trim());
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Netns ns : new Netns[] {client, server}) {
            try {
                ns.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
