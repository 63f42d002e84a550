package io.github.mptcpnio.testing;

import io.github.mptcpnio.Mptcp;
import io.github.mptcpnio.Subflow;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Under the agent: introspection of {@code java.net.Socket}, {@code ServerSocket} and asynchronous channels, printed as
 * {@code key=value}: whether each is multipath, the {@code MptcpInfo} bytes sent, the first subflow's local address
 * against the socket's own, and what a closed socket gives.
 */
public final class SocketIntrospectionProbe {
    public static void main(String[] args) throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 50, lo);
             Socket client = new Socket(lo, server.getLocalPort());
             Socket accepted = server.accept()) {
            client.getOutputStream().write(new byte[1000]);
            accepted.getInputStream().readNBytes(1000);
            System.out.println("serverSocket.multipath=" + Mptcp.isMultipath(server));
            System.out.println("socket.multipath=" + Mptcp.isMultipath(client));
            System.out.println("accepted.multipath=" + Mptcp.isMultipath(accepted));
            System.out.println("socket.bytesSent=" + Mptcp.info(client).orElseThrow().bytesSent().orElse(-1));
            List<Subflow> subflows = Mptcp.subflows(client);
            System.out.println("socket.subflows=" + subflows.size());
            System.out.println("socket.subflowIsOwn="
                    + subflows.get(0).local().equals(client.getLocalSocketAddress()));
            client.close();
            try {
                Mptcp.isMultipath(client);
                System.out.println("closedSocket=answered");
            } catch (Exception e) {
                System.out.println("closedSocket=" + e.getClass().getName() + ": " + e.getMessage());
            }
        }
        try (AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open()
                .bind(new InetSocketAddress(lo, 0));
             AsynchronousSocketChannel client = AsynchronousSocketChannel.open()) {
            client.connect(server.getLocalAddress()).get(10, TimeUnit.SECONDS);
            try (AsynchronousSocketChannel accepted = server.accept().get(10, TimeUnit.SECONDS)) {
                client.write(ByteBuffer.wrap(new byte[500])).get(10, TimeUnit.SECONDS);
                accepted.read(ByteBuffer.allocate(500)).get(10, TimeUnit.SECONDS);
                System.out.println("asyncServer.multipath=" + Mptcp.isMultipath(server));
                System.out.println("async.multipath=" + Mptcp.isMultipath(client));
                System.out.println("async.subflowIsOwn="
                        + Mptcp.subflows(client).get(0).local().equals(client.getLocalAddress()));
                System.out.println("async.info=" + Mptcp.info(accepted).isPresent());
            }
            client.close();
            try {
                Mptcp.isMultipath(client);
                System.out.println("closedAsync=answered");
            } catch (Exception e) {
                System.out.println("closedAsync=" + e.getClass().getName());
            }
        }
    }
}
