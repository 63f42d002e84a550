package io.github.mptcpnio.internal;

/**
 * The kind of a socket at its creation, as the counters and the JFR fallback event name it: the Java class an
 * application sees, by role. Under the agent the JDK classes behind {@code java.net} sockets and asynchronous channels
 * tell it (a marker the class rewriting puts before their {@code Net.socket}/{@code Net.serverSocket} call); an
 * unmarked request is a channel's, unless a marked class could not be rewritten: then it is unknown, by role. A
 * socket of Netty's native transports is a Netty channel's; its role is read from the stack that creates it.
 */
public enum SocketKind {
    SOCKET("Socket"), SERVER_SOCKET("ServerSocket"),
    SOCKET_CHANNEL("SocketChannel"), SERVER_SOCKET_CHANNEL("ServerSocketChannel"),
    ASYNCHRONOUS_SOCKET_CHANNEL("AsynchronousSocketChannel"),
    ASYNCHRONOUS_SERVER_SOCKET_CHANNEL("AsynchronousServerSocketChannel"),
    NETTY_SOCKET_CHANNEL("Netty native SocketChannel"), NETTY_SERVER_SOCKET_CHANNEL("Netty native ServerSocketChannel"),
    UNKNOWN_CLIENT("unknown client"), UNKNOWN_LISTENER("unknown listener");

    /** The marker codes the rewritten JDK classes pass: which API family asks for the socket. */
    public static final int JAVA_NET = 1;
    public static final int CHANNEL = 2;
    public static final int ASYNCHRONOUS = 3;
    /** Netty's native transports (epoll, io_uring, relocated copies): their {@code channel.unix.Socket}. */
    public static final int NETTY = 4;

    private static final SocketKind[] VALUES = values();

    private final String label;

    SocketKind(String label) {
        this.label = label;
    }

    /** The Java class name (or "unknown ..."). */
    public String label() {
        return label;
    }

    /** Whether it is a socket of Netty's native transports. */
    public boolean netty() {
        return ordinal() / 2 == NETTY - 1;
    }

    /** Whether it listens. */
    public boolean listener() {
        return (ordinal() & 1) != 0;
    }

    /**
     * The kind for a marker code ({@link #JAVA_NET}, {@link #CHANNEL}, {@link #ASYNCHRONOUS}, {@link #NETTY}; 0:
     * none) and role.
     */
    public static SocketKind of(int code, boolean listener) {
        int family = code >= JAVA_NET && code <= NETTY ? code - 1 : 4;
        return VALUES[family * 2 + (listener ? 1 : 0)];
    }
}
