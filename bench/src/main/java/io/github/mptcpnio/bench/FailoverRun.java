package io.github.mptcpnio.bench;

import apps.BulkApp;
import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.Lines;
import io.github.mptcpnio.testing.TwoPaths;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmark 9: what a path failure costs a transfer, as the receiving program feels it. The two-path fixture of
 * {@link TwoPathRun} (both paths rate-limited to {@link #RATE_MBIT} with tbf), the unmodified {@link BulkApp} with
 * the switch, the receiver printing its byte count with the wall clock every 256 KiB. Once the receiver has
 * {@link #EVENT_AFTER} bytes, path A (the initial subflow's) changes:
 * <ul>
 * <li>{@code down}: its link goes down for the rest of the transfer;</li>
 * <li>{@code back}: down, and up again {@link #BACK_AFTER_MS} later;</li>
 * <li>{@code degrade}: its rate drops to 10 % (tbf).</li>
 * </ul>
 * Each under three settings, each in fresh namespaces: the kernel's defaults; {@code net.mptcp.stale_loss_cnt=1} on
 * the sender (it marks a subflow stale after one retransmission timeout instead of four); path B announced as a
 * {@code backup} endpoint. Recovery: the time from the event until the receiver's goodput, over a sliding 200 ms
 * window, is back above half of what the paths left can carry and stays there for a second; the bytes delivered in
 * that time; the longest gap
 * between two reads that returned data (what {@link TwoPathRun} reports) for the same run.
 */
final class FailoverRun {
    static final int RATE_MBIT = 50;
    static final long EVENT_AFTER = 16L << 20;
    static final long BACK_AFTER_MS = 3000;
    static final long WINDOW_MS = 200;
    /** Goodput that only both paths together can carry (path B alone delivers about 47 Mbit/s of 50). */
    static final double RETURN_MBIT = RATE_MBIT * 1.2;
    /** {@code returnMs} when the transfer was over before path A came back. */
    static final long ENDED_FIRST = -2;
    /** How long goodput must stay above the threshold to count as recovered. */
    static final long HOLD_MS = 1000;
    private static final long STEP_MS = 10;
    static final List<String> EVENTS = List.of("down", "back", "degrade");
    static final List<String> SETTINGS = List.of("defaults", "stale_loss_cnt=1", "path B backup");
    private final boolean smoke;

    FailoverRun(boolean smoke) {
        this.smoke = smoke;
    }

    /**
     * One run's outcome; {@code recoveryMs} is -1 when goodput never came back above the threshold. For {@code back},
     * {@code returnMs}: from path A's return until goodput holds above {@link #RETURN_MBIT}, more than path B alone
     * can carry (-1: never; {@link #ENDED_FIRST}: the transfer was over before; 0 for the other events).
     */
    record Outcome(String setting, String event, double thresholdMbit, long recoveryMs, long bytesInRecovery,
                   long maxGapMs, long millis, long eventAtMs, long returnMs, List<long[]> timeline) {
    }

    /** Repetitions of every setting and event, interleaved (one round of all, then the next). */
    static int reps(boolean smoke) {
        return smoke ? 1 : 3;
    }

    static long bytes(boolean smoke) {
        return smoke ? 24L << 20 : 64L << 20;
    }

    List<Outcome> run() throws Exception {
        List<Outcome> out = new ArrayList<>();
        for (int rep = 0; rep < reps(smoke); rep++) {
            for (String setting : smoke ? List.of("defaults") : SETTINGS) {
                for (String event : EVENTS) {
                    Outcome o = once(setting, event);
                    out.add(o);
                    System.out.printf(Locale.ROOT, "=== failover %s, %s, run %d: recovery %d ms (%d bytes in it), "
                            + "longest gap %d ms, both paths again after %d ms%n", setting, event, rep + 1,
                            o.recoveryMs(), o.bytesInRecovery(), o.maxGapMs(), o.returnMs());
                }
            }
        }
        return out;
    }

    /** One transfer with one event under one setting, in fresh namespaces. */
    private Outcome once(String setting, String event) throws Exception {
        try (TwoPaths net = TwoPaths.create()) {
            if (setting.equals("path B backup")) {
                net.server.exec("ip", "mptcp", "endpoint", "add", TwoPaths.B4_SERVER, "dev", "pb", "signal", "backup");
            } else {
                net.announcePathB(false);
            }
            if (setting.equals("stale_loss_cnt=1")) {
                net.client.sysctl("net.mptcp.stale_loss_cnt", "1");
            }
            net.rateLimit("pa", RATE_MBIT);
            net.rateLimit("pb", RATE_MBIT);
            return transfer(net, setting, event, bytes(smoke));
        }
    }

    private Outcome transfer(TwoPaths net, String setting, String event, long bytes) throws Exception {
        String port = String.valueOf(TwoPaths.PORT);
        try (Forked.Running server = Forked.jvm().in(net.server).enabled().args("-Dbulk.timeline=true")
                .start(BulkApp.class.getName(), "server", port, "selector")) {
            server.awaitLine("listening=", 30);
            try (Forked.Running client = Forked.jvm().in(net.client).enabled()
                    .start(BulkApp.class.getName(), "client", TwoPaths.A4_SERVER, port, String.valueOf(bytes))) {
                while (Long.parseLong(server.awaitLine("progress=", 120).substring("progress=".length()))
                        < EVENT_AFTER) {
                    // wait until the receiver has the first part
                }
                long eventAt = System.currentTimeMillis();
                long upAt = 0;
                double threshold;
                switch (event) {
                    case "down" -> {
                        net.down("pa");
                        threshold = RATE_MBIT / 2.0;
                    }
                    case "back" -> {
                        net.down("pa");
                        Thread.sleep(BACK_AFTER_MS);
                        net.up("pa");
                        upAt = System.currentTimeMillis();
                        threshold = RATE_MBIT / 2.0; // judged on the outage, as "down"; the return shows on the plot
                    }
                    case "degrade" -> {
                        net.rateLimit("pa", RATE_MBIT / 10);
                        threshold = (RATE_MBIT + RATE_MBIT / 10) / 2.0;
                    }
                    default -> throw new IllegalArgumentException(event);
                }
                Forked.Result c = client.finish(300).assertExit(0);
                Forked.Result s = server.finish(60).assertExit(0);
                Map<String, String> sf = Lines.parse(s.stdout());
                if (!String.valueOf(bytes).equals(sf.get("received"))
                        || !sf.get("sha256").equals(Lines.parse(c.stdout()).get("sha256"))) {
                    throw new IllegalStateException("failover " + setting + "/" + event + " lost or changed bytes:\n"
                            + s + "\n" + c);
                }
                List<long[]> timeline = timeline(s.stdout());
                long[] rec = recovery(timeline, eventAt, threshold);
                long returned = upAt == 0 ? 0 : upAt >= timeline.get(timeline.size() - 1)[0] ? ENDED_FIRST
                        : recovery(timeline, upAt, RETURN_MBIT)[0];
                return new Outcome(setting, event, threshold, rec[0], rec[1], Long.parseLong(sf.get("maxStallMs")),
                        Long.parseLong(sf.get("millis")), eventAt, returned, timeline);
            }
        }
    }

    /** The receiver's {@code timeline=<wall ms> <bytes>} lines, in order. */
    static List<long[]> timeline(String stdout) {
        List<long[]> points = new ArrayList<>();
        for (String line : stdout.split("\n")) {
            if (line.startsWith("timeline=")) {
                String[] f = line.substring("timeline=".length()).trim().split(" ");
                points.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])});
            }
        }
        if (points.size() < 2) {
            throw new IllegalStateException("no receiver timeline in:\n" + stdout);
        }
        return points;
    }

    /** Bytes received by wall time t, interpolated linearly between timeline points. */
    static double bytesAt(List<long[]> timeline, double t) {
        if (t <= timeline.get(0)[0]) {
            return timeline.get(0)[1];
        }
        for (int i = 1; i < timeline.size(); i++) {
            long[] a = timeline.get(i - 1);
            long[] b = timeline.get(i);
            if (t <= b[0]) {
                return b[0] == a[0] ? b[1] : a[1] + (b[1] - a[1]) * (t - a[0]) / (b[0] - a[0]);
            }
        }
        return timeline.get(timeline.size() - 1)[1];
    }

    /**
     * {recovery ms, bytes delivered in it}: the earliest time R, at least one {@link #WINDOW_MS} window after the
     * event, from which the receiver's goodput over every {@link #WINDOW_MS} window ending in [R, R + {@link #HOLD_MS}]
     * (or up to the end of the transfer, when that comes first) is at or above the threshold: back, and staying
     * back. {@link #WINDOW_MS} is the floor (the transfer never fell below the threshold); {-1, bytes to the end}
     * when it never got back.
     */
    static long[] recovery(List<long[]> timeline, long eventAt, double thresholdMbit) {
        double end = timeline.get(timeline.size() - 1)[0];
        for (double r = eventAt + WINDOW_MS; r <= end; r += STEP_MS) {
            boolean held = true;
            for (double t = r; t <= Math.min(r + HOLD_MS, end) && held; t += STEP_MS) {
                held = goodputMbit(timeline, t) >= thresholdMbit;
            }
            if (held) {
                return new long[] {Math.round(r - eventAt), Math.round(bytesAt(timeline, r) - bytesAt(timeline,
                        eventAt))};
            }
        }
        return new long[] {-1, Math.round(bytesAt(timeline, end) - bytesAt(timeline, eventAt))};
    }

    /** Goodput in Mbit/s over the {@link #WINDOW_MS} window that ends at wall time t. */
    static double goodputMbit(List<long[]> timeline, double t) {
        return (bytesAt(timeline, t) - bytesAt(timeline, t - WINDOW_MS)) * 8 / 1e6 / (WINDOW_MS / 1e3);
    }
}
