package apps;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/** Datagram and UNIX-domain sockets, one exchange each, printing {@code kind=ok} or the failure. */
public final class UntouchedApp {
    public static void main(String[] args) throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (DatagramSocket a = new DatagramSocket(0, lo); DatagramSocket b = new DatagramSocket(0, lo)) {
            a.send(new DatagramPacket(new byte[] {7}, 1, b.getLocalSocketAddress()));
            DatagramPacket p = new DatagramPacket(new byte[1], 1);
            b.setSoTimeout(5000);
            b.receive(p);
            System.out.println("datagramSocket=" + (p.getData()[0] == 7 ? "ok" : "wrong"));
        }
        try (DatagramChannel a = DatagramChannel.open().bind(new InetSocketAddress(lo, 0));
             DatagramChannel b = DatagramChannel.open().bind(new InetSocketAddress(lo, 0))) {
            a.send(ByteBuffer.wrap(new byte[] {8}), b.getLocalAddress());
            ByteBuffer in = ByteBuffer.allocate(1);
            b.receive(in);
            System.out.println("datagramChannel=" + (in.get(0) == 8 ? "ok" : "wrong"));
        }
        Path dir = Files.createTempDirectory("mptcpnio-unix");
        Path path = dir.resolve("s");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(path));
             SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path));
             SocketChannel accepted = server.accept()) {
            client.write(ByteBuffer.wrap(new byte[] {9}));
            ByteBuffer in = ByteBuffer.allocate(1);
            accepted.read(in);
            System.out.println("unixChannel=" + (in.get(0) == 9 ? "ok" : "wrong"));
        } finally {
            Files.deleteIfExists(path);
            Files.delete(dir);
        }
    }
}
