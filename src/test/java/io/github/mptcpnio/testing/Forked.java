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

    /** Runs {@code mainClass args} and waits at most {@code seconds}. */
    public Result run(String mainClass, long seconds, String... args) throws IOException, InterruptedException {
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
        return exec(cmd, seconds);
    }

    public static Result exec(List<String> cmd, long seconds) throws IOException, InterruptedException {
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
