package io.github.mptcpnio.bench;

import java.util.List;
import java.util.Locale;

/** Minimum, median and maximum of a set of samples (iterations or forks), and how many there were. */
record Stat(double min, double median, double max, int n) {
    static Stat of(List<Double> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        double[] s = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Stat(s[0], sortedMedian(s), s[s.length - 1], s.length);
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

    /**
     * A 95 % percentile-bootstrap interval of the samples' median: 10,000 resamples with replacement, a fixed seed (the
     * same samples give the same interval). How far the median of this many rounds could move from run to run.
     */
    static double[] medianInterval(List<Double> samples) {
        int n = samples.size();
        if (n == 0) {
            throw new IllegalArgumentException("no samples");
        }
        java.util.SplittableRandom random = new java.util.SplittableRandom(20261206L);
        double[] medians = new double[10_000];
        double[] resample = new double[n];
        for (int b = 0; b < medians.length; b++) {
            for (int i = 0; i < n; i++) {
                resample[i] = samples.get(random.nextInt(n));
            }
            java.util.Arrays.sort(resample);
            medians[b] = sortedMedian(resample);
        }
        java.util.Arrays.sort(medians);
        return new double[] {medians[(int) (0.025 * medians.length)], medians[(int) (0.975 * medians.length) - 1]};
    }

    /** The median of {@code v}, which it leaves as it is. */
    static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return sortedMedian(s);
    }

    private static double sortedMedian(double[] s) {
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
