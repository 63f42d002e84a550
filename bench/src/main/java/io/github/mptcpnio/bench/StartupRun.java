package io.github.mptcpnio.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The start-up part: what a short-lived JVM pays for each way in, on every JDK found (the bench's own, and Temurin 25
 * where it is installed). Two programs, each from a jar of its own, as users run them:
 * <ul>
 *   <li>{@link FirstConnection}: one loopback connection, then exit — timed from process start to its
 *       {@code established} line (first connection) and to its exit (whole process);</li>
 *   <li>ZooKeeper 3.9.5's command-line client ({@code ZooKeeperMain -server 127.0.0.1:PORT ls /}) against a
 *       ZooKeeper server started once for the part (a plain JVM): a real tool, whole process.</li>
 * </ul>
 * Variants: {@code jdk}; {@code mptcpize} ({@code mptcpize run}); {@code empty agent} (an agent that does nothing:
 * the JVM's own price of {@code -javaagent}, the floor under ours), with a class-file hook that changes nothing, and
 * with the hook and the one log line (the agent's floor: what ours must do besides our own code); {@code agent} (the
 * all-jar with its defaults:
 * loopback stays TCP); {@code agent, mode=off}; {@code switch} (the provider property with the export, our jar on
 * the class path). Each gets only the flags its users pass. Rounds rotate the order, after warm-up rounds. Every run
 * is checked: its output, and on stderr the one line of ours where there must be one and nothing of ours where there
 * must not.
 */
final class StartupRun {
    static final String JDK = "jdk";
    static final String MPTCPIZE = "mptcpize";
    static final String EMPTY = "empty agent";
    static final String AGENT = "agent";
    static final String OFF = "agent, mode=off";
    static final String SWITCH = "switch";
    /** Floors: a plain JVM that writes one INFO line through System.Logger, or loads our native binding. */
    static final String LOG_LINE = "jdk + one log line";
    static final String NATIVE = "jdk + native binding";
    /**
     * The agent's own floor: an agent with a class-file hook that changes nothing (as ours must have, for Netty in any
     * class loader), alone and with the one INFO line written before connecting.
     */
    static final String HOOK = "empty agent + class-file hook";
    static final String FLOOR = "agent's floor: hook + one log line";
    static final List<String> VARIANTS = List.of(JDK, MPTCPIZE, EMPTY, HOOK, FLOOR, AGENT, OFF, SWITCH, LOG_LINE,
            NATIVE);
    /** The variants the ZooKeeper client runs under. */
    static final List<String> TOOL_VARIANTS = List.of(JDK, MPTCPIZE, EMPTY, AGENT, OFF);

    private final Suite suite;
    private Path work;
    private Path appJar;
    private Path emptyAgentJar;

    StartupRun(Suite suite) {
        this.suite = suite;
    }

    /** The JDKs to measure: the bench's own, then every other JDK 17+ under /usr/lib/jvm of another feature release. */
    static Map<String, String> jdks() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        String own = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        out.put("JDK " + Runtime.version().feature(), own);
        Path lib = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> dirs = Files.list(lib)) {
                for (Path d : dirs.sorted().toList()) {
                    Path release = d.resolve("release");
                    Path java = d.resolve("bin/java");
                    if (Files.isSymbolicLink(d) || !Files.isRegularFile(release) || !Files.isExecutable(java)) {
                        continue;
                    }
                    int feature = feature(Files.readString(release));
                    String name = "JDK " + feature;
                    if (feature >= 17 && !out.containsKey(name)) {
                        out.put(name, java.toString());
                    }
                }
            }
        }
        return out;
    }

    /** The feature release in a JDK's {@code release} file ({@code JAVA_VERSION="25.0.1"}); 0 if none. */
    static int feature(String release) {
        for (String l : release.split("\n")) {
            if (l.startsWith("JAVA_VERSION=\"")) {
                String v = l.substring("JAVA_VERSION=\"".length());
                int end = 0;
                while (end < v.length() && Character.isDigit(v.charAt(end))) {
                    end++;
                }
                return end == 0 ? 0 : Integer.parseInt(v.substring(0, end));
            }
        }
        return 0;
    }

    Results.Startup run() throws Exception {
        int rounds = suite.smoke ? 1 : 20;
        int warmup = suite.smoke ? 0 : 2;
        int toolRounds = suite.smoke ? 1 : 10;
        work = Files.createTempDirectory("mptcpnio-startup");
        Results.Startup r = new Results.Startup();
        r.rounds = rounds;
        r.warmup = warmup;
        r.toolRounds = toolRounds;
        try {
            appJar = jar("first-connection.jar", FirstConnection.class, "Main-Class");
            emptyAgentJar = jar("empty-agent.jar", EmptyAgent.class, "Premain-Class", EmptyAgent.NoChange.class);
            Map<String, String> jdks = jdks();
            for (Map.Entry<String, String> jdk : jdks.entrySet()) {
                Map<String, List<Double>> first = new LinkedHashMap<>();
                Map<String, List<Double>> whole = new LinkedHashMap<>();
                Map<String, List<Double>> firstRatio = new LinkedHashMap<>();
                Map<String, List<Double>> wholeRatio = new LinkedHashMap<>();
                for (int round = 0; round < warmup + rounds; round++) {
                    Map<String, double[]> thisRound = new LinkedHashMap<>();
                    for (int i = 0; i < VARIANTS.size(); i++) {
                        String v = VARIANTS.get((i + round) % VARIANTS.size());
                        List<String> cmd = command(jdk.getValue(), v, List.of("-cp", classPath(v, appJar.toString()),
                                FirstConnection.class.getName(), v.equals(LOG_LINE) || v.equals(FLOOR) ? "log"
                                        : v.equals(NATIVE) ? "native" : "-"));
                        thisRound.put(v, time(cmd, v, "established"));
                    }
                    if (round < warmup) {
                        continue;
                    }
                    double[] plain = thisRound.get(JDK);
                    thisRound.forEach((v, t) -> {
                        first.computeIfAbsent(v, k -> new ArrayList<>()).add(t[0]);
                        whole.computeIfAbsent(v, k -> new ArrayList<>()).add(t[1]);
                        firstRatio.computeIfAbsent(v, k -> new ArrayList<>()).add(t[0] / plain[0]);
                        wholeRatio.computeIfAbsent(v, k -> new ArrayList<>()).add(t[1] / plain[1]);
                    });
                    System.out.println("=== startup " + jdk.getKey() + " round " + round + " done");
                }
                r.first.put(jdk.getKey(), stats(first));
                r.whole.put(jdk.getKey(), stats(whole));
                r.firstRatio.put(jdk.getKey(), stats(firstRatio));
                r.wholeRatio.put(jdk.getKey(), stats(wholeRatio));
            }
            tool(r, jdks, toolRounds);
        } finally {
            deleteTree(work);
        }
        return r;
    }

    /** ZooKeeper's CLI under each variant, whole process, against one server (a plain JVM of the bench's JDK). */
    private void tool(Results.Startup r, Map<String, String> jdks, int rounds) throws Exception {
        Path lib = Path.of("bench", "target", "zookeeper");
        List<String> jars = new ArrayList<>();
        try (Stream<Path> files = Files.list(lib)) {
            files.filter(f -> f.toString().endsWith(".jar")).sorted().forEach(f -> jars.add(f.toAbsolutePath().toString()));
        } catch (IOException e) {
            throw new IllegalStateException("ZooKeeper's jars missing in " + lib + ": build bench/ first", e);
        }
        String cp = String.join(":", jars);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path data = Files.createDirectories(work.resolve("zookeeper-data"));
        Process server = new ProcessBuilder(Suite.javaBin(), "-cp", cp, "org.apache.zookeeper.server.ZooKeeperServerMain",
                String.valueOf(port), data.toString()).redirectErrorStream(true)
                .redirectOutput(work.resolve("zookeeper.log").toFile()).start();
        try {
            awaitListening(port, server);
            for (Map.Entry<String, String> jdk : jdks.entrySet()) {
                Map<String, List<Double>> whole = new LinkedHashMap<>();
                Map<String, List<Double>> ratio = new LinkedHashMap<>();
                for (int round = 0; round < rounds + (suite.smoke ? 0 : 1); round++) {
                    Map<String, Double> thisRound = new LinkedHashMap<>();
                    for (int i = 0; i < TOOL_VARIANTS.size(); i++) {
                        String v = TOOL_VARIANTS.get((i + round) % TOOL_VARIANTS.size());
                        List<String> cmd = command(jdk.getValue(), v, List.of("-cp", cp,
                                "org.apache.zookeeper.ZooKeeperMain", "-server", "127.0.0.1:" + port, "ls", "/"));
                        thisRound.put(v, time(cmd, v, "[zookeeper]")[1]);
                    }
                    if (round == 0 && !suite.smoke) {
                        continue; // warm-up
                    }
                    thisRound.forEach((v, t) -> {
                        whole.computeIfAbsent(v, k -> new ArrayList<>()).add(t);
                        ratio.computeIfAbsent(v, k -> new ArrayList<>()).add(t / thisRound.get(JDK));
                    });
                }
                r.tool.put(jdk.getKey(), stats(whole));
                r.toolRatio.put(jdk.getKey(), stats(ratio));
                System.out.println("=== startup, ZooKeeper CLI on " + jdk.getKey() + " done");
            }
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static void awaitListening(int port, Process server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("the ZooKeeper server exited: " + server.exitValue());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("the ZooKeeper server does not listen on " + port + " after 30 s");
    }

    /** The command of a variant: launcher, java, the variant's flags, then {@code rest}. */
    private List<String> command(String java, String variant, List<String> rest) {
        List<String> cmd = new ArrayList<>();
        if (variant.equals(MPTCPIZE)) {
            cmd.addAll(List.of("mptcpize", "run"));
        }
        cmd.add(java);
        switch (variant) {
            case EMPTY -> cmd.add("-javaagent:" + emptyAgentJar);
            case HOOK, FLOOR -> cmd.add("-javaagent:" + emptyAgentJar + "=hook");
            case AGENT -> cmd.addAll(List.of("-javaagent:" + suite.agentJar, Baseline.NATIVE_ACCESS));
            case OFF -> cmd.addAll(List.of("-javaagent:" + suite.agentJar + "=mode=off", Baseline.NATIVE_ACCESS));
            case SWITCH -> cmd.addAll(List.of("-Djava.nio.channels.spi.SelectorProvider="
                    + "io.github.mptcpnio.MptcpSelectorProvider", Baseline.EXPORT, Baseline.NATIVE_ACCESS));
            case NATIVE -> cmd.add(Baseline.NATIVE_ACCESS);
            default -> { }
        }
        cmd.addAll(rest);
        return cmd;
    }

    /** The application's class path, with our jar after it for the switch (the provider must be loadable). */
    private String classPath(String variant, String app) {
        return variant.equals(SWITCH) || variant.equals(NATIVE) ? app + ":" + suite.agentJar : app;
    }

    /**
     * Runs one JVM: milliseconds from process start to the first stdout line containing {@code mark}, and to its exit.
     * Fails unless it exits 0, printed the mark, and wrote on stderr the one line of ours exactly where it must.
     */
    private double[] time(List<String> cmd, String variant, String mark) throws Exception {
        Path err = work.resolve("stderr");
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        long marked = -1;
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (marked < 0 && line.contains(mark)) {
                    marked = System.nanoTime();
                }
                out.append(line).append('\n');
            }
        }
        boolean exited = p.waitFor(60, TimeUnit.SECONDS);
        long end = System.nanoTime();
        String stderr = Files.readString(err);
        boolean ours = variant.equals(AGENT) || variant.equals(SWITCH);
        boolean said = stderr.contains("mptcp-nio: MPTCP active");
        if (!exited || p.exitValue() != 0 || marked < 0 || said != ours
                || (!ours && stderr.contains("mptcp-nio"))) {
            p.destroyForcibly();
            throw new IllegalStateException("start-up run (" + variant + ") failed or not what it claims: " + cmd
                    + "\n" + out + "\n--- stderr\n" + stderr);
        }
        return new double[] {(marked - start) / 1e6, (end - start) / 1e6};
    }

    /** A jar holding a class of the bench, named by one manifest attribute, and {@code more} classes beside it. */
    private Path jar(String name, Class<?> c, String attribute, Class<?>... more) throws IOException {
        Path jar = work.resolve(name);
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name(attribute), c.getName());
        List<Class<?>> classes = new ArrayList<>(List.of(c));
        classes.addAll(List.of(more));
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            for (Class<?> k : classes) {
                String entry = k.getName().replace('.', '/') + ".class";
                try (InputStream in = k.getClassLoader().getResourceAsStream(entry)) {
                    if (in == null) {
                        throw new IOException(entry + " not found");
                    }
                    out.putNextEntry(new JarEntry(entry));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        return jar;
    }

    private static Map<String, Stat> stats(Map<String, List<Double>> samples) {
        Map<String, Stat> out = new LinkedHashMap<>();
        samples.forEach((k, v) -> out.put(k, Stat.of(v)));
        return out;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
