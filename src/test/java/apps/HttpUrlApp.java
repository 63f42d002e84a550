package apps;

import com.sun.net.httpserver.HttpServer;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * {@code HttpURLConnection} (the JDK's own {@code java.net.Socket} user) fetching from the JDK's {@code HttpServer},
 * knowing nothing of MPTCP; keep-alive off, so that every request is a connection. Prints {@code OK requests=N}.
 *
 * <p>Usage: {@code HttpUrlApp <requests>}
 */
public final class HttpUrlApp {
    public static void main(String[] args) throws Exception {
        System.setProperty("http.keepAlive", "false");
        int requests = Integer.parseInt(args[0]);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = ("hello " + exchange.getRequestURI().getQuery()).getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        int port = server.getAddress().getPort();
        for (int i = 0; i < requests; i++) {
            HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/?n=" + i).openConnection();
            try (InputStream in = c.getInputStream()) {
                String body = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                if (c.getResponseCode() != 200 || !body.equals("hello n=" + i)) {
                    System.out.println("WRONG answer " + c.getResponseCode() + " " + body);
                    System.exit(1);
                }
            } finally {
                c.disconnect();
            }
        }
        server.stop(0);
        System.out.println("OK requests=" + requests);
        System.exit(0);
    }
}
