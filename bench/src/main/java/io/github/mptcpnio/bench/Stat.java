package io.github.mptcpnio.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Minimum, median and maximum of a set of samples (iterations or forks), and how many there were. */
record Stat(double min, double median, double max, int n) {
    static Stat of(List<Double> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        List<Double> s = new ArrayList<>(samples);
        Collections.sort(s);
        int n = s.size();
        double median = n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
        return new Stat(s.get(0), median, s.get(n - 1), n);
    }

    static Stat of(org.openjdk.jmh.util.Statistics st) {
        return new Stat(st.getMin(), st.getPercentile(50), st.getMax(), (int) st.getN());
    }

    /** The same samples in another unit, e.g. milliseconds per GiB to MB/s (which reverses min and max). */
    Stat map(java.util.function.DoubleUnaryOperator f) {
        double a = f.applyAsDouble(min);
        double b = f.applyAsDouble(max);
        return new Stat(Math.min(a, b), f.applyAsDouble(median), Math.max(a, b), n);
    }

    /** {@code median (min–max)} with the given number of decimals. */
    String format(int decimals) {
        String f = "%." + decimals + "f";
        return String.format(Locale.ROOT, f + " (" + f + "–" + f + ")", median, min, max);
    }
}
