package io.github.mptcpnio.internal;

import io.github.mptcpnio.internal.linux.Linux;
import io.github.mptcpnio.internal.linux.NativeCallException;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.ProtocolException;
import java.net.SocketException;

/**
 * errno to the JDK's own exception types, with the table of the JDK's {@code Net.c handleSocketError}, so that
 * {@code catch (ConnectException e)} in an application sees exactly what it would see from the JDK.
 */
public final class Errors {
    private Errors() {}

    /** The JDK exception for {@code errno}; {@code message} should name the call, context, strerror and errno. */
    public static IOException exception(int errno, String message) {
        switch (errno) {
            case Linux.EPROTO:
                return new ProtocolException(message);
            case Linux.ECONNREFUSED:
            case Linux.ETIMEDOUT:
            case Linux.ENOTCONN:
                return new ConnectException(message);
            case Linux.EHOSTUNREACH:
                return new NoRouteToHostException(message);
            case Linux.EADDRINUSE:
            case Linux.EADDRNOTAVAIL:
            case Linux.EACCES:
                return new BindException(message);
            default:
                return new SocketException(message);
        }
    }

    /** A failed call as the JDK exception, prefixed with what we were doing. */
    public static IOException exception(NativeCallException e, String context) {
        return exception(e.errno(), context == null ? e.getMessage() : context + ": " + e.getMessage());
    }

    /** Whether {@code errno} means the process or system ran out of a resource, not that MPTCP is refused. */
    public static boolean isResourceExhaustion(int errno) {
        return errno == Linux.EMFILE || errno == Linux.ENFILE || errno == Linux.ENOBUFS || errno == Linux.ENOMEM;
    }
}
