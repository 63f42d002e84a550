package apps;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * An {@code AsynchronousServerSocketChannel} echo server with completion handlers, and
 * {@code AsynchronousSocketChannel} clients using futures, knowing nothing of MPTCP. Prints
 * {@code OK connections=N bytes=M} and exits 0, or exits 1 on any mismatch.
 *
 * <p>Usage: {@code AsyncEchoApp <127.0.0.1|::1> <connections> <bytes>}
 */
public final class AsyncEchoApp {
    public static void main(String[] args) throws Exception {
        InetAddress host = InetAddress.getByName(args[0]);
        int connections = Integer.parseInt(args[1]);
        int bytes = Integer.parseInt(args[2]);
        AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open()
                .bind(new InetSocketAddress(host, 0));
        server.accept(null, new CompletionHandler<AsynchronousSocketChannel, Void>() {
            @Override
            public void completed(AsynchronousSocketChannel ch, Void unused) {
                server.accept(null, this);
                ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
                ch.read(buf, null, new CompletionHandler<Integer, Void>() {
                    @Override
                    public void completed(Integer n, Void v) {
                        if (n < 0) {
                            close(ch);
                            return;
                        }
                        buf.flip();
                        try {
                            while (buf.hasRemaining()) {
                                ch.write(buf).get(10, TimeUnit.SECONDS);
                            }
                        } catch (Exception e) {
                            close(ch);
                            return;
                        }
                        buf.clear();
                        ch.read(buf, null, this);
                    }

                    @Override
                    public void failed(Throwable t, Void v) {
                        close(ch);
                    }
                });
            }

            @Override
            public void failed(Throwable t, Void unused) {
                if (server.isOpen()) {
                    System.out.println("accept failed: " + t);
                    System.exit(1);
                }
            }
        });

        Random random = new Random(42);
        long total = 0;
        for (int i = 0; i < connections; i++) {
            byte[] payload = new byte[bytes];
            random.nextBytes(payload);
            try (AsynchronousSocketChannel client = AsynchronousSocketChannel.open()) {
                client.connect(server.getLocalAddress()).get(10, TimeUnit.SECONDS);
                ByteBuffer out = ByteBuffer.wrap(payload);
                while (out.hasRemaining()) {
                    client.write(out).get(10, TimeUnit.SECONDS);
                }
                ByteBuffer in = ByteBuffer.allocate(bytes);
                while (in.hasRemaining() && client.read(in).get(10, TimeUnit.SECONDS) >= 0) {
                    // until the echo is complete
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

    private static void close(AsynchronousSocketChannel ch) {
        try {
            ch.close();
        } catch (Exception ignored) {
            // the client is gone
        }
    }
}
