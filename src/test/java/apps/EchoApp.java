package apps;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Random;

/**
 * An ordinary NIO program that knows nothing of MPTCP (it never imports io.github.mptcpnio): a selector-driven
 * echo server on a loopback address and {@code connections} blocking clients that each send {@code bytes} random
 * bytes and check the echo. Prints {@code OK connections=N bytes=M} and exits 0, or exits 1 on any mismatch.
 *
 * <p>Usage: {@code EchoApp <127.0.0.1|::1> <connections> <bytes>}
 */
public final class EchoApp {
    public static void main(String[] args) throws Exception {
        InetAddress host = InetAddress.getByName(args[0]);
        int connections = Integer.parseInt(args[1]);
        int bytes = Integer.parseInt(args[2]);
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(host, 0));
        server.configureBlocking(false);
        Selector selector = Selector.open();
        server.register(selector, SelectionKey.OP_ACCEPT);
        Thread echo = new Thread(() -> serve(selector), "echo-server");
        echo.setDaemon(true);
        echo.start();

        Random random = new Random(42);
        long total = 0;
        for (int i = 0; i < connections; i++) {
            byte[] payload = new byte[bytes];
            random.nextBytes(payload);
            try (SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
                ByteBuffer out = ByteBuffer.wrap(payload);
                ByteBuffer in = ByteBuffer.allocate(bytes);
                while (out.hasRemaining() || in.hasRemaining()) {
                    if (out.hasRemaining()) {
                        client.write(out);
                    }
                    if (in.hasRemaining() && client.read(in) < 0) {
                        break;
                    }
                }
                if (!Arrays.equals(payload, in.array())) {
                    System.out.println("MISMATCH on connection " + i);
                    System.exit(1);
                }
                total += bytes;
            }
        }
        System.out.println("OK connections=" + connections + " bytes=" + total);
        System.exit(0);
    }

    private static void serve(Selector selector) {
        try {
            while (true) {
                selector.select();
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (key.isAcceptable()) {
                        SocketChannel ch = ((ServerSocketChannel) key.channel()).accept();
                        if (ch != null) {
                            ch.configureBlocking(false);
                            ch.register(selector, SelectionKey.OP_READ, ByteBuffer.allocate(64 * 1024));
                        }
                    } else if (key.isReadable()) {
                        SocketChannel ch = (SocketChannel) key.channel();
                        ByteBuffer buf = (ByteBuffer) key.attachment();
                        if (ch.read(buf) < 0) {
                            key.cancel();
                            ch.close();
                            continue;
                        }
                        buf.flip();
                        while (buf.hasRemaining()) {
                            ch.write(buf); // loopback: a short spin when the send buffer is full is acceptable here
                        }
                        buf.clear();
                    }
                }
            }
        } catch (Exception e) {
            System.out.println("server failed: " + e);
            System.exit(1);
        }
    }
}
