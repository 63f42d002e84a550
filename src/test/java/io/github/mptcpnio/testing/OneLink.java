package io.github.mptcpnio.testing;

import java.io.IOException;

/**
 * Two hosts joined by one link: network namespaces "client" and "server" with the veth pair {@code d0}, client
 * {@value #CLIENT4} / {@value #CLIENT6}, server {@value #SERVER4} / {@value #SERVER6}. No path manager settings: one
 * path, the kernel's defaults. Both namespaces are removed on {@link #close()}, also when a test fails.
 */
public final class OneLink extends HostPair {
    public static final String CLIENT4 = "203.0.113.2";
    public static final String SERVER4 = "203.0.113.1";
    public static final String CLIENT6 = "2001:db8::2";
    public static final String SERVER6 = "2001:db8::1";

    private OneLink(Netns client, Netns server) {
        super(client, server);
    }

    /** The two namespaces, named after {@code purpose}, and the link, up. */
    public static OneLink create(String purpose) throws IOException {
        Netns[] ns = namespaces(purpose + "-c", purpose + "-s");
        OneLink hosts = new OneLink(ns[0], ns[1]);
        try {
            hosts.link("d0", CLIENT4, SERVER4, CLIENT6, SERVER6);
        } catch (IOException | RuntimeException e) {
            hosts.close();
            throw e;
        }
        return hosts;
    }
}
