package io.github.mptcpnio.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server process (PostgreSQL, Redis) started by a test inside its network namespace, its output kept in a file
 * (shown when it fails), stopped on {@link #close()}: first by {@code stop}, the server's own shutdown command, then
 * by signals. Use try-with-resources, so that it also goes when a test fails.
 */
public final class Daemon implements AutoCloseable {
    private final Netns ns;
    private final Process process;
    private final Path output;
    private final List<String> stop;

    private Daemon(Netns ns, Process process, Path output, List<String> stop) {
        this.ns = ns;
        this.process = process;
        this.output = output;
        this.stop = stop;
    }

    /**
     * Starts {@code command} in {@code ns}, then runs {@code ready} in the namespace every 200 ms until it exits 0
     * (at most {@code seconds}).
     *
     * @param stop the server's own shutdown command, run in the namespace on close (may be empty)
     */
    public static Daemon start(Netns ns, List<String> command, List<String> ready, List<String> stop, int seconds)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile("mptcpnio-daemon-", ".out");
        List<String> full = new ArrayList<>(ns.prefix());
        full.addAll(command);
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        Daemon d = new Daemon(ns, p, output, stop);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            if (!p.isAlive()) {
                String out = d.output();
                d.close();
                throw new IOException(command + " exited " + p.exitValue() + " before it was ready:\n" + out);
            }
            try {
                ns.exec(ready.toArray(new String[0]));
                return d;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    String out = d.output();
                    d.close();
                    throw new IOException(command + " not ready after " + seconds + " s (" + notYet.getMessage()
                            + "):\n" + out);
                }
                Thread.sleep(200);
            }
        }
    }

    /** What the server printed so far. */
    public String output() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        try {
            if (!stop.isEmpty() && process.isAlive()) {
                try {
                    ns.exec(stop.toArray(new String[0]));
                } catch (IOException e) {
                    // the signals below stop it
                }
            }
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** The path of a Debian PostgreSQL server binary ({@code postgres}, {@code initdb}, ...) of any installed version. */
    public static Path postgresBinary(String name) throws IOException {
        try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin").resolve(name)).filter(Files::isExecutable).sorted()
                    .reduce((a, b) -> b).orElseThrow(() -> new IOException("no " + name + " under /usr/lib/postgresql "
                            + "(apt-get install postgresql)"));
        }
    }

    static List<String> list(String... parts) {
        return Arrays.asList(parts);
    }
}
