package apps.frameworks;

import io.undertow.Undertow;

import java.net.InetSocketAddress;
import java.net.URI;

/** Undertow 2.3 (XNIO's NIO provider, which takes {@code SelectorProvider.provider()}). */
public final class UndertowApp {
    public static void main(String[] args) {
        Undertow server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setHandler(exchange -> exchange.getResponseSender().send(HttpLoad.reply(exchange.getRequestPath())))
                .build();
        server.start();
        int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        HttpLoad.runAndExit("undertow", URI.create("http://127.0.0.1:" + port), Integer.parseInt(args[0]));
    }
}
