package io.github.mptcpnio.internal.agent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ClassCache}: a kept class comes back only for byte-equal originals, from a trusted file; anything else is a
 * miss, never an error, and a file that does not hold what its name says is removed. The folders live below this
 * user's home: {@code /tmp}, writable by everybody, is exactly what the cache must refuse.
 */
class ClassCacheTest {
    private static final String NET = "sun/nio/ch/Net";
    private final byte[] original = {(byte) 0xca, (byte) 0xfe, (byte) 0xba, (byte) 0xbe, 0, 0, 0, 61, 1, 2, 3};
    private final byte[] rewritten = {(byte) 0xca, (byte) 0xfe, (byte) 0xba, (byte) 0xbe, 0, 0, 0, 61, 9, 9, 9, 9};
    private Path base;
    private Path dir;

    @BeforeEach
    void folder() throws IOException {
        base = Files.createTempDirectory(Path.of(System.getProperty("user.home")), "mptcpnio-classes-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        dir = base.resolve("classes-test");
    }

    @AfterEach
    void remove() throws IOException {
        try (Stream<Path> all = Files.walk(base)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private Path file() {
        return dir.resolve(ClassCache.fileName(NET, original));
    }

    @Test
    void aStoredClassComesBackForTheSameOriginalOnly() throws IOException {
        ClassCache cache = ClassCache.in(dir);
        assertNull(cache.lookup(NET, original), "empty cache");
        cache.store(NET, original, rewritten);
        assertArrayEquals(rewritten, ClassCache.in(dir).lookup(NET, original), "another JVM's view");
        byte[] other = original.clone();
        other[10] = 4; // same length, other bytes: another file name, and never the kept class
        assertNull(cache.lookup(NET, other));
        assertNull(cache.lookup("sun/nio/ch/NioSocketImpl", original), "another class");
        assertEquals("rw-------", perms(file()), "written private");
        assertEquals("rwx------", perms(dir));
    }

    @Test
    void aFileWhoseOriginalDiffersIsRemoved() throws IOException {
        ClassCache cache = ClassCache.in(dir);
        cache.store(NET, original, rewritten);
        byte[] all = Files.readAllBytes(file());
        all[12 + 8] ^= 1; // inside the kept original
        Files.write(file(), all);
        assertNull(cache.lookup(NET, original));
        assertFalse(Files.exists(file()), "removed");
    }

    @Test
    void aTruncatedOrForeignFileIsRemoved() throws IOException {
        ClassCache cache = ClassCache.in(dir);
        cache.store(NET, original, rewritten);
        byte[] all = Files.readAllBytes(file());
        Files.write(file(), java.util.Arrays.copyOf(all, all.length - 1));
        assertNull(cache.lookup(NET, original), "truncated");
        assertFalse(Files.exists(file()));
        Files.write(file(), new byte[] {1, 2, 3});
        assertNull(cache.lookup(NET, original), "not ours");
        assertFalse(Files.exists(file()));
    }

    @Test
    void aFileOthersCanWriteIsNotUsed() throws IOException {
        ClassCache cache = ClassCache.in(dir);
        cache.store(NET, original, rewritten);
        Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-rw-rw-"));
        assertNull(cache.lookup(NET, original));
        assertTrue(ClassCache.notUsedBecause().orElseThrow().contains("writable by others"),
                ClassCache.notUsedBecause()::toString);
    }

    @Test
    void aLinkIsNotFollowed() throws IOException {
        ClassCache cache = ClassCache.in(dir);
        cache.store(NET, original, rewritten);
        Path real = base.resolve("elsewhere.class");
        Files.move(file(), real);
        Files.createSymbolicLink(file(), real);
        assertNull(cache.lookup(NET, original));
        assertTrue(ClassCache.notUsedBecause().orElseThrow().contains("symbolic link"),
                ClassCache.notUsedBecause()::toString);
    }

    @Test
    void aFolderOthersCanWriteMakesTheCacheUnused() throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        ClassCache cache = ClassCache.in(dir);
        assertTrue(ClassCache.notUsedBecause().orElseThrow().contains("writable by others"),
                ClassCache.notUsedBecause()::toString);
        cache.store(NET, original, rewritten);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "nothing written into it");
        }
        assertNull(cache.lookup(NET, original));
    }

    @Test
    void theFingerprintNeedsAJar() {
        // the unit tests run from target/classes: no jar, so no cache (a build's classes change without a version)
        assertTrue(assertThrowsUnsafe().contains("not in a jar file"));
    }

    private static String assertThrowsUnsafe() {
        try {
            ClassCache.fingerprint();
        } catch (IOException e) {
            return e.getMessage();
        }
        throw new AssertionError("fingerprint without a jar");
    }

    private static String perms(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void foldersOfOtherBuildsUnusedForLongAreRemovedAtTheNextWrite() throws IOException {
        Path old = base.resolve("classes-old");
        Path recent = base.resolve("classes-recent");
        Path other = base.resolve("not-ours");
        for (Path p : new Path[] {old, recent, other}) {
            Files.createDirectories(p);
            Files.write(p.resolve("x.class"), new byte[] {1});
        }
        long longAgo = System.currentTimeMillis() - ClassCache.UNUSED_FOR_MILLIS - 60_000;
        for (Path p : new Path[] {old, other}) {
            Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(longAgo));
        }
        ClassCache.in(dir).store(NET, original, rewritten);
        assertFalse(Files.exists(old), "another build's folder, unused for long");
        assertTrue(Files.exists(recent.resolve("x.class")), "another build's folder, used lately");
        assertTrue(Files.exists(other.resolve("x.class")), "not a folder of ours");
        assertTrue(Files.exists(file()), "the current one");
    }
}
