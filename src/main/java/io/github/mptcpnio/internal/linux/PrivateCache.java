package io.github.mptcpnio.internal.linux;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * The per-user cache of files this library loads as code — jffi's native stub ({@link NativeStub}) and the agent's
 * rewritten JDK classes — and the rules under which a file in it may be trusted: {@code $XDG_CACHE_HOME/mptcp-nio} or
 * {@code ~/.cache/mptcp-nio}; every folder from {@code /} down to a file, and the file itself, owned by this process's
 * user or root, writable by nobody else (no group or other write bit), and not a symbolic link (checked without
 * following links). A JVM running as root with another user's {@code HOME} therefore never uses that home. Files are
 * written under a private temporary name and moved into place atomically, so that a reader never sees half of one.
 */
public final class PrivateCache {
    private static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");
    private static final int ROOT_UID = 0;
    private static final int MODE_TYPE_MASK = 0170000;
    private static final int MODE_DIRECTORY = 0040000;
    private static final int MODE_REGULAR = 0100000;
    private static final int MODE_SYMLINK = 0120000;
    private static final int MODE_GROUP_OR_OTHER_WRITE = 0022;

    private PrivateCache() {}

    /** A reason not to use the cache. */
    public static final class Unsafe extends IOException {
        private static final long serialVersionUID = 1L;

        public Unsafe(String reason) {
            super(reason);
        }
    }

    /** {@code $XDG_CACHE_HOME/mptcp-nio} when that is absolute, otherwise {@code ~/.cache/mptcp-nio}. */
    public static Path root() throws Unsafe {
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

    /** This process's user id. */
    public static int uid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue();
    }

    /**
     * Checks every folder from {@code /} down to {@code dir}, creating the missing ones (0700): each must be owned by
     * {@code uid} or root, not writable by others, and not a link.
     */
    public static void trustedDirectories(Path dir, int uid) throws IOException {
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

    /** {@code file} is a regular file (not a link) owned by {@code uid} or root and not writable by others. */
    public static void trustedFile(Path file, int uid) throws IOException {
        trusted(file, uid, MODE_REGULAR);
    }

    /**
     * Writes {@code bytes} to {@code file} (mode 0600) through a temporary file in the same folder moved into place
     * atomically; through {@code java.io} streams, so that it may run while the JDK's channel classes load.
     */
    public static void write(Path file, byte[] bytes) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Thread.currentThread().getId() + ".partial");
        Files.deleteIfExists(partial);
        Files.createFile(partial, PosixFilePermissions.asFileAttribute(PRIVATE_FILE));
        try (OutputStream out = new FileOutputStream(partial.toFile())) {
            out.write(bytes);
        }
        try {
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(partial);
            throw new Unsafe("cannot move " + file.getFileName() + " into " + file.getParent() + " atomically");
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
}
