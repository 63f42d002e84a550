package io.github.mptcpnio.internal.agent;

import io.github.mptcpnio.internal.SocketKind;
import io.github.mptcpnio.internal.rules.Rules;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What the agent knows of each TCP socket it saw born, by descriptor number: its role, domain, kind, whether it is MPTCP
 * now, which rule decided it and the port it was decided for (the destination's, or the one asked for at bind). Written
 * at creation (overwriting whatever an earlier socket of that number left), read at connect and bind, where the rules
 * decide, and by the operators' views. Lock-free: one long per descriptor (the state in its low int, the port above),
 * in chunks of 1,024 allocated as descriptors get that high.
 *
 * <p>A number is only as good as its owner: the creation hook sees every TCP and UDP socket the JDK or a rewritten
 * Netty creates and overwrites the entry, and the hooks at connect and bind act only on entries of the right role.
 */
public final class SocketTable {
    private static final int CHUNK_BITS = 10;
    private static final int CHUNK = 1 << CHUNK_BITS;
    /** Descriptors up to 4 Mi are tracked; a socket above that is never decided and stays as it was born (TCP). */
    private static final int CHUNKS = 4096;

    static final int KNOWN = 1;
    static final int LISTENER = 1 << 1;
    static final int INET6 = 1 << 2;
    static final int MPTCP = 1 << 3;
    private static final int KIND_SHIFT = 4;
    /** An option was set through the JDK since creation (Netty's sockets always count as such: no hook sees them). */
    static final int OPTIONS_SET = 1 << 8;
    /** The socket was bound before its decision (a client's bind). */
    static final int BOUND = 1 << 9;
    private static final int DECISION_SHIFT = 10;

    private static final SocketTable INSTANCE = new SocketTable();

    private final AtomicReferenceArray<AtomicLongArray> chunks = new AtomicReferenceArray<>(CHUNKS);
    /**
     * Netty's epoll registration of a socket not decided yet ({@code efd << 32 | events}, 0: none): a switch replaces
     * the socket behind the number, which drops it from the epoll instance, so it is registered again.
     */
    private final AtomicReferenceArray<AtomicLongArray> epoll = new AtomicReferenceArray<>(CHUNKS);
    /** The rules whose decisions the entries hold; null until the agent installs them (never under the switch). */
    private volatile Rules rules;

    /** The rules in force, for the operators' views; empty without the agent. */
    public Optional<Rules> rules() {
        return Optional.ofNullable(rules);
    }

    void rules(Rules r) {
        rules = r;
    }

    /**
     * What decided the live socket {@code fd}, for the operators' views: the rule ({@code default "mptcp"}), if the
     * table's entry is of this socket — same role, and for a connection the destination port it was decided for —
     * else empty (an accepted connection, a socket born before the agent, a stale entry).
     */
    public Optional<String> explain(int fd, boolean listener, int remotePort) {
        Rules r = rules;
        long e = entry(fd);
        int state = (int) e;
        int decision = decision(state);
        if (r == null || decision < 0 || listener(state) != listener || decision >= r.all().size()
                || (!listener && ((int) (e >>> 32) & 0xffff) != remotePort)) {
            return Optional.empty();
        }
        return Optional.of(r.describe(decision));
    }

    /** The JVM's table. */
    public static SocketTable instance() {
        return INSTANCE;
    }

    /** The state of {@code fd}, 0 when unknown. */
    public int get(int fd) {
        return (int) entry(fd);
    }

    /** The port the socket {@code fd} was decided for (the destination's, or the one asked at bind); -1 if none. */
    public int decidedPort(int fd) {
        long e = entry(fd);
        return decision((int) e) < 0 ? -1 : (int) (e >>> 32) & 0xffff;
    }

    private long entry(int fd) {
        return read(chunks, fd);
    }

    /** Records a decision for {@code port}. */
    void set(int fd, int state, int port) {
        set(fd, (state & 0xffffffffL) | (long) (port & 0xffff) << 32);
    }

    void set(int fd, int state) {
        set(fd, state & 0xffffffffL);
    }

    private void set(int fd, long state) {
        put(chunks, fd, state);
    }

    /** Netty registered (or re-registered) the undecided socket {@code fd} with epoll instance {@code efd}. */
    void epollRegistered(int fd, int efd, int events) {
        put(epoll, fd, (long) efd << 32 | (events & 0xffffffffL));
    }

    /** Netty's epoll registration of {@code fd} ({@code efd << 32 | events}), 0 if none was seen. */
    long epollRegistration(int fd) {
        return read(epoll, fd);
    }

    private static long read(AtomicReferenceArray<AtomicLongArray> array, int fd) {
        if (fd < 0 || (fd >>> CHUNK_BITS) >= CHUNKS) {
            return 0;
        }
        AtomicLongArray c = array.get(fd >>> CHUNK_BITS);
        return c == null ? 0 : c.get(fd & (CHUNK - 1));
    }

    private static void put(AtomicReferenceArray<AtomicLongArray> array, int fd, long value) {
        if (fd < 0 || (fd >>> CHUNK_BITS) >= CHUNKS) {
            return;
        }
        AtomicLongArray c = array.get(fd >>> CHUNK_BITS);
        if (c == null) {
            if (value == 0) {
                return;
            }
            array.compareAndSet(fd >>> CHUNK_BITS, null, new AtomicLongArray(CHUNK));
            c = array.get(fd >>> CHUNK_BITS);
        }
        c.set(fd & (CHUNK - 1), value);
    }

    /** A TCP socket just born, not decided yet. */
    void born(int fd, SocketKind kind, boolean inet6, boolean mptcp) {
        if (read(epoll, fd) != 0) {
            put(epoll, fd, 0);
        }
        set(fd, KNOWN | (kind.listener() ? LISTENER : 0) | (inet6 ? INET6 : 0) | (mptcp ? MPTCP : 0)
                | kind.ordinal() << KIND_SHIFT);
    }

    /** The state of a Netty socket found to be a listener at its bind (Netty creates both roles alike). */
    static int asListener(int state) {
        return (state & ~(0xf << KIND_SHIFT)) | LISTENER
                | SocketKind.NETTY_SERVER_SOCKET_CHANNEL.ordinal() << KIND_SHIFT;
    }

    /** Any other socket born under that number (a datagram socket): nothing to decide. */
    void forget(int fd) {
        if (get(fd) != 0) {
            set(fd, 0);
        }
    }

    /** Whether the state is of a TCP socket the agent saw born. */
    public static boolean known(int state) {
        return (state & KNOWN) != 0;
    }

    public static boolean listener(int state) {
        return (state & LISTENER) != 0;
    }

    static boolean inet6(int state) {
        return (state & INET6) != 0;
    }

    public static boolean mptcp(int state) {
        return (state & MPTCP) != 0;
    }

    static SocketKind kind(int state) {
        return SocketKind.values()[(state >>> KIND_SHIFT) & 0xf];
    }

    /** The index of the rule that decided, or -1 if none did yet. */
    public static int decision(int state) {
        return known(state) ? (state >>> DECISION_SHIFT) - 1 : -1;
    }

    static boolean optionsSet(int state) {
        return (state & OPTIONS_SET) != 0;
    }

    static boolean bound(int state) {
        return (state & BOUND) != 0;
    }

    /** Marks an undecided socket's entry ({@link #OPTIONS_SET}, {@link #BOUND}); nothing for any other. */
    void mark(int fd, int bit) {
        int state = get(fd);
        if (known(state) && decision(state) < 0 && (state & bit) == 0) {
            set(fd, state | bit);
        }
    }

    static int decided(int state, int decision, boolean mptcp) {
        return (state & ((1 << DECISION_SHIFT) - 1) & ~MPTCP) | (mptcp ? MPTCP : 0)
                | (decision + 1) << DECISION_SHIFT;
    }
}
