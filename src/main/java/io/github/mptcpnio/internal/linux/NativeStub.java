package io.github.mptcpnio.internal.linux;

import com.kenai.jffi.Library;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Puts jffi's native stub library where jffi loads it fastest, before jffi's first class initialises, when that is
 * safe; otherwise leaves jffi to its own extraction, exactly as without this class.
 *
 * <p>Left alone, jffi extracts {@code libjffi-1.2.so} from its jar at every JVM start into a file made by
 * {@code File.createTempFile}, whose first call seeds a {@code SecureRandom}: about 30–50 ms of the JVM's first
 * channel on the benchmark machine (docs/adr/0003). Instead we keep one extracted copy per stub in a per-user cache,
 * {@code $XDG_CACHE_HOME/mptcp-nio} or {@code ~/.cache/mptcp-nio}, and point jffi's own
 * {@code jffi.boot.library.path} at it. The stub is loaded as code into this process, so the cache is used only when
 * ({@link PrivateCache}, whose rules the agent's cache of rewritten classes follows too)
 * <ul>
 *   <li>every folder from {@code /} down to the stub, and the stub itself, is owned by this process's user or root,
 *       is writable by nobody else (no group or other write bit) and is not a symbolic link (checked without
 *       following links); a JVM running as root with another user's {@code HOME} therefore never uses that home;</li>
 *   <li>the stub's bytes are exactly the bytes of the jar entry jffi would extract, compared right before jffi
 *       loads it (a byte-for-byte comparison with the trusted original rather than a digest of it: the same
 *       guarantee as an equal cryptographic hash, without the 20–30 ms a first {@code MessageDigest} costs here).</li>
 * </ul>
 * Between that comparison and jffi's {@code System.load} only this user or root could change the file, and either
 * could change this process anyway. A cached stub that differs is removed, and jffi extracts its own this time.
 * Why the cache was not used is kept for the DEBUG line of the announcement ({@link #cacheNotUsedBecause()}).
 */
public final class NativeStub {
    static final String BOOT_PATH_PROPERTY = "jffi.boot.library.path";
    private static final String FILE_NAME = "libjffi-1.2.so";

    private static volatile String notUsedBecause;

    /**
     * jffi loads these by name ({@code Init} its stub loader, the stub loader {@code Version}); named here so that the
     * all-jar's minimizer, which follows references, keeps them. Loading them initialises nothing.
     */
    static final Class<?>[] LOADED_BY_NAME = {com.kenai.jffi.internal.StubLoader.class, com.kenai.jffi.Version.class};

    private NativeStub() {
    }

    /** Why the last {@link #prepare()} left jffi to its own extraction; empty when the cache was used. */
    public static Optional<String> cacheNotUsedBecause() {
        return Optional.ofNullable(notUsedBecause);
    }

    /** Sets {@value #BOOT_PATH_PROPERTY} to the cached stub's directory when that is safe; otherwise does nothing. */
    static void prepare() {
        if (System.getProperty(BOOT_PATH_PROPERTY) != null) {
            notUsedBecause = BOOT_PATH_PROPERTY + " is set by the user";
            return;
        }
        try {
            Path dir = cachedStubDirectory();
            System.setProperty(BOOT_PATH_PROPERTY, dir.toString());
            notUsedBecause = null;
        } catch (IOException | RuntimeException | LinkageError e) { // LinkageError: a class failed to load (EMFILE)
            notUsedBecause = e instanceof PrivateCache.Unsafe ? e.getMessage() : e.toString();
        }
    }

    /** The directory holding a verified copy of this jffi's stub for this platform. */
    static Path cachedStubDirectory() throws IOException {
        String cpu = cpu();
        if (cpu == null) {
            throw new PrivateCache.Unsafe("no jffi Linux stub for os.arch " + System.getProperty("os.arch"));
        }
        Path cache = PrivateCache.root();
        String resource = "jni/" + cpu + "-Linux/" + FILE_NAME;
        ClassLoader loader = Library.class.getClassLoader();
        URL url = loader == null ? ClassLoader.getSystemResource(resource) : loader.getResource(resource);
        File jar = url == null ? null : jarOf(url);
        if (jar == null) {
            throw new PrivateCache.Unsafe("jffi's stub " + resource + " is not in a jar file: " + url);
        }
        byte[] original;
        try (ZipFile zip = new ZipFile(jar)) {
            ZipEntry entry = zip.getEntry(resource);
            if (entry == null) {
                throw new PrivateCache.Unsafe(resource + " not found in " + jar);
            }
            try (InputStream in = zip.getInputStream(entry)) {
                original = in.readAllBytes();
            }
        }
        int uid = PrivateCache.uid();
        Path dir = cache.resolve("jffi-" + Integer.toHexString(Arrays.hashCode(original)) + "-" + original.length);
        PrivateCache.trustedDirectories(dir, uid);
        Path lib = dir.resolve(FILE_NAME);
        if (Files.exists(lib, LinkOption.NOFOLLOW_LINKS)) {
            PrivateCache.trustedFile(lib, uid);
            if (Arrays.equals(Files.readAllBytes(lib), original)) {
                return dir;
            }
            Files.delete(lib);
            throw new PrivateCache.Unsafe(lib + " differs from jffi's " + resource + ": removed; jffi extracts its own this time");
        }
        PrivateCache.write(lib, original);
        PrivateCache.trustedFile(lib, uid); // what is there now, whoever wrote it, is what jffi will load
        if (!Arrays.equals(Files.readAllBytes(lib), original)) {
            throw new PrivateCache.Unsafe(lib + " changed while it was written");
        }
        return dir;
    }

    /** jffi's directory name for this CPU, for the architectures whose Linux stubs jffi ships and we run on. */
    private static String cpu() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return null;
        }
        switch (arch) {
            case "amd64":
            case "x86_64":
                return "x86_64";
            case "aarch64":
                return "aarch64";
            default:
                return null;
        }
    }

    /** The jar file behind a {@code jar:file:/...!/entry} URL, or null for anything else. */
    private static File jarOf(URL url) {
        if (!"jar".equals(url.getProtocol())) {
            return null;
        }
        String spec = url.getPath();
        int bang = spec.indexOf("!/");
        if (bang < 0 || !spec.startsWith("file:")) {
            return null;
        }
        try {
            return new File(new URI(spec.substring(0, bang)));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }
}
