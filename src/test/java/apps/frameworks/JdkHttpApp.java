package apps.frameworks;

import com.sun.net.httpserver.HttpServer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/** The JDK's {@code com.sun.net.httpserver.HttpServer}, fetched by {@code java.net.http.HttpClient}. */
public final class JdkHttpApp {
    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", exchange -> {
            byte[] body = HttpLoad.reply(exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        HttpLoad.runAndExit("jdk-httpserver", URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                Integer.parseInt(args[0]));
    }
}
