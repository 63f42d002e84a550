package io.github.mptcpnio.internal.linux;

import java.io.IOException;

/**
 * A failed libc call: the call as written ({@code socket(AF_INET6, SOCK_STREAM, IPPROTO_MPTCP)}), errno and
 * strerror. Internal; the layer above maps it to the JDK's exception types.
 */
public final class NativeCallException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;
    private final String strerror;

    public NativeCallException(String call, int errno, String strerror) {
        super(call + " failed: " + strerror + " (errno " + errno + ")");
        this.call = call;
        this.errno = errno;
        this.strerror = strerror;
    }

    public String call() { return call; }

    public int errno() { return errno; }

    public String strerror() { return strerror; }
}
