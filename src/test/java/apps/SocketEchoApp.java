package apps;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Random;

/**
 * A classic thread-per-connection {@code java.net.ServerSocket} echo server and blocking {@code java.net.Socket}
 * clients, knowing nothing of MPTCP. Each client sends {@code bytes} random bytes and checks the echo. Prints
 * {@code OK connections=N bytes=M} and exits 0, or exits 1 on any mismatch.
 *
 * <p>Usage: {@code SocketEchoApp <127.0.0.1|::1> <connections> <bytes>}
 */
public final class SocketEchoApp {
    public static void main(String[] args) throws Exception {
        InetAddress host = InetAddress.getByName(args[0]);
        int connections = Integer.parseInt(args[1]);
        int bytes = Integer.parseInt(args[2]);
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(host, 0));
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    Socket s = server.accept();
                    Thread t = new Thread(() -> echo(s), "echo");
                    t.setDaemon(true);
                    t.start();
                }
            } catch (Exception e) {
                System.out.println("server failed: " + e);
                System.exit(1);
            }
        }, "acceptor");
        acceptor.setDaemon(true);
        acceptor.start();

        Random random = new Random(42);
        long total = 0;
        for (int i = 0; i < connections; i++) {
            byte[] payload = new byte[bytes];
            random.nextBytes(payload);
            try (Socket client = new Socket(host, server.getLocalPort())) {
                Thread writer = new Thread(() -> {
                    try {
                        client.getOutputStream().write(payload);
                        client.shutdownOutput();
                    } catch (Exception e) {
                        System.out.println("write failed: " + e);
                        System.exit(1);
                    }
                });
                writer.start();
                byte[] echoed = new byte[bytes];
                new DataInputStream(client.getInputStream()).readFully(echoed);
                writer.join();
                if (!Arrays.equals(payload, echoed) || client.getInputStream().read() != -1) {
                    System.out.println("MISMATCH on connection " + i);
                    System.exit(1);
                }
                total += bytes;
            }
        }
        System.out.println("OK connections=" + connections + " bytes=" + total);
        System.exit(0);
    }

    private static void echo(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            in.transferTo(out);
        } catch (Exception e) {
            System.out.println("echo failed: " + e);
        }
    }
}
