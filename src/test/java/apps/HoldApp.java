package apps;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * An unmodified application that holds one loopback connection open: a {@code ServerSocket}, a {@code Socket} client,
 * 1000 bytes from the client to the accepted side; prints {@code pid=}, {@code local=}, {@code remote=} (the client's
 * ends) and {@code ready=true}, then holds it for the given seconds (default 30) or until it is killed. A third
 * argument opens that many more connections to the same listener (both ends held) before {@code ready=true}.
 */
public final class HoldApp {
    public static void main(String[] args) throws Exception {
        InetAddress lo = InetAddress.getByName(args.length > 0 ? args[0] : "127.0.0.1");
        try (ServerSocket listener = new ServerSocket(0, 50, lo);
             Socket client = new Socket(lo, listener.getLocalPort());
             Socket accepted = listener.accept()) {
            client.getOutputStream().write(new byte[1000]);
            InputStream in = accepted.getInputStream();
            in.readNBytes(1000);
            System.out.println("pid=" + ProcessHandle.current().pid());
            System.out.println("local=" + client.getLocalSocketAddress());
            System.out.println("remote=" + client.getRemoteSocketAddress());
            java.util.List<Socket> more = new java.util.ArrayList<>();
            for (int i = 0; i < (args.length > 2 ? Integer.parseInt(args[2]) : 0); i++) {
                more.add(new Socket(lo, listener.getLocalPort()));
                more.add(listener.accept());
            }
            System.out.println("ready=true");
            Thread.sleep(1000L * (args.length > 1 ? Integer.parseInt(args[1]) : 30));
        }
    }
}
