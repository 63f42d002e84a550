package apps.frameworks;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

import java.net.URI;
import java.util.concurrent.TimeUnit;

/** Vert.x 5 HTTP server (Netty's NIO transport when no native transport is on the class path). */
public final class VertxApp {
    public static void main(String[] args) throws Exception {
        Vertx vertx = Vertx.vertx();
        HttpServer server = vertx.createHttpServer()
                .requestHandler(request -> request.response().end(HttpLoad.reply(request.path())))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        HttpLoad.runAndExit("vertx", URI.create("http://127.0.0.1:" + server.actualPort()), Integer.parseInt(args[0]));
    }
}
