package io.github.mptcpnio.testing;

import io.github.mptcpnio.internal.linux.Linux;

import java.io.IOException;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in a forked JVM under a low {@code RLIMIT_NOFILE}: opens channels through the JVM's provider until the process
 * runs out of descriptors, then reports what the application saw ({@code failure=}), how many complete MPTCP
 * channels it got, whether closing them returns every descriptor ({@code leaked=}), and that it recovers.
 */
public final class EmfileProbe {
    public static void main(String[] args) throws Exception {
        // load every class used below while descriptors are still available (class loading opens files)
        try (SocketChannel c = SocketChannel.open(); ServerSocketChannel s = ServerSocketChannel.open()) {
            ModeProbe.protocol(c);
            ModeProbe.protocol(s);
        }
        new IOException("warm-up").getMessage();
        java.util.Map<Integer, String> targetsBefore = Fds.targets();
        int before = Fds.count();
        List<NetworkChannel> open = new ArrayList<>();
        String failure = "none";
        try {
            for (int i = 0; i < 100_000; i++) {
                open.add(i % 2 == 0 ? SocketChannel.open() : ServerSocketChannel.open());
            }
        } catch (IOException e) {
            failure = e.getClass().getName() + ": " + e.getMessage();
        }
        int mptcp = 0;
        int tcp = 0;
        for (NetworkChannel ch : open) {
            int protocol = ModeProbe.protocol(ch);
            if (protocol == Linux.IPPROTO_MPTCP) {
                mptcp++;
            } else if (protocol == Linux.IPPROTO_TCP) {
                tcp++;
            }
        }
        System.out.println("failure=" + failure);
        System.out.println("opened=" + open.size());
        System.out.println("mptcp=" + mptcp);
        System.out.println("tcp=" + tcp);
        for (NetworkChannel ch : open) {
            ch.close();
        }
        System.out.println("leaked=" + (Fds.count() - before));
        java.util.Map<Integer, String> targetsAfter = Fds.targets();
        // sockets open now that were not open before: what a leak of ours would look like (the plain count can be
        // off by one transient descriptor of the JVM's own, e.g. a /proc or /sys read)
        java.util.Set<String> socketsBefore = new java.util.HashSet<>(targetsBefore.values());
        long leakedSockets = targetsAfter.values().stream()
                .filter(t -> t.startsWith("socket:") && !socketsBefore.contains(t)).count();
        System.out.println("leakedSockets=" + leakedSockets);
        targetsBefore.entrySet().removeIf(e -> e.getValue().equals(targetsAfter.get(e.getKey())));
        System.out.println("diff.before=" + targetsBefore);
        System.out.println("diff.after=" + targetsAfter);
        try (SocketChannel again = SocketChannel.open()) {
            System.out.println("after.protocol=" + ModeProbe.protocolName(ModeProbe.protocol(again)));
        }
    }
}
