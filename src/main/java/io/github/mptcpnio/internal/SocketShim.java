package io.github.mptcpnio.internal;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketImpl;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NetworkChannel;
import java.util.function.BooleanSupplier;

/**
 * The descriptor of a socket that is not one of the JDK's selectable channels — {@code java.net.Socket},
 * {@code ServerSocket}, asynchronous channels — for introspection, together with the check that tells, after the
 * kernel was asked, whether the descriptor number still belonged to that socket. It reads private fields of
 * {@code java.net} and {@code sun.nio.ch}, which the agent opens to the library (or
 * {@code --add-opens java.base/java.net=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED}); the JDK-specific
 * knowledge stays in this class, as {@link JdkShim} holds the switch's.
 */
public final class SocketShim {
    private SocketShim() {}

    static final String OPENS_FLAGS = "--add-opens java.base/java.net=ALL-UNNAMED --add-opens "
            + "java.base/sun.nio.ch=ALL-UNNAMED";

    /** A socket's descriptor number, read while it was open, and the check to make after using it. */
    public static final class Held {
        private final int fd;
        private final BooleanSupplier check;

        Held(int fd, BooleanSupplier check) {
            this.fd = fd;
            this.check = check;
        }

        public int fd() {
            return fd;
        }

        /** Whether the number has belonged to the socket all along: still open, same number. */
        public boolean stillHeld() {
            return check.getAsBoolean();
        }
    }

    /** A channel's descriptor: the JDK marks a channel closed before it releases the descriptor. */
    static Held ofChannel(Channel channel, int fd) {
        return new Held(fd, channel::isOpen);
    }

    private static final class Handles {
        static final MethodHandle SOCKET_IMPL;        // Socket.impl
        static final MethodHandle SERVER_SOCKET_IMPL; // ServerSocket.impl
        static final MethodHandle IMPL_FD;            // SocketImpl.fd
        static final MethodHandle DELEGATE;           // DelegatingSocketImpl.delegate, or null
        static final MethodHandle ASYNC_FD;           // AsynchronousSocketChannelImpl.fd
        static final MethodHandle ASYNC_SERVER_FD;    // AsynchronousServerSocketChannelImpl.fd
        static final MethodHandle FD_VAL;             // IOUtil.fdVal(FileDescriptor)
        static final Throwable FAILURE;

        static {
            MethodHandle socketImpl = null;
            MethodHandle serverSocketImpl = null;
            MethodHandle implFd = null;
            MethodHandle delegate = null;
            MethodHandle asyncFd = null;
            MethodHandle asyncServerFd = null;
            MethodHandle fdVal = null;
            Throwable failure = null;
            try {
                MethodHandles.Lookup me = MethodHandles.lookup();
                socketImpl = MethodHandles.privateLookupIn(Socket.class, me)
                        .findGetter(Socket.class, "impl", SocketImpl.class);
                serverSocketImpl = MethodHandles.privateLookupIn(ServerSocket.class, me)
                        .findGetter(ServerSocket.class, "impl", SocketImpl.class);
                implFd = MethodHandles.privateLookupIn(SocketImpl.class, me)
                        .findGetter(SocketImpl.class, "fd", FileDescriptor.class);
                try {
                    Class<?> delegating = Class.forName("java.net.DelegatingSocketImpl", false, null);
                    delegate = MethodHandles.privateLookupIn(delegating, me)
                            .findGetter(delegating, "delegate", SocketImpl.class);
                } catch (ClassNotFoundException | NoSuchFieldException absent) {
                    delegate = null; // a JDK without delegating impls: every impl holds its own descriptor
                }
                Class<?> async = Class.forName("sun.nio.ch.AsynchronousSocketChannelImpl", false, null);
                asyncFd = MethodHandles.privateLookupIn(async, me).findGetter(async, "fd", FileDescriptor.class);
                Class<?> asyncServer = Class.forName("sun.nio.ch.AsynchronousServerSocketChannelImpl", false, null);
                asyncServerFd = MethodHandles.privateLookupIn(asyncServer, me)
                        .findGetter(asyncServer, "fd", FileDescriptor.class);
                Class<?> ioUtil = Class.forName("sun.nio.ch.IOUtil", false, null);
                fdVal = MethodHandles.privateLookupIn(ioUtil, me)
                        .findStatic(ioUtil, "fdVal", MethodType.methodType(int.class, FileDescriptor.class));
            } catch (ReflectiveOperationException | RuntimeException e) { // not opened to us, or another JDK
                failure = e;
            }
            SOCKET_IMPL = socketImpl;
            SERVER_SOCKET_IMPL = serverSocketImpl;
            IMPL_FD = implFd;
            DELEGATE = delegate;
            ASYNC_FD = asyncFd;
            ASYNC_SERVER_FD = asyncServerFd;
            FD_VAL = fdVal;
            FAILURE = failure;
        }
    }

    private static void requireAccess() {
        if (Handles.FAILURE != null) {
            throw new UnsupportedOperationException("no access to the descriptors of java.net sockets and "
                    + "asynchronous channels (" + Handles.FAILURE + "): start the JVM with -javaagent:"
                    + "mptcp-nio-<version>-all.jar, or add " + OPENS_FLAGS, Handles.FAILURE);
        }
    }

    /** Whether {@code channel} is an asynchronous socket channel of the JDK's. */
    static boolean isAsynchronous(Channel channel) {
        return channel instanceof AsynchronousSocketChannel || channel instanceof AsynchronousServerSocketChannel;
    }

    /** The descriptor of an open asynchronous channel; the check is the channel's own {@code isOpen()}. */
    static Held asynchronous(NetworkChannel channel) throws IOException {
        requireAccess();
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
        FileDescriptor fdo = (FileDescriptor) invoke(channel instanceof AsynchronousServerSocketChannel
                ? Handles.ASYNC_SERVER_FD : Handles.ASYNC_FD, channel);
        int fd = fdVal(fdo);
        if (fd < 0) {
            throw new ClosedChannelException();
        }
        return ofChannel(channel, fd);
    }

    /**
     * The descriptor of an open {@code Socket} or {@code ServerSocket} that has no channel. The JDK marks such a socket
     * closed only after closing its descriptor, but its {@code FileDescriptor} reads -1 before the number is released:
     * the check is that the same number is still there.
     */
    static Held javaNet(Object socket, boolean closed) throws IOException {
        requireAccess();
        if (closed) {
            throw new java.net.SocketException("Socket is closed");
        }
        SocketImpl impl = (SocketImpl) invoke(socket instanceof ServerSocket ? Handles.SERVER_SOCKET_IMPL
                : Handles.SOCKET_IMPL, socket);
        FileDescriptor fdo = impl == null ? null : implFd(impl);
        int fd = fdo == null ? -1 : fdVal(fdo);
        if (fd < 0) { // not created yet (a socket is created at its first use) or closed meanwhile
            throw new java.net.SocketException("Socket is not created or closed");
        }
        return new Held(fd, () -> fdVal(fdo) == fd); // the FileDescriptor reads -1 before the number is released
    }

    private static FileDescriptor implFd(SocketImpl impl) {
        FileDescriptor fdo = (FileDescriptor) invoke(Handles.IMPL_FD, impl);
        if (fdo == null && Handles.DELEGATE != null && Handles.DELEGATE.type().parameterType(0).isInstance(impl)) {
            SocketImpl delegate = (SocketImpl) invoke(Handles.DELEGATE, impl);
            return delegate == null ? null : implFd(delegate);
        }
        return fdo;
    }

    private static int fdVal(FileDescriptor fdo) {
        try {
            return (int) Handles.FD_VAL.invokeExact(fdo);
        } catch (Throwable t) {
            throw new IllegalStateException("IOUtil.fdVal failed", t);
        }
    }

    private static Object invoke(MethodHandle getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (Throwable t) {
            throw new IllegalStateException("reading " + getter + " failed", t);
        }
    }
}
