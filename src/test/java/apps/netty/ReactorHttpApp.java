package apps.netty;

import io.netty.channel.epoll.Epoll;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

import java.time.Duration;
import java.util.List;

/**
 * Reactor Netty (the server and client of Spring WebFlux), unmodified, with its default transport: an
 * {@code HttpServer} that answers {@code /hello/<n>} with {@code hello <n>}, and an {@code HttpClient} sending
 * {@code requests} requests, {@code concurrency} at a time over as many pooled connections. Every answer is checked.
 * Prints the server channel's class and {@code reactor-netty OK requests=N}.
 *
 * <p>Arguments: {@code requests concurrency}.
 */
public final class ReactorHttpApp {
    /** "absent" without the io_uring transport on the class path; else whether it works here, and if not why. */
    static String ioUring() {
        try {
            Class.forName("io.netty.channel.uring.IoUring");
        } catch (ClassNotFoundException e) {
            return "absent";
        }
        return io.netty.channel.uring.IoUring.isAvailable() ? "true"
                : "false " + io.netty.channel.uring.IoUring.unavailabilityCause();
    }

    public static void main(String[] args) throws Exception {
        int requests = Integer.parseInt(args[0]);
        int concurrency = Integer.parseInt(args[1]);
        System.out.println("epoll=" + Epoll.isAvailable());
        System.out.println("io_uring=" + ioUring());
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.get("/hello/{n}", (request, response) ->
                        response.sendString(Mono.just("hello " + request.param("n")))))
                .bindNow(Duration.ofSeconds(10));
        System.out.println("server=" + server.channel().getClass().getSimpleName());
        ConnectionProvider pool = ConnectionProvider.builder("app").maxConnections(concurrency).build();
        try {
            HttpClient client = HttpClient.create(pool).baseUrl("http://127.0.0.1:" + server.port());
            List<Boolean> answers = Flux.range(0, requests)
                    .flatMap(n -> client.get().uri("/hello/" + n).responseContent().aggregate().asString()
                            .map(body -> body.equals("hello " + n)), concurrency)
                    .collectList().block(Duration.ofSeconds(60));
            long ok = answers.stream().filter(Boolean::booleanValue).count();
            AgentView.printKinds();
            System.out.println("reactor-netty OK requests=" + ok);
            System.exit(ok == requests ? 0 : 1);
        } finally {
            pool.disposeLater().block(Duration.ofSeconds(5));
            server.disposeNow(Duration.ofSeconds(5));
        }
    }
}
