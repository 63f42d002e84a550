package io.github.mptcpnio.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many sockets were created as MPTCP (by kind and role), and how many were left on plain TCP at creation because
 * MPTCP was refused (by kind and reason). One {@link LongAdder} increment on the creation path; everything else is computed when asked.
 */
public final class Counters {
    private Counters() {}

    private static final LongAdder[] UPGRADED = new LongAdder[SocketKind.values().length];

    static {
        for (int i = 0; i < UPGRADED.length; i++) {
            UPGRADED[i] = new LongAdder();
        }
    }

    private static final LongAdder FALLBACKS = new LongAdder();
    /** Netty's TCP_USER_TIMEOUT calls on MPTCP sockets that the kernel refused and the agent let succeed. */
    private static final LongAdder USER_TIMEOUTS_IGNORED = new LongAdder();

    public static void userTimeoutIgnored() {
        USER_TIMEOUTS_IGNORED.increment();
    }

    /** How many TCP_USER_TIMEOUT calls on MPTCP sockets succeeded without effect (the kernel refused them). */
    public static long userTimeoutsIgnored() {
        return USER_TIMEOUTS_IGNORED.sum();
    }
    /** Fallbacks at creation by "kind: reason" ({@code Unavailability.Reason} name, or the refusal). */
    private static final ConcurrentHashMap<String, LongAdder> FALLBACK_REASONS = new ConcurrentHashMap<>();

    public static void upgraded(SocketKind kind) {
        UPGRADED[kind.ordinal()].increment();
    }

    static void fallback(SocketKind kind, String reason) {
        FALLBACKS.increment();
        FALLBACK_REASONS.computeIfAbsent(kind.label() + ": " + reason, r -> new LongAdder()).increment();
    }

    public static long upgradedCount() {
        long n = 0;
        for (LongAdder a : UPGRADED) {
            n += a.sum();
        }
        return n;
    }

    /** Created as MPTCP, listeners ({@code true}) or clients. */
    public static long upgraded(boolean listeners) {
        long n = 0;
        for (SocketKind k : SocketKind.values()) {
            if (k.listener() == listeners) {
                n += UPGRADED[k.ordinal()].sum();
            }
        }
        return n;
    }

    /** Created as MPTCP, by kind (only the kinds with at least one), in the order of {@link SocketKind}. */
    public static Map<String, Long> upgradedByKind() {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        for (SocketKind k : SocketKind.values()) {
            long n = UPGRADED[k.ordinal()].sum();
            if (n > 0) {
                out.put(k.label(), n);
            }
        }
        return out;
    }

    public static long fallbackCount() {
        return FALLBACKS.sum();
    }

    /** Fallbacks at creation, by "kind: reason", sorted. */
    public static Map<String, Long> fallbacksByReason() {
        Map<String, Long> out = new TreeMap<>();
        FALLBACK_REASONS.forEach((reason, n) -> out.put(reason, n.sum()));
        return out;
    }
}
