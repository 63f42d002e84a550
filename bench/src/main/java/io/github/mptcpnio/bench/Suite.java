package io.github.mptcpnio.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the benchmarks against every baseline in one session and writes {@code RESULTS.md} (and the failover plot)
 * into the output directory.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.github.mptcpnio.bench.Suite
 *      --agent-jar target/mptcp-nio-&lt;v&gt;-all.jar [--out bench]
 *      [--only open,connect,bulk,latency,startup,views,twopath,twohost,kernels,failover,scale]
 *      [--smoke]
 * </pre>
 * {@code --smoke} runs one tiny iteration of each (what CI does); its figures mean nothing and are labelled so.
 * Needs root (network namespaces for the two-path run) and {@code mptcpize} (Debian package mptcpd).
 */
public final class Suite {
    static final Set<String> PARTS = Set.of("open", "connect", "bulk", "latency", "startup", "rules", "views",
            "twopath", "twohost", "kernels", "failover", "scale");

    final boolean smoke;
    final Path agentJar;
    final Path out;
    final Set<String> only;
    final Results results = new Results();
    private Path mptcpizeJava;

    Suite(boolean smoke, Path agentJar, Path out, Set<String> only) {
        this.smoke = smoke;
        this.agentJar = agentJar;
        this.out = out;
        this.only = only;
    }

    /** Rounds of the rules part ({@code --rules-rounds}); each takes about 1.7 minutes. */
    int rulesRounds = 12;
    /**
     * The figures the rules part measures ({@code --rules-keys}, some of {@link #RULES_KEYS}): all by default; the
     * three set-up figures alone take about half a round's time here (55 s against 110 s), the three bulk figures
     * about 60 s, so that the same hour runs about twice the rounds of the figures that need them.
     */
    List<String> rulesKeys = RULES_KEYS;
    /**
     * The baselines the rules part runs in lockstep ({@code --rules-baselines}): all four by default; jdk and the
     * agent's default rules at least (the targets compare those two). Without mptcpize and the MPTCP agent a round
     * takes half the time, and no fork's MPTCP transfer (whose loopback collapse leaves the kernel busy after it)
     * runs between the two compared.
     */
    List<Baseline> rulesBaselines = RULES_BASELINES;

    public static void main(String[] args) throws Exception {
        boolean smoke = false;
        Path agent = null;
        Path out = Path.of("bench");
        Set<String> only = new LinkedHashSet<>(List.of("open", "connect", "bulk", "latency", "startup", "rules", "views",
                "twopath", "twohost", "kernels", "failover", "scale"));
        Integer rulesRounds = null;
        List<String> rulesKeys = null;
        List<Baseline> rulesBaselines = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> smoke = true;
                case "--agent-jar" -> agent = Path.of(args[++i]).toAbsolutePath();
                case "--out" -> out = Path.of(args[++i]);
                case "--rules-rounds" -> {
                    rulesRounds = Integer.parseInt(args[++i]);
                    if (rulesRounds < 1 || rulesRounds > 200) {
                        throw new IllegalArgumentException("--rules-rounds takes 1 to 200, not " + rulesRounds);
                    }
                }
                case "--rules-keys" -> {
                    List<String> keys = List.of(args[++i].split(","));
                    rulesKeys = RULES_KEYS.stream().filter(keys::contains).toList();
                    if (!RULES_KEYS.containsAll(keys) || rulesKeys.isEmpty()) {
                        throw new IllegalArgumentException("--rules-keys takes some of " + RULES_KEYS + ", not " + keys);
                    }
                }
                case "--rules-baselines" -> {
                    List<Baseline> named = java.util.Arrays.stream(args[++i].split(",")).map(Baseline::named).toList();
                    rulesBaselines = RULES_BASELINES.stream().filter(named::contains).toList();
                    if (!RULES_BASELINES.containsAll(named) || !named.contains(Baseline.JDK)
                            || !named.contains(Baseline.AGENT_DEFAULT)) {
                        throw new IllegalArgumentException("--rules-baselines takes jdk, mptcp-nio-agent-default and "
                                + "any of mptcpize, mptcp-nio-agent, not " + args[i]);
                    }
                }
                case "--only" -> {
                    only = new LinkedHashSet<>(List.of(args[++i].split(",")));
                    if (!PARTS.containsAll(only)) {
                        throw new IllegalArgumentException("--only takes some of " + PARTS + ", not " + only);
                    }
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (agent == null || !Files.isRegularFile(agent)) {
            throw new IllegalArgumentException("--agent-jar must name the built mptcp-nio-<v>-all.jar, got " + agent);
        }
        Files.createDirectories(out);
        Suite suite = new Suite(smoke, agent, out, only);
        if (rulesRounds != null) {
            suite.rulesRounds = rulesRounds;
        }
        if (rulesKeys != null) {
            suite.rulesKeys = rulesKeys;
        }
        if (rulesBaselines != null) {
            suite.rulesBaselines = rulesBaselines;
        }
        suite.run();
    }

    /** Netty's native transports: the switch does not reach them (their sockets are created in Netty's JNI). */
    static final List<Baseline> NETTY_BASELINES = List.of(Baseline.JDK, Baseline.MPTCPIZE, Baseline.AGENT,
            Baseline.AGENT_DEFAULT);

    void run() throws Exception {
        results.smoke = smoke;
        results.started = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC);
        List<Baseline> all = List.of(Baseline.values());
        if (only.contains("open")) {
            results.open = jmh(ChannelOpenBench.class, all, Map.of());
        }
        if (only.contains("connect")) {
            Map<String, Map<Baseline, Stat>> connect = jmh(ConnectBench.class, all, Map.of());
            results.connect = connect.get("connectEchoClose");
            results.socketConnect = connect.get("socketConnectEchoClose");
            results.nettyConnect = jmh(NettyConnectBench.class, NETTY_BASELINES, Map.of()).get("connectEchoClose");
        }
        if (only.contains("bulk")) {
            long bytes = smoke ? 8L << 20 : 1L << 30;
            results.bulkBytes = bytes;
            Map<String, Map<Baseline, Stat>> millis = jmh(BulkBench.class, all,
                    Map.of("bytes", String.valueOf(bytes)));
            results.bulk = new EnumMap<>(Baseline.class);
            millis.get("transfer").forEach((b, s) -> results.bulk.put(b, s.map(ms -> bytes / 1e6 / (ms / 1e3))));
            results.socketBulk = new EnumMap<>(Baseline.class);
            millis.get("socketTransfer").forEach((b, s) -> results.socketBulk.put(b,
                    s.map(ms -> bytes / 1e6 / (ms / 1e3))));
            results.nettyBulk = new EnumMap<>(Baseline.class);
            jmh(NettyBulkBench.class, NETTY_BASELINES, Map.of("bytes", String.valueOf(bytes))).get("transfer")
                    .forEach((b, s) -> results.nettyBulk.put(b, s.map(ms -> bytes / 1e6 / (ms / 1e3))));
        }
        if (only.contains("latency")) {
            latency(all);
        }
        if (only.contains("startup")) {
            results.startup = new StartupRun(this).run();
            Path file = out.resolve("STARTUP.md");
            Files.writeString(file, new StartupReport(results).markdown());
            System.out.println("wrote " + file.toAbsolutePath());
        }
        if (only.contains("rules")) {
            rules();
        }
        if (only.contains("views")) {
            views();
        }
        if (only.contains("twopath")) {
            results.twoPath = new TwoPathRun(smoke, out).run();
        }
        if (only.contains("twohost")) {
            results.twoHost = new TwoHostRun(this, false).run();
            Path file = out.resolve("TWOHOST.md");
            Files.writeString(file, new TwoHostReport(results).markdown());
            System.out.println("wrote " + file.toAbsolutePath());
        }
        if (only.contains("kernels")) { // the two-host cells compared across kernels: bench/kernels.sh
            results.twoHost = new TwoHostRun(this, true).run();
            Path dir = out.resolve("kernels");
            Files.createDirectories(dir);
            Path record = dir.resolve("linux-" + results.twoHost.kernel + ".tsv");
            Files.writeString(record, KernelsReport.record(results));
            System.out.println("wrote " + record.toAbsolutePath());
            Path file = out.resolve("KERNELS.md");
            Files.writeString(file, KernelsReport.markdown(dir));
            System.out.println("wrote " + file.toAbsolutePath());
        }
        if (only.contains("failover")) {
            results.failoverBytes = FailoverRun.bytes(smoke);
            results.failover = new FailoverRun(smoke).run();
            Path file = out.resolve("FAILOVER.md");
            Files.writeString(file, new FailoverReport(results).markdown(out));
            System.out.println("wrote " + file.toAbsolutePath());
        }
        if (only.contains("scale")) {
            results.scale = new ScaleRun(this);
            results.scale.run();
            Path file = out.resolve("SCALE.md");
            Files.writeString(file, new ScaleReport(results).markdown(out));
            System.out.println("wrote " + file.toAbsolutePath());
        }
        if (only.equals(Set.of("rules"))) { // alone: a file of its own, RESULTS.md kept as it is
            Path file = out.resolve("RULES.md");
            Files.writeString(file, new Report(results).markdown());
            System.out.println("wrote " + file.toAbsolutePath());
            return;
        }
        Set<String> ownFiles = Set.of("twohost", "kernels", "failover", "scale", "startup");
        if (!ownFiles.containsAll(only)) { // parts with files of their own, run alone, keep the others' RESULTS.md
            Path file = out.resolve("RESULTS.md");
            Files.writeString(file, new Report(results).markdown());
            System.out.println("wrote " + file.toAbsolutePath());
        }
    }

    // ---- JMH ------------------------------------------------------------------------------------------------------

    /** Runs one JMH class once per baseline; returns method name → baseline → statistics of all iterations. */
    Map<String, Map<Baseline, Stat>> jmh(Class<?> bench, List<Baseline> baselines, Map<String, String> params)
            throws Exception {
        Map<String, Map<Baseline, Stat>> byMethod = new LinkedHashMap<>();
        for (Baseline b : baselines) {
            if (bench == ConnectBench.class || bench == NettyConnectBench.class) {
                awaitTimeWaitDrained();
            }
            ChainedOptionsBuilder o = new OptionsBuilder()
                    .include("^" + Pattern.quote(bench.getName()) + "\\.")
                    .jvmArgsAppend(b.jvmArgs(agentJar).toArray(new String[0]))
                    .shouldFailOnError(true);
            if (b == Baseline.MPTCPIZE) {
                o.jvm(mptcpizeJava().toString());
            }
            params.forEach(o::param);
            if (smoke) {
                o.forks(1).warmupIterations(0).measurementIterations(1).measurementTime(TimeValue.milliseconds(100));
            }
            System.out.println("=== " + bench.getSimpleName() + " on " + b.label);
            for (RunResult r : new Runner(o.build()).run()) {
                String method = r.getParams().getBenchmark();
                method = method.substring(method.lastIndexOf('.') + 1);
                byMethod.computeIfAbsent(method, m -> new EnumMap<>(Baseline.class))
                        .put(b, Stat.of(r.getPrimaryResult().getStatistics()));
            }
        }
        return byMethod;
    }

    /**
     * The connection benchmark leaves some 10^5 connections in TIME_WAIT, more than the kernel's table holds
     * ({@code net.ipv4.tcp_max_tw_buckets}, 131072 here); once it is full, the kernel skips TIME_WAIT for new
     * connections, which made whichever baseline ran later faster. Every baseline therefore starts with the table
     * drained (they expire after 60 s).
     */
    private void awaitTimeWaitDrained() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(smoke ? 1 : 90);
        long count;
        while ((count = exec(List.of("ss", "-Htan", "state", "time-wait"), 30).lines().count()) > 1000
                && System.nanoTime() < deadline) {
            Thread.sleep(2000);
        }
        System.out.println("=== " + count + " connections in TIME_WAIT before this baseline");
    }

    /** JMH forks through the {@code jvm} it is given; for mptcpize that is a script that runs java under it. */
    private Path mptcpizeJava() throws IOException {
        if (mptcpizeJava == null) {
            Path script = Files.createTempFile("mptcpize-java", ".sh",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            script.toFile().deleteOnExit();
            Files.writeString(script, "#!/bin/sh\nexec mptcpize run '" + javaBin() + "' \"$@\"\n");
            mptcpizeJava = script;
        }
        return mptcpizeJava;
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    // ---- forked harnesses -----------------------------------------------------------------------------------------

    List<String> command(Baseline b, String mainClass, String... args) {
        return command(b, true, mainClass, args);
    }

    List<String> command(Baseline b, boolean checkable, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(b.launcher());
        cmd.add(javaBin());
        cmd.addAll(b.jvmArgs(agentJar, checkable));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static final Pattern LATENCY =
            Pattern.compile("latency size=(\\d+) count=(\\d+) p50=([\\d.]+) p99=([\\d.]+) p999=([\\d.]+) max=([\\d.]+)");

    /** Benchmark 4: {@link LatencyMain} in fresh JVMs, forks interleaved across baselines. */
    void latency(List<Baseline> baselines) throws Exception {
        int forks = smoke ? 1 : 3;
        int warmup = smoke ? 100 : 20_000;
        int count = smoke ? 1_000 : 200_000;
        results.latencyCount = count;
        Map<Integer, Map<Baseline, List<double[]>>> samples = new LinkedHashMap<>();
        for (int fork = 0; fork < forks; fork++) {
            for (int size : new int[] {64, 4096}) {
                for (Baseline b : baselines) {
                    System.out.println("=== latency " + size + " B on " + b.label + ", fork " + (fork + 1));
                    String line = lineStarting("latency ", exec(command(b, LatencyMain.class.getName(), String.valueOf(size),
                            String.valueOf(warmup), String.valueOf(count)), 300));
                    Matcher m = LATENCY.matcher(line);
                    if (!m.matches() || Long.parseLong(m.group(2)) != count) {
                        throw new IllegalStateException("unexpected output: " + line);
                    }
                    System.out.println(line);
                    samples.computeIfAbsent(size, s -> new EnumMap<>(Baseline.class))
                            .computeIfAbsent(b, x -> new ArrayList<>())
                            .add(new double[] {Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4)),
                                Double.parseDouble(m.group(5))});
                }
            }
        }
        results.latency = new LinkedHashMap<>();
        samples.forEach((size, byBaseline) -> {
            Map<Baseline, Stat[]> stats = new EnumMap<>(Baseline.class);
            byBaseline.forEach((b, forksOf) -> {
                Stat[] s = new Stat[3];
                for (int p = 0; p < 3; p++) {
                    List<Double> values = new ArrayList<>();
                    for (double[] f : forksOf) {
                        values.add(f[p]);
                    }
                    s[p] = Stat.of(values);
                }
                stats.put(b, s);
            });
            results.latency.put(size, stats);
        });
    }

    /**
     * The rules' cost, in lockstep: each round starts {@link DecideApp} in a fresh JVM of each baseline — jdk,
     * mptcpize, the agent with its default rules (loopback TCP: a decision that changes nothing) and the agent with
     * {@code loopback mptcp} (every client switched at its connect) — and keeps all four alive; they take turns block
     * by block ({@link LockstepFork}), in every order in turn ({@link #orders}), so that the blocks compared ran
     * within a second or two of each other and each JVM's warm-up was the others'. A round's figure per baseline is
     * the median of its {@link #RULES_BLOCKS} blocks, a round's ratio the median of the blocks' paired ratios; one
     * warm-up round. Why lockstep: sequential JMH runs of one baseline after another drift on this machine by more
     * than the targets (0.74x and 1.6x jdk for the same code), and even whole forks interleaved seconds apart
     * differed by more than the 2 % to show.
     */
    void rules() throws Exception {
        int rounds = smoke ? 1 : rulesRounds;
        int warmupRounds = smoke ? 0 : 1;
        int blocks = smoke ? 1 : RULES_BLOCKS;
        String count = smoke ? "50" : "1000"; // connections per set-up block
        String millis = smoke ? "50" : "400"; // milliseconds of sending per bulk transfer
        String trips = smoke ? "200" : "5000"; // round trips per block
        String settle = smoke ? "0" : "3000"; // milliseconds of connections before anything is measured
        List<Baseline> baselines = rulesBaselines;
        boolean switched = baselines.contains(Baseline.AGENT) && baselines.contains(Baseline.MPTCPIZE);
        Map<String, Map<Baseline, List<Double>>> samples = new LinkedHashMap<>();
        Map<String, List<Double>> defaultVsJdk = new LinkedHashMap<>();
        Map<String, List<Double>> agentVsMptcpize = new LinkedHashMap<>();
        List<List<Baseline>> orders = orders(baselines);
        for (int round = 0; round < warmupRounds + rounds; round++) {
            Map<Baseline, LockstepFork> forks = new EnumMap<>(Baseline.class);
            try {
                for (int i = 0; i < baselines.size(); i++) {
                    Baseline b = baselines.get((i + round) % baselines.size());
                    forks.put(b, new LockstepFork(command(b, DecideApp.class.getName(), count, millis, trips, settle)));
                }
                for (int i = 0; i < baselines.size(); i++) {
                    forks.get(baselines.get((i + round) % baselines.size())).block("settle", 120);
                }
                int turn = round * 5; // a round starts with other orders than the one before it
                for (String key : rulesKeys) {
                    int warmUps = key.endsWith(".us") && !key.contains(".rtt.") ? 2 : 1; // set-up: 2 blocks
                    Map<Baseline, double[]> v = new EnumMap<>(Baseline.class);
                    baselines.forEach(b -> v.put(b, new double[blocks]));
                    for (int j = -warmUps; j < blocks; j++, turn++) {
                        for (Baseline b : orders.get(turn % orders.size())) {
                            double x = forks.get(b).block(key, 120);
                            if (j >= 0) {
                                v.get(b)[j] = x;
                            }
                        }
                    }
                    if (round < warmupRounds) {
                        continue;
                    }
                    v.forEach((b, x) -> samples.computeIfAbsent(key, k -> new EnumMap<>(Baseline.class))
                            .computeIfAbsent(b, x2 -> new ArrayList<>()).add(Stat.median(x)));
                    defaultVsJdk.computeIfAbsent(key, k -> new ArrayList<>())
                            .add(Stat.median(ratios(v.get(Baseline.AGENT_DEFAULT), v.get(Baseline.JDK))));
                    if (switched) {
                        agentVsMptcpize.computeIfAbsent(key, k -> new ArrayList<>())
                                .add(Stat.median(ratios(v.get(Baseline.AGENT), v.get(Baseline.MPTCPIZE))));
                    }
                }
            } finally {
                for (LockstepFork f : forks.values()) {
                    f.close();
                }
            }
            System.out.println("=== rules round " + round + " done");
        }
        results.rules = new LinkedHashMap<>();
        samples.forEach((key, byBaseline) -> {
            Map<Baseline, Stat> stats = new EnumMap<>(Baseline.class);
            byBaseline.forEach((b, v) -> stats.put(b, Stat.of(v)));
            results.rules.put(key, stats);
        });
        results.rulesDefaultVsJdk = new LinkedHashMap<>();
        results.rulesDefaultVsJdkInterval = new LinkedHashMap<>();
        defaultVsJdk.forEach((key, v) -> {
            results.rulesDefaultVsJdk.put(key, Stat.of(v));
            results.rulesDefaultVsJdkInterval.put(key, Stat.medianInterval(v));
        });
        results.rulesAgentVsMptcpize = new LinkedHashMap<>();
        results.rulesAgentVsMptcpizeInterval = new LinkedHashMap<>();
        agentVsMptcpize.forEach((key, v) -> {
            results.rulesAgentVsMptcpize.put(key, Stat.of(v));
            results.rulesAgentVsMptcpizeInterval.put(key, Stat.medianInterval(v));
        });
        System.out.println("=== rules, default/jdk, each round " + defaultVsJdk);
        System.out.println("=== rules, agent/mptcpize, each round " + agentVsMptcpize);
        results.rulesRounds = rounds;
        results.rulesBlocks = blocks;
        results.decision = new LinkedHashMap<>();
        jmh(DecisionBench.class, List.of(Baseline.JDK), Map.of())
                .forEach((method, byBaseline) -> results.decision.put(method, byBaseline.get(Baseline.JDK)));
        System.out.println("=== rules " + results.rules);
        System.out.println("=== decision " + results.decision);
        System.out.println("=== rules, default/jdk over rounds " + results.rulesDefaultVsJdk);
    }

    /**
     * Every order of {@code items} (4! = 24 for the rules' baselines), shuffled with a fixed seed: blocks that take
     * them in turn run each baseline in each place, and right after each other baseline, equally often in every 24
     * blocks. A rotation would not: each baseline would always follow the same other one, and whatever one fork
     * leaves behind (its connections' TIME_WAIT, a warm cache) would weigh on the same next one every time.
     */
    static <T> List<List<T>> orders(List<T> items) {
        List<List<T>> all = new ArrayList<>();
        permute(new ArrayList<>(), new ArrayList<>(items), all);
        java.util.Collections.shuffle(all, new java.util.Random(20261207));
        return all;
    }

    private static <T> void permute(List<T> prefix, List<T> rest, List<List<T>> out) {
        if (rest.isEmpty()) {
            out.add(List.copyOf(prefix));
        }
        for (int i = 0; i < rest.size(); i++) {
            prefix.add(rest.remove(i));
            permute(prefix, rest, out);
            rest.add(i, prefix.remove(prefix.size() - 1));
        }
    }

    /** How many measured blocks of each figure a fork of the rules part runs per round. */
    static final int RULES_BLOCKS = 7;

    private static double[] ratios(double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] / b[i];
        }
        return r;
    }

    /** The rules part's baselines, in the order its tables show them. */
    static final List<Baseline> RULES_BASELINES = List.of(Baseline.JDK, Baseline.MPTCPIZE, Baseline.AGENT_DEFAULT,
            Baseline.AGENT);

    /** What {@link DecideApp} prints, in the order of the report's rows. */
    static final List<String> RULES_KEYS = List.of("channel.us", "socket.us", "netty.us", "channel.mbps",
            "socket.mbps", "netty.mbps", "channel.rtt.us", "socket.rtt.us", "netty.rtt.us");

    /**
     * Benchmark 5b: what the operators' views (the JMX bean's registration thread, the JFR listener) cost the first
     * connection: {@link StartupApp} under the agent and under the switch, each with the views (the default) and with
     * {@code -Dmptcp.nio.jmx=false}; four variants rotated per round after two warm-up rounds.
     */
    void views() throws Exception {
        int rounds = smoke ? 1 : 20;
        int warmupRounds = smoke ? 0 : 2;
        List<Baseline> modes = List.of(Baseline.AGENT, Baseline.SWITCH);
        List<String> variants = new ArrayList<>();
        for (Baseline b : modes) {
            variants.add(b.label + " views on");
            variants.add(b.label + " views off");
        }
        Map<String, List<Double>> millis = new LinkedHashMap<>();
        for (int round = 0; round < warmupRounds + rounds; round++) {
            for (int i = 0; i < variants.size(); i++) {
                int v = (i + round) % variants.size();
                Baseline b = modes.get(v / 2);
                List<String> cmd = command(b, false, StartupApp.class.getName());
                if (v % 2 == 1) {
                    cmd.add(cmd.indexOf(javaBin()) + 1, "-Dmptcp.nio.jmx=false");
                }
                double ms = timeToEstablished(cmd, b);
                if (round >= warmupRounds) {
                    millis.computeIfAbsent(variants.get(v), x -> new ArrayList<>()).add(ms);
                }
            }
        }
        results.views = new LinkedHashMap<>();
        for (String v : variants) {
            results.views.put(v, Stat.of(millis.get(v)));
        }
        System.out.println("=== views " + results.views);
    }

    private static double timeToEstablished(List<String> cmd, Baseline b) throws Exception {
        Path err = Files.createTempFile("startup", ".err");
        try {
            return timeToEstablished(cmd, b, err);
        } finally {
            Files.deleteIfExists(err);
        }
    }

    private static double timeToEstablished(List<String> cmd, Baseline b, Path err) throws Exception {
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        long established = -1;
        StringBuilder all = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.equals("established") && established < 0) {
                    established = System.nanoTime();
                }
                all.append(line).append('\n');
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || established < 0
                || !all.toString().contains("verified " + b.label)) {
            p.destroyForcibly();
            throw new IllegalStateException("start-up run failed: " + cmd + "\n" + all + "\n--- stderr\n"
                    + Files.readString(err));
        }
        return (established - start) / 1e6;
    }

    /**
     * Runs a command, fails on a non-zero exit or a timeout, returns its stdout. Stderr goes to a file of its own and
     * is only shown on failure: the library writes its INFO line from a thread of its own, which must not land in
     * the middle of a result line.
     */
    static String exec(List<String> cmd, long seconds) throws Exception {
        Path err = Files.createTempFile("bench", ".err");
        try {
            return exec(cmd, seconds, err);
        } finally {
            Files.deleteIfExists(err);
        }
    }

    private static String exec(List<String> cmd, long seconds, Path err) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        java.util.concurrent.CompletableFuture<String> output = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        return "<unreadable: " + e + ">";
                    }
                });
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out after " + seconds + " s: " + cmd);
        }
        String text = output.join();
        if (p.exitValue() != 0) {
            throw new IllegalStateException("exit " + p.exitValue() + ": " + cmd + "\n" + text + "\n--- stderr\n"
                    + Files.readString(err));
        }
        return text;
    }

    private static String lineStarting(String prefix, String text) {
        for (String line : text.split("\n")) {
            if (line.startsWith(prefix)) {
                return line.strip();
            }
        }
        throw new IllegalStateException("no line starting with '" + prefix + "' in:\n" + text);
    }
}
