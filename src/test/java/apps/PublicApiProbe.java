package apps;

import io.github.mptcpnio.Mptcp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Uses nothing but the exported API package (so it also runs with the library on the module path): opens channels
 * the ordinary way, echoes "MPTCP TEST" and prints what {@link Mptcp} reports as {@code key=value} lines.
 */
public final class PublicApiProbe {
    public static void main(String[] args) throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open();
             SocketChannel client = SocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            client.connect(listener.getLocalAddress());
            try (SocketChannel accepted = listener.accept()) {
                client.write(ByteBuffer.wrap("MPTCP TEST".getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer in = ByteBuffer.allocate(10);
                while (in.hasRemaining() && accepted.read(in) >= 0) {
                    // read all ten bytes
                }
                System.out.println("data=" + new String(in.array(), StandardCharsets.US_ASCII));
                System.out.println("available=" + Mptcp.isAvailable());
                System.out.println("listener.multipath=" + Mptcp.isMultipath(listener));
                System.out.println("client.multipath=" + Mptcp.isMultipath(client));
                System.out.println("accepted.multipath=" + Mptcp.isMultipath(accepted));
                System.out.println("client.info=" + Mptcp.info(client).isPresent());
                System.out.println("client.subflows=" + Mptcp.subflows(client).size());
            }
        } catch (UnsupportedOperationException e) {
            System.out.println("unsupported=" + e.getMessage());
        }
    }
}
