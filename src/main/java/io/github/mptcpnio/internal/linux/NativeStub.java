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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Puts jffi's native stub library where jffi loads it fastest, before jffi's first class initialises.
 *
 * <p>Left alone, jffi extracts {@code libjffi-1.2.so} from its jar at every JVM start into a file made by
 * {@code File.createTempFile}, whose first call seeds a {@code SecureRandom} through the security providers: about
 * 30–50 ms of the JVM's first channel on the benchmark machine, plus 20 ms reading the resource through a jar URL
 * (measured, docs/adr/0003). Instead we keep one extracted copy per stub version in a private per-user cache,
 * {@code $XDG_CACHE_HOME/mptcp-nio} or {@code ~/.cache/mptcp-nio} (directories 0700), named by the CRC-32 and size
 * the jar records for the entry, and point jffi's own {@code jffi.boot.library.path} at it. Every start re-checks the
 * cached file's CRC-32 (138 KB from the page cache: well under a millisecond).
 *
 * <p>Anything unexpected — the property already set by the user, no home directory, a read-only or foreign-owned
 * cache, a stub that is not in a jar — leaves jffi to its own extraction, exactly as without this class.
 */
final class NativeStub {
    static final String BOOT_PATH_PROPERTY = "jffi.boot.library.path";
    private static final String FILE_NAME = "libjffi-1.2.so";
    private static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");

    private NativeStub() {
    }

    /** Sets {@value #BOOT_PATH_PROPERTY} to the cached stub's directory when that is safe; otherwise does nothing. */
    static void prepare() {
        if (System.getProperty(BOOT_PATH_PROPERTY) != null) {
            return;
        }
        try {
            Path dir = cachedStubDirectory();
            if (dir != null) {
                System.setProperty(BOOT_PATH_PROPERTY, dir.toString());
            }
        } catch (IOException | RuntimeException | LinkageError e) { // LinkageError: a class failed to load (EMFILE)
            // jffi extracts the stub itself, as it always does
        }
    }

    /** The directory holding a verified copy of this jffi's stub for this platform, or null. */
    static Path cachedStubDirectory() throws IOException {
        String cpu = cpu();
        Path cache = cacheRoot();
        if (cpu == null || cache == null) {
            return null;
        }
        String resource = "jni/" + cpu + "-Linux/" + FILE_NAME;
        ClassLoader loader = Library.class.getClassLoader();
        URL url = loader == null ? ClassLoader.getSystemResource(resource) : loader.getResource(resource);
        File jar = url == null ? null : jarOf(url);
        if (jar == null) {
            return null;
        }
        try (ZipFile zip = new ZipFile(jar)) {
            ZipEntry entry = zip.getEntry(resource);
            if (entry == null || entry.getCrc() < 0 || entry.getSize() < 0) {
                return null;
            }
            Path dir = cache.resolve("jffi-" + Long.toHexString(entry.getCrc()) + "-" + entry.getSize());
            Path lib = dir.resolve(FILE_NAME);
            if (isPrivate(cache) && isPrivate(dir) && Files.isRegularFile(lib) && crc(lib) == entry.getCrc()) {
                return dir;
            }
            createPrivate(cache);
            createPrivate(dir);
            Path partial = dir.resolve(FILE_NAME + "." + ProcessHandle.current().pid() + ".partial");
            try (InputStream in = zip.getInputStream(entry); OutputStream out = Files.newOutputStream(partial)) {
                in.transferTo(out);
            }
            if (crc(partial) != entry.getCrc()) {
                Files.deleteIfExists(partial);
                return null;
            }
            try {
                Files.move(partial, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.deleteIfExists(partial);
                return null;
            }
            return dir;
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

    private static Path cacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && xdg.startsWith("/")) {
            return Path.of(xdg, "mptcp-nio");
        }
        String home = System.getProperty("user.home");
        return home == null || !home.startsWith("/") ? null : Path.of(home, ".cache", "mptcp-nio");
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

    /** A directory we own that nobody else can write to (the stub is loaded as code). */
    private static boolean isPrivate(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        Object owner = Files.getAttribute(dir, "unix:uid");
        Object self = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
        return owner.equals(self) && !perms.contains(PosixFilePermission.GROUP_WRITE)
                && !perms.contains(PosixFilePermission.OTHERS_WRITE);
    }

    private static void createPrivate(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another JVM made it at the same moment; checked below
            }
        }
        if (!isPrivate(dir)) {
            throw new IOException(dir + " is not a private directory of this user");
        }
    }

    private static long crc(Path file) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(Files.readAllBytes(file));
        return crc.getValue();
    }
}
