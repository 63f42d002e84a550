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
import java.util.Enumeration;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Rewritten classes kept between JVMs, so that a warm start defines them without loading ASM: the rewritten bytes are
 * a pure function of the original bytes and of our rewriting code. In the per-user cache ({@link PrivateCache}, the
 * same rules as jffi's stub), under {@code classes-<fingerprint>}, where the fingerprint covers the CRC-32 of every
 * class of ours and of ASM in the agent's jar (read from the jar's directory, nothing inflated): another build of the
 * agent uses another folder.
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
    /** The code whose output the cache holds: ours, and ASM. */
    private static final String[] OURS = {"io/github/mptcpnio/", "org/objectweb/asm/"};

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
    }

    private static void notUsed(String why) {
        lastNotUsedBecause = why;
    }

    static String fileName(String className, byte[] original) {
        return className.replace('/', '.') + "-" + Integer.toHexString(Arrays.hashCode(original)) + "-"
                + original.length + ".class";
    }

    /**
     * The CRC-32s and names of our classes and ASM's in the jar this class comes from, folded into 16 hex digits.
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
        long h = 1125899906842597L;
        int count = 0;
        try (ZipFile zip = new ZipFile(jar)) {
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                String name = entry.getName();
                if (name.endsWith(".class") && (name.startsWith(OURS[0]) || name.startsWith(OURS[1]))) {
                    h = 31 * (31 * h + name.hashCode()) + entry.getCrc();
                    count++;
                }
            }
        }
        return Long.toHexString(h) + Integer.toHexString(count);
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
