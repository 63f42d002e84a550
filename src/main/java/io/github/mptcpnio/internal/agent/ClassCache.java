package io.github.mptcpnio.internal.agent;

import io.github.mptcpnio.internal.linux.PrivateCache;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Arrays;
import java.util.Optional;

/**
 * Rewritten classes kept between JVMs, so that a warm start defines them without loading ASM: the rewritten bytes are
 * a pure function of the original bytes and of our rewriting code. In the per-user cache ({@link PrivateCache}, the
 * same rules as jffi's stub), under {@code classes-<fingerprint>}, the agent jar's length and modification time
 * ({@link #fingerprint()}): another build of the agent uses another folder.
 *
 * <p>One file per class and original: {@code <class>-<hash>-<length>.class}, holding a header, the original bytes and
 * the rewritten bytes. A file is used only when it passes {@link PrivateCache}'s checks and the original it holds
 * equals, byte for byte, the bytes the JVM is loading (as for the stub: the guarantee of an equal cryptographic hash
 * without a {@code MessageDigest}'s first-use cost); a file that does not is removed. Files are written through a
 * private temporary name moved into place. Any failure is a miss: the class is rewritten as without the cache.
 *
 * <p>Reads and writes use {@code java.io} streams and {@code java.nio.file} attribute calls only, never a channel:
 * they run while {@code sun.nio.ch.Net} and the JDK's socket classes load.
 */
final class ClassCache {
    private static final int MAGIC = 0x4D504E43; // "MPNC"
    private static final int HEADER = 12; // magic, original length, rewritten length

    private static volatile String lastNotUsedBecause;

    private final Path dir;
    private final int uid;

    private ClassCache(Path dir, int uid, String notUsedBecause) {
        this.dir = dir;
        this.uid = uid;
        lastNotUsedBecause = notUsedBecause;
    }

    /** A cache in its folder for this build of the agent; unused (every lookup a miss), with the reason, if unsafe. */
    static ClassCache open() {
        try {
            return in(PrivateCache.root().resolve("classes-" + fingerprint()));
        } catch (IOException | RuntimeException | LinkageError e) {
            return unused(e instanceof PrivateCache.Unsafe ? e.getMessage() : e.toString());
        }
    }

    /** A cache in {@code dir}, created if missing, unused if {@code dir} or a folder above it is not trusted. */
    static ClassCache in(Path dir) {
        try {
            int uid = PrivateCache.uid();
            PrivateCache.trustedDirectories(dir, uid);
            return new ClassCache(dir, uid, null);
        } catch (IOException | RuntimeException | LinkageError e) {
            return unused(e instanceof PrivateCache.Unsafe ? e.getMessage() : e.toString());
        }
    }

    /** A cache that is never used, and why. */
    static ClassCache unused(String why) {
        return new ClassCache(null, -1, why);
    }

    /** Why the last cache opened in this JVM is not used (or stopped being used); empty when it is. */
    static Optional<String> notUsedBecause() {
        return Optional.ofNullable(lastNotUsedBecause);
    }

    /** The rewritten bytes kept for {@code original} of {@code className}, or null. */
    byte[] lookup(String className, byte[] original) {
        if (dir == null) {
            return null;
        }
        Path file = dir.resolve(fileName(className, original));
        try {
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            PrivateCache.trustedFile(file, uid);
            byte[] all;
            try (InputStream in = new FileInputStream(file.toFile())) {
                all = in.readAllBytes();
            }
            int n = original.length;
            if (all.length < HEADER || intAt(all, 0) != MAGIC || intAt(all, 4) != n
                    || (long) HEADER + n + intAt(all, 8) != all.length
                    || !Arrays.equals(all, HEADER, HEADER + n, original, 0, n)) {
                Files.deleteIfExists(file);
                return null;
            }
            return Arrays.copyOfRange(all, HEADER + n, all.length);
        } catch (IOException | RuntimeException e) {
            notUsed(file + ": " + e);
            return null;
        }
    }

    /** Keeps {@code rewritten} for {@code original} of {@code className}; a failure only means the next JVM rewrites. */
    void store(String className, byte[] original, byte[] rewritten) {
        if (dir == null) {
            return;
        }
        byte[] all = new byte[HEADER + original.length + rewritten.length];
        putInt(all, 0, MAGIC);
        putInt(all, 4, original.length);
        putInt(all, 8, rewritten.length);
        System.arraycopy(original, 0, all, HEADER, original.length);
        System.arraycopy(rewritten, 0, all, HEADER + original.length, rewritten.length);
        try {
            PrivateCache.write(dir.resolve(fileName(className, original)), all);
        } catch (IOException | RuntimeException e) {
            notUsed("cannot write into " + dir + ": " + e);
        }
        if (!pruned) {
            pruned = true;
            prune(dir, System.currentTimeMillis() - UNUSED_FOR_MILLIS);
        }
    }

    /** A folder of another build, untouched this long, is removed the next time a class is written. */
    static final long UNUSED_FOR_MILLIS = 30L * 24 * 3600 * 1000;
    private boolean pruned;

    /**
     * Removes the {@code classes-*} folders beside {@code current} last modified before {@code before}: every build of
     * the agent leaves one (about 100 KB), and only a miss — a new build's first start — writes, so a run of builds
     * never piles up for long. Files only, no links followed; a failure leaves the folder for next time.
     */
    static void prune(Path current, long before) {
        File[] siblings = current.getParent().toFile().listFiles();
        if (siblings == null) {
            return;
        }
        for (File d : siblings) {
            if (!d.getName().startsWith("classes-") || d.getName().equals(current.getFileName().toString())
                    || Files.isSymbolicLink(d.toPath()) || !d.isDirectory() || d.lastModified() >= before) {
                continue;
            }
            File[] files = d.listFiles();
            if (files != null) {
                for (File f : files) {
                    if (f.isFile() && f.getName().endsWith(".class")) {
                        f.delete();
                    }
                }
            }
            d.delete(); // only when empty
        }
    }

    private static void notUsed(String why) {
        lastNotUsedBecause = why;
    }

    static String fileName(String className, byte[] original) {
        return className.replace('/', '.') + "-" + Integer.toHexString(Arrays.hashCode(original)) + "-"
                + original.length + ".class";
    }

    /**
     * The agent's jar by its length and modification time, in hex: another build of the agent (every build writes a
     * new jar) uses another folder. Read with {@code java.io.File}: listing the jar's entries took 11–14 ms of the
     * agent's start on JDK 25. The kept classes are checked against the JDK's bytes on every use; this only keeps
     * builds of our code apart, and a jar with the same length and time to the millisecond but other classes would
     * have to be made on purpose by someone who can write the jar itself.
     *
     * @throws PrivateCache.Unsafe when this class is not in a jar file (a build's class folder: no cache)
     */
    static String fingerprint() throws IOException {
        CodeSource source = ClassCache.class.getProtectionDomain().getCodeSource();
        URL url = source == null ? null : source.getLocation();
        File jar;
        try {
            jar = url == null || !"file".equals(url.getProtocol()) ? null : new File(url.toURI());
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            jar = null;
        }
        if (jar == null || !jar.isFile()) {
            throw new PrivateCache.Unsafe("the agent's classes are not in a jar file (" + url + ")");
        }
        return Long.toHexString(jar.length()) + "-" + Long.toHexString(jar.lastModified());
    }

    private static int intAt(byte[] b, int i) {
        return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
    }

    private static void putInt(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }
}
