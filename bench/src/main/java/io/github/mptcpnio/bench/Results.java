package io.github.mptcpnio.bench;

import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

/** What one run of the {@link Suite} measured; a part that did not run stays null. */
final class Results {
    boolean smoke;
    ZonedDateTime started;
    /** Method → baseline → nanoseconds per open+close. */
    Map<String, Map<Baseline, Stat>> open;
    /** Baseline → microseconds per connect+accept+echo+close. */
    Map<Baseline, Stat> connect;
    /** The same with java.net.Socket/ServerSocket at both ends. */
    Map<Baseline, Stat> socketConnect;
    long bulkBytes;
    /** Baseline → MB/s (10^6 bytes per second). */
    Map<Baseline, Stat> bulk;
    /** The same over a java.net.Socket pair. */
    Map<Baseline, Stat> socketBulk;
    /** Netty epoll transport (jdk, mptcpize, agent): µs per connection, and MB/s. */
    Map<Baseline, Stat> nettyConnect;
    Map<Baseline, Stat> nettyBulk;
    int latencyCount;
    /** Message size → baseline → {p50, p99, p99.9} in microseconds, each over forks. */
    Map<Integer, Map<Baseline, Stat[]>> latency;
    /** The start-up part ({@link StartupRun}); written to STARTUP.md. */
    Startup startup;
    /** The interleaved rules part: {@code Suite.RULES_KEYS} → baseline → statistics. */
    Map<String, Map<Baseline, Stat>> rules;
    int rulesRounds;
    /** Measured blocks per figure, fork and round in the rules part. */
    int rulesBlocks;
    /** Per key, the ratio agent-with-default-rules / jdk of each round (the median of its paired block ratios). */
    Map<String, Stat> rulesDefaultVsJdk;
    /** Per key, a 95 % bootstrap interval of that median over rounds ({@link Stat#medianInterval}). */
    Map<String, double[]> rulesDefaultVsJdkInterval;
    /** {@link DecisionBench}: method → nanoseconds per operation (the hooks' own price, measured directly). */
    Map<String, Stat> decision;
    /** Per key, the ratio agent-with-loopback-mptcp / mptcpize of each round. */
    Map<String, Stat> rulesAgentVsMptcpize;
    Map<String, double[]> rulesAgentVsMptcpizeInterval;
    /** Start-up with the operators' views on and off, per launch mode ("mptcp-nio-agent views on", ...). */
    Map<String, Stat> views;
    TwoPath twoPath;
    TwoHost twoHost;
    /** The failover part: one outcome per setting and event. */
    List<FailoverRun.Outcome> failover;
    long failoverBytes;
    /** The scale part: per-connection costs per baseline and N, and the churn check. */
    ScaleRun scale;

    /** The start-up part: JDK → variant → milliseconds, and the per-round ratios to the plain JVM of that JDK. */
    static final class Startup {
        int rounds;
        int warmup;
        int toolRounds;
        /** Process start to the first connection established ({@link FirstConnection}). */
        final Map<String, Map<String, Stat>> first = new java.util.LinkedHashMap<>();
        /** Process start to its exit ({@link FirstConnection}). */
        final Map<String, Map<String, Stat>> whole = new java.util.LinkedHashMap<>();
        final Map<String, Map<String, Stat>> firstRatio = new java.util.LinkedHashMap<>();
        final Map<String, Map<String, Stat>> wholeRatio = new java.util.LinkedHashMap<>();
        /** ZooKeeper's command-line client, whole process. */
        final Map<String, Map<String, Stat>> tool = new java.util.LinkedHashMap<>();
        final Map<String, Map<String, Stat>> toolRatio = new java.util.LinkedHashMap<>();
    }

    /** The two-host run: cell → variant (baseline label or iperf3 row) → figures. */
    static final class TwoHost {
        double seconds;
        int reps;
        String kernel;
        String iperf;
        final Map<TwoHostRun.Cell, Map<String, TwoHostRun.Figure>> cells = new java.util.LinkedHashMap<>();

        void put(TwoHostRun.Cell cell, String variant, TwoHostRun.Figure figure) {
            cells.computeIfAbsent(cell, c -> new java.util.LinkedHashMap<>()).put(variant, figure);
        }
    }

    /** The two-path run: aggregation and failover. */
    static final class TwoPath {
        /** Subflow events in the failover client's recording, and the chart made of them. */
        int subflowEvents;
        String jfrPlot;
        int rateMbit;
        long bytes;
        /** Goodput in Mbit/s over repetitions. */
        Stat onePath;
        Stat twoPaths;
        Stat ratio;
        Stat shareA;
        long failoverBytes;
    /** The scale part: per-connection costs per baseline and N, and the churn check. */
    ScaleRun scale;
        long downAfterBytes;
        double downAtSeconds;
        long maxStallMs;
        long failoverMillis;
        boolean intact;
        List<double[]> series;
        String plot;
    }
}
