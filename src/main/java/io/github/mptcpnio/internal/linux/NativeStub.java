package io.github.mptcpnio.internal.linux;

import com.kenai.jffi.Library;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    private static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");
    private static final int ROOT_UID = 0;
    private static final int MODE_TYPE_MASK = 0170000;
    private static final int MODE_DIRECTORY = 0040000;
    private static final int MODE_REGULAR = 0100000;
    private static final int MODE_SYMLINK = 0120000;
    private static final int MODE_GROUP_OR_OTHER_WRITE = 0022;

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

    /** A reason not to use the cache. */
    static final class Unsafe extends IOException {
        private static final long serialVersionUID = 1L;

        Unsafe(String reason) {
            super(reason);
        }
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
            notUsedBecause = e instanceof Unsafe ? e.getMessage() : e.toString();
        }
    }

    /** The directory holding a verified copy of this jffi's stub for this platform. */
    static Path cachedStubDirectory() throws IOException {
        String cpu = cpu();
        if (cpu == null) {
            throw new Unsafe("no jffi Linux stub for os.arch " + System.getProperty("os.arch"));
        }
        Path cache = cacheRoot();
        String resource = "jni/" + cpu + "-Linux/" + FILE_NAME;
        ClassLoader loader = Library.class.getClassLoader();
        URL url = loader == null ? ClassLoader.getSystemResource(resource) : loader.getResource(resource);
        File jar = url == null ? null : jarOf(url);
        if (jar == null) {
            throw new Unsafe("jffi's stub " + resource + " is not in a jar file: " + url);
        }
        byte[] original;
        try (ZipFile zip = new ZipFile(jar)) {
            ZipEntry entry = zip.getEntry(resource);
            if (entry == null) {
                throw new Unsafe(resource + " not found in " + jar);
            }
            try (InputStream in = zip.getInputStream(entry)) {
                original = in.readAllBytes();
            }
        }
        int uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue();
        Path dir = cache.resolve("jffi-" + Integer.toHexString(Arrays.hashCode(original)) + "-" + original.length);
        trustedDirectories(dir, uid);
        Path lib = dir.resolve(FILE_NAME);
        if (Files.exists(lib, LinkOption.NOFOLLOW_LINKS)) {
            trusted(lib, uid, MODE_REGULAR);
            if (Arrays.equals(Files.readAllBytes(lib), original)) {
                return dir;
            }
            Files.delete(lib);
            throw new Unsafe(lib + " differs from jffi's " + resource + ": removed; jffi extracts its own this time");
        }
        Path partial = dir.resolve(FILE_NAME + "." + ProcessHandle.current().pid() + ".partial");
        Files.deleteIfExists(partial);
        try (OutputStream out = Files.newOutputStream(Files.createFile(partial,
                PosixFilePermissions.asFileAttribute(PRIVATE_FILE)), StandardOpenOption.WRITE)) {
            out.write(original);
        }
        try {
            Files.move(partial, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(partial);
            throw new Unsafe("cannot move the stub into " + dir + " atomically");
        }
        trusted(lib, uid, MODE_REGULAR); // what is there now, whoever wrote it, is what jffi will load
        if (!Arrays.equals(Files.readAllBytes(lib), original)) {
            throw new Unsafe(lib + " changed while it was written");
        }
        return dir;
    }

    /**
     * Checks every folder from {@code /} down to {@code dir}, creating the missing ones (0700): each must pass
     * {@link #trusted}.
     */
    private static void trustedDirectories(Path dir, int uid) throws IOException {
        Path p = dir.getRoot();
        trusted(p, uid, MODE_DIRECTORY);
        for (Path name : dir) {
            p = p.resolve(name);
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.createDirectory(p, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
                } catch (FileAlreadyExistsException raced) {
                    // another JVM made it at the same moment; checked below like any other
                } catch (NoSuchFileException | SecurityException e) {
                    throw new Unsafe("cannot create " + p + ": " + e);
                }
            }
            trusted(p, uid, MODE_DIRECTORY);
        }
    }

    /**
     * {@code path} (not followed if it is a link) is of the expected type, owned by {@code uid} or root, and not
     * writable by group or others.
     */
    private static void trusted(Path path, int uid, int type) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        int owner = ((Number) a.get("uid")).intValue();
        int mode = ((Number) a.get("mode")).intValue();
        if ((mode & MODE_TYPE_MASK) != type) {
            throw new Unsafe(path + " is " + ((mode & MODE_TYPE_MASK) == MODE_SYMLINK ? "a symbolic link"
                    : "not a " + (type == MODE_DIRECTORY ? "directory" : "regular file")));
        }
        if (owner != uid && owner != ROOT_UID) {
            throw new Unsafe(path + " is owned by uid " + owner + ", neither this user (" + uid + ") nor root");
        }
        if ((mode & MODE_GROUP_OR_OTHER_WRITE) != 0) {
            throw new Unsafe(path + " is writable by others (mode " + Integer.toOctalString(mode & 07777) + ")");
        }
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

    private static Path cacheRoot() throws Unsafe {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && xdg.startsWith("/")) {
            return Path.of(xdg, "mptcp-nio");
        }
        String home = System.getProperty("user.home");
        if (home == null || !home.startsWith("/")) {
            throw new Unsafe("no absolute home directory (user.home=" + home + ")");
        }
        return Path.of(home, ".cache", "mptcp-nio");
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
