package io.github.mptcpnio.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many sockets were created as MPTCP (by role), and how many were left on plain TCP at creation because MPTCP was
 * refused (by reason). One {@link LongAdder} increment on the creation path; everything else is computed when asked.
 */
public final class Counters {
    private Counters() {}

    private static final LongAdder UPGRADED_LISTENERS = new LongAdder();
    private static final LongAdder UPGRADED_CLIENTS = new LongAdder();
    private static final LongAdder FALLBACKS = new LongAdder();
    /** Fallbacks at creation by reason ({@code Unavailability.Reason} name, or {@code REFUSED errno}). */
    private static final ConcurrentHashMap<String, LongAdder> FALLBACK_REASONS = new ConcurrentHashMap<>();

    static void upgraded(boolean listener) {
        (listener ? UPGRADED_LISTENERS : UPGRADED_CLIENTS).increment();
    }

    static void fallback(String reason) {
        FALLBACKS.increment();
        FALLBACK_REASONS.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    public static long upgradedCount() {
        return UPGRADED_LISTENERS.sum() + UPGRADED_CLIENTS.sum();
    }

    public static long upgradedListeners() {
        return UPGRADED_LISTENERS.sum();
    }

    public static long upgradedClients() {
        return UPGRADED_CLIENTS.sum();
    }

    public static long fallbackCount() {
        return FALLBACKS.sum();
    }

    /** Fallbacks at creation, by reason, sorted by reason. */
    public static Map<String, Long> fallbacksByReason() {
        Map<String, Long> out = new TreeMap<>();
        FALLBACK_REASONS.forEach((reason, n) -> out.put(reason, n.sum()));
        return out;
    }
}
