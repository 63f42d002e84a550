package io.github.mptcpnio.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** Writes the failover part ({@link FailoverRun}) as {@code FAILOVER.md} with one recovery plot per setting. */
final class FailoverReport {
    private final Results r;
    private final StringBuilder md = new StringBuilder();

    FailoverReport(Results r) {
        this.r = r;
    }

    String markdown(Path out) throws IOException {
        md.append(Report.opening(r, "mptcp-nio failover: what a lost, returning or degraded path costs the receiver",
                "defaults only, a short transfer", ""));
        line("Reproduce: `bench/run.sh --only failover` as root (about 13 minutes). What sets these times: "
                + "[docs/multipath.md](../docs/multipath.md#fast-failover).");
        line("");
        line("Two namespaces joined by two veth pairs, both limited to " + FailoverRun.RATE_MBIT + " Mbit/s (tbf); "
                + "the server announces its path-B address, so a connection opened on path A gets a second subflow "
                + "on path B. The unmodified `BulkApp` with the switch sends " + (r.failoverBytes >> 20)
                + " MiB from the client; once the receiver has " + (FailoverRun.EVENT_AFTER >> 20)
                + " MiB, path A **goes down** (`down`), goes down and **comes back** " + FailoverRun.BACK_AFTER_MS
                + " ms later (`back`), or its rate **drops to 10 %** (`degrade`). Each run in fresh namespaces, "
                + "every byte checked (SHA-256).");
        line("");
        line("- **recovery**: from the event until the receiver's goodput, over sliding " + FailoverRun.WINDOW_MS
                + " ms windows, is back above the threshold and stays there for " + FailoverRun.HOLD_MS + " ms (or "
                + "to the end of the transfer); the threshold is half of what the paths left can carry "
                + "(down/back: half of path B; degrade: half of path B plus path A's 10 %). " + FailoverRun.WINDOW_MS
                + " ms is the floor: the transfer never fell below the threshold. `never`: it did not get back "
                + "before the transfer ended.");
        line("- **bytes in recovery**: what the receiver got during that time.");
        line("- **longest gap**: the longest time between two reads that returned data, over the whole transfer "
                + "(the figure `RESULTS.md` reports), same run.");
        line("- **both paths again** (`back` only): from path A's return until the goodput holds above "
                + String.format(Locale.ROOT, "%.0f", FailoverRun.RETURN_MBIT) + " Mbit/s, more than path B alone "
                + "carries, for the same " + FailoverRun.HOLD_MS + " ms (or to the end of the transfer).");
        line("");
        line("Each cell: " + FailoverRun.reps(r.smoke) + " runs, interleaved; **median (min–max)**.");
        line("");
        line("| setting | event | threshold | recovery | bytes in recovery | longest gap | both paths again | "
                + "whole transfer |");
        line("|---|---|---|---|---|---|---|---|");
        for (String setting : FailoverRun.SETTINGS) {
            for (String event : FailoverRun.EVENTS) {
                List<FailoverRun.Outcome> runs = runs(setting, event);
                if (runs.isEmpty()) {
                    continue;
                }
                line(String.format(Locale.ROOT, "| %s | %s | %.1f Mbit/s | %s | %s | %s | %s | %s |", setting,
                        event, runs.get(0).thresholdMbit(),
                        stat(runs, o -> o.recoveryMs() < 0 ? Double.POSITIVE_INFINITY : o.recoveryMs(), " ms", 0),
                        stat(runs, o -> o.bytesInRecovery() / 1048576.0, " MiB", 2),
                        stat(runs, o -> o.maxGapMs(), " ms", 0),
                        !event.equals("back") ? "–"
                                : runs.stream().anyMatch(o -> o.returnMs() == FailoverRun.ENDED_FIRST)
                                ? "transfer over before A returned"
                                : stat(runs, o -> o.returnMs() < 0 ? Double.POSITIVE_INFINITY : o.returnMs(), " ms", 0),
                        stat(runs, o -> o.millis(), " ms", 0)));
            }
        }
        line("");
        line("The plots show each setting's first run.");
        line("");
        for (String setting : FailoverRun.SETTINGS) {
            List<FailoverRun.Outcome> runs = new ArrayList<>();
            for (String event : FailoverRun.EVENTS) {
                runs.addAll(runs(setting, event).stream().limit(1).toList());
            }
            if (runs.isEmpty()) {
                continue;
            }
            String name = "failover-" + setting.replaceAll("[^A-Za-z0-9]+", "-") + (r.smoke ? "-smoke" : "") + ".png";
            RecoveryPlot.render(runs, setting, out.resolve(name));
            line("![receiver goodput around the event, " + setting + "](" + name + ")");
            line("");
        }
        return md.toString();
    }

    private List<FailoverRun.Outcome> runs(String setting, String event) {
        List<FailoverRun.Outcome> runs = new ArrayList<>();
        for (FailoverRun.Outcome o : r.failover) {
            if (o.setting().equals(setting) && o.event().equals(event)) {
                runs.add(o);
            }
        }
        return runs;
    }

    /** {@code median (min–max)} of one figure over runs; an infinite value (never recovered) reads "never". */
    private static String stat(List<FailoverRun.Outcome> runs, ToDoubleFunction<FailoverRun.Outcome> f, String unit,
                               int decimals) {
        List<Double> values = new ArrayList<>();
        for (FailoverRun.Outcome o : runs) {
            values.add(f.applyAsDouble(o));
        }
        Stat st = Stat.of(values);
        return fmt(st.median(), unit, decimals) + " (" + fmt(st.min(), "", decimals) + "–" + fmt(st.max(), "",
                decimals) + ")";
    }

    private static String fmt(double v, String unit, int decimals) {
        return Double.isInfinite(v) ? "never" : String.format(Locale.ROOT, "%." + decimals + "f", v) + unit;
    }

    private void line(String s) {
        md.append(s).append('\n');
    }
}
