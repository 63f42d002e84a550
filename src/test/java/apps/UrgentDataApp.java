package apps;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;

/**
 * What an application sees of {@code setOOBInline(false)}, {@code getOOBInline()} and {@code sendUrgentData} on a
 * {@code java.net.Socket} and on a {@code SocketChannel}'s adaptor, and what the peer then reads: one line per
 * observation, {@code key=value} ({@code ok}, a value, or the exception). Knows nothing of MPTCP.
 */
public final class UrgentDataApp {
    public static void main(String[] args) throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                 Socket accepted = server.accept()) {
                observe("socket", client, accepted);
            }
            try (SocketChannel channel = SocketChannel.open(server.getLocalSocketAddress());
                 Socket accepted = server.accept()) {
                observe("channel", channel.socket(), accepted);
            }
        }
    }

    private static void observe(String kind, Socket s, Socket peer) throws Exception {
        System.out.println(kind + ".setOOBInline=" + outcome(() -> s.setOOBInline(false)));
        System.out.println(kind + ".acceptedSetOOBInline=" + outcome(() -> peer.setOOBInline(false)));
        System.out.println(kind + ".getOOBInline=" + value(s::getOOBInline));
        System.out.println(kind + ".sendUrgentData=" + outcome(() -> s.sendUrgentData(0x55)));
        s.getOutputStream().write('A');
        s.shutdownOutput();
        InputStream in = peer.getInputStream();
        StringBuilder got = new StringBuilder();
        for (int b; (b = in.read()) >= 0; ) {
            got.append(Integer.toHexString(b)).append(' ');
        }
        System.out.println(kind + ".peerRead=" + got.toString().trim());
    }

    private interface Action {
        void run() throws Exception;
    }

    private interface Value {
        Object get() throws Exception;
    }

    private static String outcome(Action a) {
        try {
            a.run();
            return "ok";
        } catch (Exception e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    private static String value(Value v) {
        try {
            return String.valueOf(v.get());
        } catch (Exception e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }
}
