package apps;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * An unmodified application that opens one socket of every kind — {@code ServerSocket}, {@code Socket} (connected to
 * it), {@code ServerSocketChannel}, {@code SocketChannel}, {@code AsynchronousServerSocketChannel},
 * {@code AsynchronousSocketChannel} — binds the listeners and connects the clients (to the {@code ServerSocket}), prints
 * {@code pid=} and {@code ready=true}, and holds them for the given seconds.
 */
public final class KindsApp {
    public static void main(String[] args) throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ServerSocket listener = new ServerSocket(0, 50, lo);
             Socket socket = new Socket(lo, listener.getLocalPort());
             Socket accepted = listener.accept();
             ServerSocketChannel serverChannel = ServerSocketChannel.open();
             SocketChannel channel = SocketChannel.open();
             AsynchronousServerSocketChannel asyncServer = AsynchronousServerSocketChannel.open();
             AsynchronousSocketChannel async = AsynchronousSocketChannel.open()) {
            InetSocketAddress any = new InetSocketAddress(lo, 0);
            serverChannel.bind(any);
            channel.connect(listener.getLocalSocketAddress());
            asyncServer.bind(any);
            async.connect(listener.getLocalSocketAddress()).get();
            System.out.println("pid=" + ProcessHandle.current().pid());
            System.out.println("ready=true");
            Thread.sleep(1000L * Integer.parseInt(args[0]));
        }
    }
}
