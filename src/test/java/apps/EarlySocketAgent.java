package apps;

import java.lang.instrument.Instrumentation;
import java.net.ServerSocket;
import java.nio.channels.SocketChannel;

/**
 * A {@code -javaagent} that opens sockets in its own {@code premain}, as a monitoring agent might: placed before ours,
 * it makes the JDK load {@code sun.nio.ch.Net}, {@code NioSocketImpl} and {@code SocketChannelImpl} before our agent
 * runs, so that ours has to retransform them.
 */
public final class EarlySocketAgent {
    private EarlySocketAgent() {}

    public static void premain(String args, Instrumentation inst) throws Exception {
        try (ServerSocket s = new ServerSocket(0); SocketChannel c = SocketChannel.open()) {
            System.out.println("early.sockets=" + s.getLocalPort() + "," + c.isOpen());
        }
    }
}
