package apps.frameworks;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

import java.net.URI;

/** Jetty 12 (core handler API, ServerConnector = NIO). */
public final class JettyApp {
    public static void main(String[] args) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.setStatus(200);
                Content.Sink.write(response, true, HttpLoad.reply(Request.getPathInContext(request)), callback);
                return true;
            }
        });
        server.start();
        HttpLoad.runAndExit("jetty", URI.create("http://127.0.0.1:" + connector.getLocalPort()),
                Integer.parseInt(args[0]));
    }
}
