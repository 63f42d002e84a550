package io.github.mptcpnio.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A private network namespace with a unique name, loopback up; removed on {@link #close()} (use
 * try-with-resources, so it also goes when a test fails). Counters read inside it see only its own traffic.
 */
public final class Netns implements AutoCloseable {
    private final String name;

    private Netns(String name) {
        this.name = name;
    }

    /** Creates {@code mptcpnio-<purpose>-<random>} with loopback up. */
    public static Netns create(String purpose) throws IOException {
        String name = "mptcpnio-" + purpose + "-" + UUID.randomUUID().toString().substring(0, 8);
        run(List.of("ip", "netns", "add", name));
        Netns ns = new Netns(name);
        try {
            ns.exec("ip", "link", "set", "lo", "up");
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    public String name() {
        return name;
    }

    /** Runs a command inside the namespace; fails on a non-zero exit. Returns stdout+stderr. */
    public String exec(String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(Arrays.asList(command));
        return run(full);
    }

    /** The prefix that runs a command in this namespace. */
    public List<String> prefix() {
        return List.of("ip", "netns", "exec", name);
    }

    public void sysctl(String key, String value) throws IOException {
        exec("sysctl", "-q", "-w", key + "=" + value);
    }

    /** {@code nstat -saz}: absolute values of every counter in this namespace (fresh at creation). */
    public Map<String, Long> counters() throws IOException {
        Map<String, Long> values = new HashMap<>();
        for (String line : exec("nstat", "-saz").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[1].matches("\\d+")) {
                values.put(f[0], Long.parseLong(f[1]));
            }
        }
        return values;
    }

    public long counter(String name) throws IOException {
        return counters().getOrDefault(name, 0L);
    }

    /**
     * How many TCP connections (MPTCP subflows included) were opened in a namespace whose clients and servers are all
     * in it: its active opens, one per SYN that a {@code connect} sent, and never fewer passive opens (else fails).
     * Not the passive opens themselves: Linux 6.1 in a guest once counted 5 of them for 4 active opens, 4 MP_CAPABLE
     * SYNs received and as many segments in as out (CI, AgentSocketsIT) - one handshake's passive open counted twice
     * by the kernel (two vCPUs completing it at once, presumably), not a fifth connection, which would have needed a
     * fifth SYN from a {@code connect} in the namespace.
     */
    public static long connections(Map<String, Long> counters) {
        long active = counters.getOrDefault("TcpActiveOpens", 0L);
        long passive = counters.getOrDefault("TcpPassiveOpens", 0L);
        if (passive < active) {
            throw new AssertionError(active + " active opens but only " + passive + " passive: a connection left the "
                    + "namespace or was never accepted: " + counters);
        }
        return active;
    }

    @Override
    public void close() throws IOException {
        run(List.of("ip", "netns", "del", name));
    }

    /** Runs a command in the root namespace (e.g. {@code ip link add ... netns X}); fails on a non-zero exit. */
    public static String host(String... command) throws IOException {
        return run(Arrays.asList(command));
    }

    /**
     * Runs a command, its output (stdout and stderr) going to a temporary file rather than a pipe: a command that
     * prints more than a pipe holds (64 KiB: {@code nstat -saz}, {@code ss}, {@code nft list}) can never block on a
     * reader that only reads after it exits.
     */
    static String run(List<String> command) throws IOException {
        Path output = Files.createTempFile("mptcpnio-netns-", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException("timed out: " + command);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted: " + command, e);
            }
            String out = Files.readString(output, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(command + " exited " + p.exitValue() + ": " + out);
            }
            return out;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    public static Optional<Path> which(String tool) {
        for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
