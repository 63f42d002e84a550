package apps.servers;

import com.sun.net.httpserver.HttpServer;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * OkHttp (over {@code java.net.Socket}) fetching from the JDK's {@code HttpServer}, knowing nothing of MPTCP; no
 * connection pooling, so that every request is a connection. Prints {@code OK requests=N}.
 *
 * <p>Usage: {@code OkHttpApp <requests>}
 */
public final class OkHttpApp {
    public static void main(String[] args) throws Exception {
        int requests = Integer.parseInt(args[0]);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = ("hello " + exchange.getRequestURI().getQuery()).getBytes(StandardCharsets.US_ASCII);
            exchange.getResponseHeaders().add("Connection", "close");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        OkHttpClient client = new OkHttpClient.Builder()
                .connectionPool(new ConnectionPool(0, 1, TimeUnit.MILLISECONDS)).build();
        int port = server.getAddress().getPort();
        for (int i = 0; i < requests; i++) {
            Request request = new Request.Builder().url("http://127.0.0.1:" + port + "/?n=" + i)
                    .header("Connection", "close").build();
            try (Response response = client.newCall(request).execute()) {
                String body = response.body().string();
                if (response.code() != 200 || !body.equals("hello n=" + i)) {
                    System.out.println("WRONG answer " + response.code() + " " + body);
                    System.exit(1);
                }
            }
        }
        server.stop(0);
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
        System.out.println("OK requests=" + requests);
        System.exit(0);
    }
}
