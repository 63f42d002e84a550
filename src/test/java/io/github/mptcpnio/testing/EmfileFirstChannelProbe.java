package io.github.mptcpnio.testing;

import io.github.mptcpnio.Mptcp;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in a forked JVM under a low {@code RLIMIT_NOFILE} with the switch: the process runs out of descriptors before its
 * first socket channel (the provider itself is already chosen, as an early {@code Selector.open()} would), tries to
 * open one (the JDK's own {@code SocketException}), asks for MPTCP's availability while still out of descriptors, then frees them and opens channels again.
 */
public final class EmfileFirstChannelProbe {
    public static void main(String[] args) throws Exception {
        System.out.println("provider=" + SelectorProvider.provider().getClass().getName());
        // the JDK's own networking is initialised (sun.nio.ch.Net loads libextnet.so: under EMFILE the JDK itself
        // would fail for life), as in an application that has used a datagram channel or a selector before
        java.nio.channels.DatagramChannel.open().close();
        Mptcp.upgradedChannels(); // the API class is loaded, as in an application that uses it
        List<FileInputStream> files = new ArrayList<>();
        try {
            for (int i = 0; i < 100_000; i++) {
                files.add(new FileInputStream("/dev/null"));
            }
        } catch (IOException exhausted) {
            System.out.println("files=" + files.size());
        }
        String first = "none";
        try (SocketChannel c = SocketChannel.open()) {
            first = "opened protocol " + ModeProbe.protocolName(ModeProbe.protocol(c));
        } catch (IOException e) {
            first = e.getClass().getName() + ": " + e.getMessage();
        }
        String during = Mptcp.unavailability().map(u -> u.reason().name()).orElse("available");
        for (FileInputStream f : files) {
            f.close();
        }
        System.out.println("first=" + first);
        System.out.println("during=" + during);
        try (SocketChannel again = SocketChannel.open()) {
            System.out.println("after.protocol=" + ModeProbe.protocolName(ModeProbe.protocol(again)));
        }
        System.out.println("after.available=" + Mptcp.isAvailable());
        System.out.println("after.unavailability=" + Mptcp.unavailability().map(Object::toString).orElse("none"));
    }
}
