package io.github.mptcpnio.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a class (or jar) in a new JVM of the same JDK, optionally inside a network namespace, and collects output. */
public final class Forked {
    public static final String SWITCH =
            "-Djava.nio.channels.spi.SelectorProvider=io.github.mptcpnio.MptcpSelectorProvider";
    public static final String EXPORT = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    public static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

    /** What a forked JVM did. */
    public record Result(int exit, String stdout, String stderr) {
        public Result assertExit(int expected) {
            if (exit != expected) {
                throw new AssertionError("forked JVM exited " + exit + " (expected " + expected + ")\n--- stdout\n"
                        + stdout + "\n--- stderr\n" + stderr);
            }
            return this;
        }
    }

    private final List<String> prefix = new ArrayList<>();
    private final List<String> jvmArgs = new ArrayList<>();
    private String classPath = testClassPath();

    public static Forked jvm() {
        return new Forked();
    }

    public static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The class path of the running tests: library, test classes and all dependencies. */
    public static String testClassPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    /** Every entry of the test class path whose file name contains {@code fragment}. */
    public static List<String> classPathEntries(String fragment) {
        List<String> out = new ArrayList<>();
        for (String e : testClassPath().split(File.pathSeparator)) {
            if (Path.of(e).getFileName().toString().contains(fragment)) {
                out.add(e);
            }
        }
        return out;
    }

    public Forked in(Netns ns) {
        prefix.addAll(ns.prefix());
        return this;
    }

    /** Wraps the JVM, e.g. {@code prlimit --nofile=128}. */
    public Forked wrappedBy(String... command) {
        prefix.addAll(Arrays.asList(command));
        return this;
    }

    public Forked args(String... args) {
        jvmArgs.addAll(Arrays.asList(args));
        return this;
    }

    /** The switch, the export and native access: an application enabled the documented way. */
    public Forked enabled() {
        return args(SWITCH, EXPORT, NATIVE_ACCESS);
    }

    public Forked classPath(String cp) {
        this.classPath = cp;
        return this;
    }

    /**
     * How many times the given time limits are stretched: 1 on the host; KernelsIT sets it for the guests, where qemu
     * emulates the CPU (no KVM here) and a JVM runs 5-14 times slower, so that a limit sized for the host still bounds
     * a hang there without failing a slow but healthy run.
     */
    static final long SLOWDOWN = Math.max(1, Long.getLong("mptcp.nio.test.slowdown", 1));

    /** Runs {@code mainClass args} and waits at most {@code seconds} (times {@link #SLOWDOWN}). */
    public Result run(String mainClass, long seconds, String... args) throws IOException, InterruptedException {
        return exec(command(mainClass, args), seconds);
    }

    /** Starts {@code mainClass args} without waiting; the caller must {@link Running#finish} or close it. */
    public Running start(String mainClass, String... args) throws IOException {
        return new Running(command(mainClass, args));
    }

    /** Starts an already composed command (a JVM under a wrapper, or any program) the same way. */
    public static Running background(List<String> command) throws IOException {
        return new Running(command);
    }

    private List<String> command(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(javaBin());
        cmd.addAll(jvmArgs);
        if (classPath != null) {
            cmd.add("-cp");
            cmd.add(classPath);
        }
        if (mainClass != null) {
            cmd.add(mainClass);
        }
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    /** A JVM running in the background; its stdout lines can be awaited as they come. */
    public static final class Running implements AutoCloseable {
        private final Process process;
        private final Path err;
        private final java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        private final StringBuilder stdout = new StringBuilder();
        private final Thread reader;

        Running(List<String> cmd) throws IOException {
            err = Files.createTempFile("forked", ".err");
            process = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
            process.getOutputStream().close();
            reader = new Thread(() -> {
                try (java.io.BufferedReader r = new java.io.BufferedReader(
                        new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        synchronized (stdout) {
                            stdout.append(line).append('\n');
                        }
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("<stdout unreadable: " + e + ">");
                }
            }, "forked-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        /** The process this started: the command itself, which may have started the JVM as a descendant. */
        public ProcessHandle handle() {
            return process.toHandle();
        }

        /** Waits for the next output line that starts with {@code prefix}, skipping others. */
        public String awaitLine(String prefix, long seconds) throws InterruptedException, IOException {
            seconds *= SLOWDOWN;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (true) {
                String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line != null && line.startsWith(prefix)) {
                    return line;
                }
                if (line == null && (System.nanoTime() >= deadline || !process.isAlive() && lines.isEmpty())) {
                    throw new AssertionError("no line starting with '" + prefix + "' within " + seconds + " s; stdout:\n"
                            + stdoutSoFar() + "\n--- stderr\n" + Files.readString(err));
                }
            }
        }

        /** Like {@link #awaitLine}, but only for lines printed from now on (older queued lines are skipped). */
        public String awaitFreshLine(String prefix, long seconds) throws InterruptedException, IOException {
            lines.clear();
            return awaitLine(prefix, seconds);
        }

        private String stdoutSoFar() {
            synchronized (stdout) {
                return stdout.toString();
            }
        }

        /** Waits for the exit and returns everything it printed. */
        public Result finish(long seconds) throws InterruptedException, IOException {
            seconds *= SLOWDOWN;
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                close();
                throw new AssertionError("forked JVM did not finish in " + seconds + " s; stdout:\n" + stdoutSoFar()
                        + "\n--- stderr\n" + Files.readString(err));
            }
            reader.join(TimeUnit.SECONDS.toMillis(10));
            Result r = new Result(process.exitValue(), stdoutSoFar(), Files.readString(err));
            Files.deleteIfExists(err);
            return r;
        }

        @Override
        public void close() throws IOException {
            if (process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                try {
                    process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Files.deleteIfExists(err);
        }
    }

    public static Result exec(List<String> cmd, long seconds) throws IOException, InterruptedException {
        seconds *= SLOWDOWN;
        Path err = Files.createTempFile("forked", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "<stdout unreadable: " + e + ">";
                }
            });
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("forked JVM timed out after " + seconds + " s: " + cmd + "\n--- stderr\n"
                        + Files.readString(err));
            }
            return new Result(p.exitValue(), out.join(), Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
