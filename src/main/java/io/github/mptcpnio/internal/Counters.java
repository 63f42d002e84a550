package io.github.mptcpnio.internal;

import java.util.concurrent.atomic.LongAdder;

/** How many channels the provider upgraded, and how many it left on plain TCP because MPTCP was refused. */
public final class Counters {
    private Counters() {}

    private static final LongAdder UPGRADED = new LongAdder();
    private static final LongAdder FALLBACKS = new LongAdder();

    static void upgraded() { UPGRADED.increment(); }

    static void fallback() { FALLBACKS.increment(); }

    public static long upgradedCount() { return UPGRADED.sum(); }

    public static long fallbackCount() { return FALLBACKS.sum(); }
}
