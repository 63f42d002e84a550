package io.github.mptcpnio.internal.linux;

import io.github.mptcpnio.MptcpSelectorProvider;
import io.github.mptcpnio.Subflow;
import io.github.mptcpnio.internal.JdkShim;
import io.github.mptcpnio.testing.RequiresMptcp;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both ways of listing subflows agree on a live connection: {@code MPTCP_FULL_INFO} (Linux 6.5+, what this kernel
 * takes) and {@code MPTCP_SUBFLOW_ADDRS} + {@code MPTCP_TCPINFO} (the path for 5.16 to 6.4, which would otherwise
 * never run here).
 */
@RequiresMptcp
class SubflowOptionsIT {

    @Test
    void fullInfoAndTheOlderPairOfOptionsAgree() throws Exception {
        SelectorProvider provider = new MptcpSelectorProvider();
        Sockets sockets = Sockets.instance().orElseThrow();
        try (ServerSocketChannel listener = provider.openServerSocketChannel()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel client = provider.openSocketChannel()) {
                client.connect(listener.getLocalAddress());
                try (SocketChannel accepted = listener.accept()) {
                    client.write(ByteBuffer.wrap(new byte[5000]));
                    ByteBuffer in = ByteBuffer.allocate(5000);
                    while (in.hasRemaining()) {
                        accepted.read(in);
                    }
                    int fd = JdkShim.fd(client);
                    List<Subflow> full = sockets.fullInfo(fd);
                    List<Subflow> pair = sockets.addrsAndTcpInfo(fd);
                    assertEquals(1, full.size(), full::toString);
                    assertEquals(1, pair.size(), pair::toString);
                    Subflow f = full.get(0);
                    Subflow p = pair.get(0);
                    assertEquals(client.getLocalAddress(), p.local());
                    assertEquals(client.getRemoteAddress(), p.remote());
                    assertEquals(f.local(), p.local());
                    assertEquals(f.remote(), p.remote());
                    assertEquals(f.state(), p.state());
                    assertEquals(f.mss(), p.mss());
                    assertTrue(p.bytesAcked() >= 5000 && f.bytesAcked() >= 5000, p + " / " + f);
                    assertEquals(0, p.id(), "the older options carry no subflow id");
                    assertTrue(f.id() > 0, "MPTCP_FULL_INFO carries the id");
                }
            }
        }
    }
}
