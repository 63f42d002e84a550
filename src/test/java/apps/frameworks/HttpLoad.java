package apps.frameworks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The client side of every framework app: {@code java.net.http.HttpClient} (HTTP/1.1) sends {@code requests} GETs
 * to {@code base/hello/<i>}, all at once, and checks that each answer is {@code hello <i>}. Prints
 * {@code OK requests=N} and exits 0, or prints what was wrong and exits 1. Knows nothing of MPTCP.
 */
public final class HttpLoad {
    private HttpLoad() {}

    public static void runAndExit(String framework, URI base, int requests) {
        int status = 1;
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                HttpRequest request = HttpRequest.newBuilder(base.resolve("/hello/" + i))
                        .timeout(Duration.ofSeconds(20)).build();
                answers.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            }
            int ok = 0;
            for (int i = 0; i < requests; i++) {
                HttpResponse<String> r = answers.get(i).join();
                if (r.statusCode() == 200 && r.body().equals("hello " + i)) {
                    ok++;
                } else {
                    System.out.println("WRONG answer to " + i + ": " + r.statusCode() + " " + r.body());
                }
            }
            System.out.println(framework + " OK requests=" + ok);
            status = ok == requests ? 0 : 1;
        } catch (RuntimeException e) {
            System.out.println(framework + " FAILED " + e);
        }
        System.exit(status); // stops the framework's threads too
    }

    /** The number at the end of {@code /hello/<i>}. */
    public static String reply(String path) {
        return "hello " + path.substring(path.lastIndexOf('/') + 1);
    }
}
