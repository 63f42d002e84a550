package io.github.mptcpnio.testing;

import java.io.IOException;

/**
 * Two test hosts, network namespaces "client" and "server", joined by veth links: what {@link TwoPaths} and
 * {@link TwoInterfaces} share — the links, rate limits, a link going down and coming back, the client's byte counters,
 * and removing both namespaces on {@link #close()}, also when a test fails.
 */
public abstract class HostPair implements AutoCloseable {
    public final Netns client;
    public final Netns server;

    protected HostPair(Netns client, Netns server) {
        this.client = client;
        this.server = server;
    }

    /** Two new namespaces named after their purposes; the first is removed again if the second cannot be made. */
    protected static Netns[] namespaces(String clientPurpose, String serverPurpose) throws IOException {
        Netns client = Netns.create(clientPurpose);
        try {
            return new Netns[] {client, Netns.create(serverPurpose)};
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** A veth link {@code name} between the two, with an IPv4 address on each end (/24), up. */
    protected void link(String name, String clientAddress, String serverAddress) throws IOException {
        Netns.host("ip", "link", "add", name, "netns", client.name(), "type", "veth", "peer", "name", name,
                "netns", server.name());
        client.exec("ip", "addr", "add", clientAddress + "/24", "dev", name);
        server.exec("ip", "addr", "add", serverAddress + "/24", "dev", name);
    }

    /** A veth link {@code name} between the two with an IPv4 (/24) and an IPv6 (/64) address on each end, up. */
    protected void link(String name, String client4, String server4, String client6, String server6)
            throws IOException {
        link(name, client4, server4);
        client.exec("ip", "addr", "add", client6 + "/64", "dev", name, "nodad");
        server.exec("ip", "addr", "add", server6 + "/64", "dev", name, "nodad");
        up(name, true);
    }

    /** Both ends of a link up. */
    protected void up(String name, boolean bothEnds) throws IOException {
        client.exec("ip", "link", "set", name, "up");
        if (bothEnds) {
            server.exec("ip", "link", "set", name, "up");
        }
    }

    /** Token-bucket rate limit on both ends of a link (this kernel has tbf but no netem). */
    public void rateLimit(String link, int mbit) throws IOException {
        for (Netns ns : new Netns[] {client, server}) {
            ns.exec("tc", "qdisc", "replace", "dev", link, "root", "tbf", "rate", mbit + "mbit", "burst", "32kb",
                    "latency", "100ms");
        }
    }

    /** Takes a link down at the client (both veth ends lose carrier). */
    public void down(String link) throws IOException {
        client.exec("ip", "link", "set", link, "down");
    }

    public void up(String link) throws IOException {
        up(link, false);
    }

    /** Bytes the client has transmitted on a link. */
    public long clientTxBytes(String link) throws IOException {
        return Long.parseLong(client.exec("cat", "/sys/class/net/" + link + "/statistics/tx_bytes").trim());
    }

    /** A transfer's server (BulkApp) has received at least {@code bytes}: its {@code progress=} lines, up to 60 s. */
    public static void awaitProgress(Forked.Running server, long bytes) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String line = server.awaitLine("progress=", 60);
            if (Long.parseLong(line.substring("progress=".length())) >= bytes) {
                return;
            }
        }
        throw new AssertionError("the transfer did not reach " + bytes + " bytes within 60 s");
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
