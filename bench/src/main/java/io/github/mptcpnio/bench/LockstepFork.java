package io.github.mptcpnio.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A benchmark JVM that stays alive and runs one measured block per command ({@link DecideApp}'s protocol): it prints
 * {@code ready}, then answers each line {@code KEY} with a line {@code KEY=VALUE} and {@code quit} by exiting. Several
 * such forks, one per baseline, take turns block by block, so that the blocks compared ran seconds apart under the
 * same conditions, each fork idle (blocked on its standard input) while another measures.
 */
final class LockstepFork implements AutoCloseable {
    private final List<String> command;
    private final Process process;
    private final Path stderr;
    private final BufferedReader out;
    private final Writer in;

    LockstepFork(List<String> command) throws IOException {
        this.command = command;
        this.stderr = Files.createTempFile("bench-fork", ".err");
        this.process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        answer("ready", 120);
    }

    /** Sends {@code key}, returns the number of the fork's {@code key=} answer. */
    double block(String key, long timeoutSeconds) throws IOException {
        in.write(key + "\n");
        in.flush();
        String line = answer(key + "=", timeoutSeconds);
        return Double.parseDouble(line.substring(key.length() + 1));
    }

    /** Reads lines until one starts with {@code prefix}; fails on the fork's exit or after the time. */
    private String answer(String prefix, long timeoutSeconds) throws IOException {
        CompletableFuture<String> next = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith(prefix)) {
                        return line;
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        String line;
        try {
            line = next.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            process.destroyForcibly();
            throw new IOException("no '" + prefix + "' within " + timeoutSeconds + " s from " + command);
        } catch (InterruptedException | ExecutionException e) {
            process.destroyForcibly();
            throw new IOException("reading the fork " + command, e);
        }
        if (line == null) {
            throw new IOException("the fork ended before '" + prefix + "': " + command + "\n--- stderr\n"
                    + Files.readString(stderr));
        }
        return line;
    }

    /** Asks the fork to quit; it must exit 0 within 30 s. */
    @Override
    public void close() throws IOException {
        try {
            if (process.isAlive()) {
                try {
                    in.write("quit\n");
                    in.flush();
                } catch (IOException alreadyGone) {
                    // its exit value says why
                }
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("the fork did not quit within 30 s: " + command);
            }
            if (process.exitValue() != 0) {
                throw new IOException("exit " + process.exitValue() + ": " + command + "\n--- stderr\n"
                        + Files.readString(stderr));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            Files.deleteIfExists(stderr);
        }
    }
}
