package io.github.mptcpnio.internal.linux;

/**
 * Every Linux constant the library uses, with the header it comes from. Values are the generic Linux ABI
 * (x86-64, aarch64, riscv64, s390x, ppc64); errno values differ on alpha, mips and sparc, which we do not support.
 * No magic numbers anywhere else.
 */
public final class Linux {
    private Linux() {}

    // <bits/socket.h>, <linux/socket.h>
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    // <bits/socket_type.h>
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_CLOEXEC = 0x80000;
    /** {@code SOCK_NONBLOCK = O_NONBLOCK} (x86, arm, most architectures). */
    public static final int SOCK_NONBLOCK = 0x800;
    // <netinet/in.h>, include/uapi/linux/in.h
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_IPV6 = 41;
    /** include/uapi/linux/in.h: {@code IPPROTO_MPTCP = 262}. */
    public static final int IPPROTO_MPTCP = 262;

    // include/uapi/asm-generic/socket.h
    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_PROTOCOL = 38;
    /** {@code SO_ACCEPTCONN}: 1 for a listening socket. */
    public static final int SO_ACCEPTCONN = 30;
    public static final int SO_DOMAIN = 39;
    // include/uapi/linux/in6.h
    public static final int IPV6_V6ONLY = 26;
    // include/linux/socket.h
    public static final int SOL_TCP = 6;
    /** include/linux/socket.h: {@code SOL_MPTCP = 284}. */
    public static final int SOL_MPTCP = 284;
    /** include/uapi/linux/tcp.h: {@code TCP_USER_TIMEOUT = 18}. */
    public static final int TCP_USER_TIMEOUT = 18;
    /** include/uapi/linux/tcp.h (kernel 6.10+): {@code TCP_IS_MPTCP = 43}. */
    public static final int TCP_IS_MPTCP = 43;

    // include/uapi/linux/mptcp.h
    /** {@code struct mptcp_info} (kernel 5.16+ through getsockopt). */
    public static final int MPTCP_INFO = 1;
    /** {@code struct mptcp_subflow_data} + array of {@code struct tcp_info} (5.16+). */
    public static final int MPTCP_TCPINFO = 2;
    /** {@code struct mptcp_subflow_data} + array of {@code struct mptcp_subflow_addrs} (5.16+). */
    public static final int MPTCP_SUBFLOW_ADDRS = 3;
    /** {@code struct mptcp_full_info} (6.5+). */
    public static final int MPTCP_FULL_INFO = 4;
    /** {@code MPTCP_INFO_FLAG_FALLBACK}, bit 0 of {@code mptcpi_flags}. */
    public static final long MPTCP_INFO_FLAG_FALLBACK = 1L;
    /** {@code MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED}, bit 1 of {@code mptcpi_flags}. */
    public static final long MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED = 2L;

    // include/uapi/asm-generic/fcntl.h
    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int FD_CLOEXEC = 1;
    public static final int O_RDWR = 0x2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;

    // include/linux/socket.h, include/uapi/asm-generic/poll.h
    public static final int MSG_PEEK = 0x2;
    public static final int MSG_DONTWAIT = 0x40;
    // <sys/epoll.h>; struct epoll_event is packed on x86-64 (its data at offset 4), natural on aarch64 (offset 8)
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_EVENT_DATA_OFFSET = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch")) ? 4 : 8;
    public static final int POLLIN = 0x1;
    public static final int POLLERR = 0x8;
    public static final int POLLHUP = 0x10;
    public static final int POLLRDHUP = 0x2000;

    // include/uapi/asm-generic/errno-base.h, errno.h
    public static final int EPERM = 1;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int EPROTO = 71;
    public static final int ENOTSOCK = 88;
    public static final int ENOPROTOOPT = 92;
    public static final int EPROTONOSUPPORT = 93;
    public static final int EOPNOTSUPP = 95;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int ENOBUFS = 105;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;

    /** The name a log or message uses for a socket domain. */
    public static String domainName(int domain) {
        switch (domain) {
            case AF_INET: return "AF_INET";
            case AF_INET6: return "AF_INET6";
            case AF_UNIX: return "AF_UNIX";
            default: return "domain " + domain;
        }
    }
}
