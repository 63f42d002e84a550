package io.github.mptcpnio.internal.linux;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Turns a TCP socket that is not connected yet into an MPTCP socket (or back), under the same descriptor number, with
 * everything the application did to it carried over: every socket option it changed from a new socket's default
 * (read back from the kernel, compared with a new socket of the same domain and protocol), the file status and
 * descriptor flags, and the bound address. Used where the agent's rules decide: a client just before its connect, a
 * listener just before its bind.
 *
 * <p>An option the new protocol refuses (on 6.18's MPTCP: {@code TCP_QUICKACK}, {@code IPV6_TCLASS},
 * {@code TCP_USER_TIMEOUT}, ...) means the application asked for something only the socket it has gives: the socket
 * is left as it is, and the option is named ({@link Outcome#refusedOption()}) — except the one option the caller
 * allows to be left behind ({@code TCP_USER_TIMEOUT} for Netty, whose refusal the agent defuses).
 */
public final class ProtocolSwitch {
    // <asm-generic/socket.h>, <linux/in.h>, <linux/in6.h>, <linux/tcp.h>
    private static final int SOL_IP = 0;
    private static final int IPPROTO_IPV6 = Linux.IPPROTO_IPV6;

    /** An option the application may have set before connect or bind. */
    private static final class Option {
        final int level;
        final int name;
        final String label;
        final boolean inet6Only;
        final boolean halved; // SO_SNDBUF/SO_RCVBUF read back doubled
        final boolean linger; // struct linger

        Option(int level, int name, String label, boolean inet6Only, boolean halved, boolean linger) {
            this.level = level;
            this.name = name;
            this.label = label;
            this.inet6Only = inet6Only;
            this.halved = halved;
            this.linger = linger;
        }
    }

    private static Option so(int name, String label) {
        return new Option(Linux.SOL_SOCKET, name, label, false, false, false);
    }

    private static Option tcp(int name, String label) {
        return new Option(Linux.IPPROTO_TCP, name, label, false, false, false);
    }

    /**
     * Every option the JDK (standard and extended options, {@code java.net.Socket}'s legacy setters) or Netty's
     * native transports can set on a TCP socket before it connects or listens. {@code TCP_MD5SIG} cannot be read
     * back and is not carried (docs/compatibility.md).
     */
    private static final Option[] OPTIONS = {
        so(Linux.SO_REUSEADDR, "SO_REUSEADDR"), so(15, "SO_REUSEPORT"), so(9, "SO_KEEPALIVE"),
        new Option(Linux.SOL_SOCKET, 7, "SO_SNDBUF", false, true, false),
        new Option(Linux.SOL_SOCKET, 8, "SO_RCVBUF", false, true, false),
        new Option(Linux.SOL_SOCKET, 13, "SO_LINGER", false, false, true),
        so(10, "SO_OOBINLINE"), so(12, "SO_PRIORITY"), so(18, "SO_RCVLOWAT"), so(36, "SO_MARK"),
        so(46, "SO_BUSY_POLL"),
        new Option(SOL_IP, 1, "IP_TOS", false, false, false),
        new Option(SOL_IP, 15, "IP_FREEBIND", false, false, false),
        new Option(SOL_IP, 19, "IP_TRANSPARENT", false, false, false),
        new Option(SOL_IP, 24, "IP_BIND_ADDRESS_NO_PORT", false, false, false),
        new Option(IPPROTO_IPV6, Linux.IPV6_V6ONLY, "IPV6_V6ONLY", true, false, false),
        new Option(IPPROTO_IPV6, 67, "IPV6_TCLASS", true, false, false),
        tcp(1, "TCP_NODELAY"), tcp(2, "TCP_MAXSEG"), tcp(3, "TCP_CORK"), tcp(4, "TCP_KEEPIDLE"),
        tcp(5, "TCP_KEEPINTVL"), tcp(6, "TCP_KEEPCNT"), tcp(7, "TCP_SYNCNT"), tcp(8, "TCP_LINGER2"),
        tcp(9, "TCP_DEFER_ACCEPT"), tcp(10, "TCP_WINDOW_CLAMP"), tcp(12, "TCP_QUICKACK"),
        tcp(Linux.TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT"), tcp(23, "TCP_FASTOPEN"), tcp(25, "TCP_NOTSENT_LOWAT"),
        tcp(30, "TCP_FASTOPEN_CONNECT"),
    };

    /** A value no option has: the option could not be read on that socket. */
    private static final long UNREADABLE = Long.MIN_VALUE;

    private final LibC libc;
    /** A new socket's option values, per (domain, protocol), read once: what "changed by the application" means. */
    private final AtomicReferenceArray<long[]> defaults = new AtomicReferenceArray<>(4);

    ProtocolSwitch(LibC libc) {
        this.libc = libc;
    }

    /** What a switch did. */
    public static final class Outcome {
        private static final Outcome DONE = new Outcome(null, -1);
        private final String refusedOption;
        private final int droppedValue;

        private Outcome(String refusedOption, int droppedValue) {
            this.refusedOption = refusedOption;
            this.droppedValue = droppedValue;
        }

        /**
         * The value of the one option the caller allowed to be left behind that the new protocol refused (the
         * socket switched without it); -1 if none was.
         */
        public int droppedValue() {
            return droppedValue;
        }

        /** Whether the socket now has the protocol asked for. */
        public boolean switched() {
            return refusedOption == null;
        }

        /** The option the application set that the new protocol refuses: the socket was left as it was. */
        public String refusedOption() {
            return refusedOption;
        }
    }

    /**
     * Makes the unconnected socket {@code fd} of the given domain an MPTCP ({@code mptcp}) or TCP socket under the same
     * number. Nothing is done to {@code fd} unless the new socket took every option; {@code dup3} then replaces it
     * atomically, and a bound address is bound again (the old socket released it as {@code dup3} closed it).
     *
     * @throws NativeCallException when a system call fails: {@code fd} is untouched, unless re-binding the address
     *     failed ({@code bind} in the message), which leaves {@code fd} switched but unbound
     */
    public Outcome switchTo(int fd, boolean inet6, boolean mptcp, String droppable) throws NativeCallException {
        return switchTo(fd, inet6, mptcp, droppable, true, true);
    }

    /**
     * {@link #switchTo(int, boolean, boolean, String)} for a socket of which the caller knows whether any option was
     * set since its creation ({@code optionsSet}) and whether it was bound ({@code bound}): where neither, only the
     * creation-time state is carried (the JDK's and Netty's: {@code IPV6_V6ONLY=0}, {@code SO_REUSEADDR} of a listener,
     * the file flags), six to eight system calls instead of some forty.
     */
    public Outcome switchTo(int fd, boolean inet6, boolean mptcp, String droppable, boolean optionsSet,
                            boolean bound) throws NativeCallException {
        if (!optionsSet) {
            return creationStateOnly(fd, inet6, mptcp, bound);
        }
        int domain = inet6 ? Linux.AF_INET6 : Linux.AF_INET;
        long[] base = defaults(domain, !mptcp);
        long[] now = read(fd, inet6);
        byte[] address = libc.sockname(fd, false);
        int status = libc.fcntl(fd, Linux.F_GETFL, 0);
        int descriptor = libc.fcntl(fd, Linux.F_GETFD, 0);
        int fresh = libc.socket(domain, Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC,
                mptcp ? Linux.IPPROTO_MPTCP : Linux.IPPROTO_TCP);
        int dropped = -1;
        try {
            for (int i = 0; i < OPTIONS.length; i++) {
                Option o = OPTIONS[i];
                if (now[i] == UNREADABLE || now[i] == base[i] || (o.inet6Only && !inet6)) {
                    continue;
                }
                try {
                    write(fresh, o, now[i]);
                } catch (NativeCallException e) {
                    boolean refused = e.errno() == Linux.ENOPROTOOPT || e.errno() == Linux.EOPNOTSUPP
                            || e.errno() == Linux.EINVAL;
                    if (refused && o.label.equals(droppable)) {
                        dropped = (int) now[i];
                        continue;
                    }
                    if (refused) {
                        return new Outcome(o.label + "=" + (o.linger ? (now[i] >> 32) + "/" + (int) now[i] : now[i])
                                + " (" + e.getMessage() + ")", -1);
                    }
                    throw e;
                }
            }
            if (status != Linux.O_RDWR) {
                libc.fcntl(fresh, Linux.F_SETFL, status);
            }
            libc.dup3(fresh, fd, (descriptor & Linux.FD_CLOEXEC) != 0 ? Linux.O_CLOEXEC : 0);
        } finally {
            closeTemporary(fresh);
        }
        if (isBound(address)) {
            libc.bind(fd, address);
        }
        return dropped < 0 ? Outcome.DONE : new Outcome(null, dropped);
    }

    private Outcome creationStateOnly(int fd, boolean inet6, boolean mptcp, boolean bound) throws NativeCallException {
        int reuse = libc.getsockoptInt(fd, Linux.SOL_SOCKET, Linux.SO_REUSEADDR, "SOL_SOCKET, SO_REUSEADDR");
        byte[] address = bound ? libc.sockname(fd, false) : null;
        int status = libc.fcntl(fd, Linux.F_GETFL, 0);
        int descriptor = libc.fcntl(fd, Linux.F_GETFD, 0);
        int fresh = libc.socket(inet6 ? Linux.AF_INET6 : Linux.AF_INET, Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC,
                mptcp ? Linux.IPPROTO_MPTCP : Linux.IPPROTO_TCP);
        try {
            if (inet6) {
                libc.setsockoptInt(fresh, IPPROTO_IPV6, Linux.IPV6_V6ONLY, 0, "IPPROTO_IPV6, IPV6_V6ONLY");
            }
            if (reuse != 0) {
                libc.setsockoptInt(fresh, Linux.SOL_SOCKET, Linux.SO_REUSEADDR, reuse, "SOL_SOCKET, SO_REUSEADDR");
            }
            if (status != Linux.O_RDWR) {
                libc.fcntl(fresh, Linux.F_SETFL, status);
            }
            libc.dup3(fresh, fd, (descriptor & Linux.FD_CLOEXEC) != 0 ? Linux.O_CLOEXEC : 0);
        } finally {
            closeTemporary(fresh);
        }
        if (address != null && isBound(address)) {
            libc.bind(fd, address);
        }
        return Outcome.DONE;
    }

    private void closeTemporary(int fresh) {
        try {
            libc.close(fresh);
        } catch (NativeCallException e) {
            System.getLogger(Sockets.LOGGER_NAME).log(Level.DEBUG,
                    () -> "closing the temporary descriptor failed: " + e.getMessage());
        }
    }

    /** Whether a {@code struct sockaddr_in[6]} names a port or an address (not the wildcard with port 0). */
    static boolean isBound(byte[] sockaddr) {
        for (int i = 2; i < Math.min(sockaddr.length, sockaddr.length > 16 ? 24 : 8); i++) {
            if (i >= 4 && i < 8 && sockaddr.length > 16) {
                continue; // sin6_flowinfo
            }
            if (sockaddr[i] != 0) {
                return true;
            }
        }
        return false;
    }

    private long[] defaults(int domain, boolean mptcp) throws NativeCallException {
        int slot = (domain == Linux.AF_INET6 ? 2 : 0) + (mptcp ? 1 : 0);
        long[] d = defaults.get(slot);
        if (d == null) {
            int fd = libc.socket(domain, Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC,
                    mptcp ? Linux.IPPROTO_MPTCP : Linux.IPPROTO_TCP);
            try {
                d = read(fd, domain == Linux.AF_INET6);
            } finally {
                libc.close(fd);
            }
            defaults.set(slot, d);
        }
        return d;
    }

    private static final int[] LEVELS = new int[OPTIONS.length];
    private static final int[] NAMES = new int[OPTIONS.length];
    private static final int[] SIZES = new int[OPTIONS.length];
    private static final boolean[] INET6_ONLY = new boolean[OPTIONS.length];
    private static final boolean[] NONE = new boolean[OPTIONS.length];

    static {
        for (int i = 0; i < OPTIONS.length; i++) {
            LEVELS[i] = OPTIONS[i].level;
            NAMES[i] = OPTIONS[i].name;
            SIZES[i] = OPTIONS[i].linger ? 8 : 4;
            INET6_ONLY[i] = OPTIONS[i].inet6Only;
        }
    }

    /** Every option's value (unreadable ones, and the IPv6 ones of an IPv4 socket, {@link #UNREADABLE}). */
    private long[] read(int fd, boolean inet6) {
        long[] values = new long[OPTIONS.length];
        libc.getsockoptInts(fd, LEVELS, NAMES, SIZES, inet6 ? NONE : INET6_ONLY, UNREADABLE, values);
        return values;
    }

    private void write(int fd, Option o, long value) throws NativeCallException {
        if (o.linger) {
            byte[] linger = new byte[8];
            Structs.putU32(linger, 0, (int) (value >> 32));
            Structs.putU32(linger, 4, (int) value);
            libc.setsockopt(fd, o.level, o.name, linger, o.label);
        } else {
            libc.setsockoptInt(fd, o.level, o.name, o.halved ? (int) value / 2 : (int) value, o.label);
        }
    }
}
