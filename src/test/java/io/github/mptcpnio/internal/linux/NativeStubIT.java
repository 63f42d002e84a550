package io.github.mptcpnio.internal.linux;

import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.Lines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-user cache of jffi's native stub ({@link NativeStub}): which file the JVM really maps is read from
 * {@code /proc/self/maps} of a forked JVM whose {@code user.home} is a fresh directory. Every unsafe case must fall
 * back to jffi's own extraction, and the program must still load the binding.
 *
 * <p>The fresh homes live below this JVM's own home (root's {@code /root} in CI), not below {@code /tmp}: a folder
 * everybody can write to is exactly what the cache must refuse.
 */
class NativeStubIT {
    private static final String STUB = "libjffi-1.2.so";
    /** {@code nobody}: an owner that is neither this user nor root. */
    private static final String FOREIGN_UID = "65534";

    private Path home;

    /** Loads the binding and reports where jffi's stub came from and why the cache was not used. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            System.out.println("loaded=" + LibC.instance().isPresent());
            System.out.println("bootPath=" + System.getProperty(NativeStub.BOOT_PATH_PROPERTY));
            System.out.println("reason=" + NativeStub.cacheNotUsedBecause().orElse("none"));
            try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
                System.out.println("stub=" + maps.filter(l -> l.contains("jffi")).map(l -> l.substring(l.indexOf('/')))
                        .findFirst().orElse("none"));
            }
        }
    }

    @BeforeEach
    void freshHome() throws IOException {
        Path base = Path.of(System.getProperty("user.home"));
        home = Files.createTempDirectory(base, "mptcpnio-stub-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    @AfterEach
    void removeHome() throws IOException {
        Files.walkFileTree(home, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private Map<String, String> probe(String... extraArgs) throws Exception {
        return probeWith(List.of("env", "-u", "XDG_CACHE_HOME"), extraArgs);
    }

    private Map<String, String> probeWith(List<String> wrapper, String... extraArgs) throws Exception {
        Forked.Result r = Forked.jvm().wrappedBy(wrapper.toArray(new String[0]))
                .args("-Duser.home=" + home, Forked.NATIVE_ACCESS).args(extraArgs)
                .run(Probe.class.getName(), 30).assertExit(0);
        Map<String, String> f = Lines.parse(r.stdout());
        assertEquals("true", f.get("loaded"), r::toString);
        return f;
    }

    private Path cacheRoot() {
        return home.resolve(".cache/mptcp-nio");
    }

    private Path stubDirectory() throws Exception {
        try (Stream<Path> dirs = Files.list(cacheRoot())) {
            List<Path> all = dirs.toList();
            assertEquals(1, all.size(), all::toString);
            return all.get(0);
        }
    }

    /** The cache was not used: no boot path, jffi's own extraction mapped, and the reason says why. */
    private static void assertNotUsed(Map<String, String> f, String reasonFragment) {
        assertEquals("null", f.get("bootPath"), f::toString);
        assertTrue(f.get("stub").contains("jffi") && !f.get("stub").contains("mptcp-nio"),
                "jffi extracted its stub itself: " + f);
        assertTrue(f.get("reason").contains(reasonFragment), f::toString);
    }

    private static void chown(Path path, String uid) throws Exception {
        Forked.exec(List.of("chown", "-h", uid, path.toString()), 10).assertExit(0);
    }

    @Test
    void firstStartExtractsIntoAPrivateCacheAndJffiLoadsItFromThere() throws Exception {
        Map<String, String> first = probe();
        Path dir = stubDirectory();
        assertEquals(dir.toString(), first.get("bootPath"));
        assertEquals(dir.resolve(STUB).toString(), first.get("stub"), "the mapped stub is the cached one");
        assertEquals("none", first.get("reason"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.getParent())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(STUB))));
        long modified = Files.getLastModifiedTime(dir.resolve(STUB)).toMillis();

        Map<String, String> second = probe();
        assertEquals(first.get("stub"), second.get("stub"));
        assertEquals(modified, Files.getLastModifiedTime(dir.resolve(STUB)).toMillis(),
                "a valid cached stub is reused, not rewritten");
    }

    @Test
    void aSwappedStubIsNotLoadedAndIsRemoved() throws Exception {
        probe();
        Path lib = stubDirectory().resolve(STUB);
        byte[] original = Files.readAllBytes(lib);
        byte[] swapped = original.clone();
        swapped[swapped.length / 2] ^= 1; // same size, one bit: only comparing the content catches it
        Files.write(lib, swapped);
        assertNotUsed(probe(), "differs from jffi's");
        assertFalse(Files.exists(lib), "the swapped file is removed");
        Map<String, String> again = probe();
        assertEquals(lib.toString(), again.get("stub"), "the next start extracts a good copy again");
        assertTrue(java.util.Arrays.equals(original, Files.readAllBytes(lib)));
    }

    @Test
    void worldWritableAncestorsAreRefused() throws Exception {
        probe();
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertNotUsed(probe(), home + " is writable by others (mode 777)");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(home.resolve(".cache"), PosixFilePermissions.fromString("rwxrwxrwx"));
        assertNotUsed(probe(), ".cache is writable by others (mode 777)");
        Files.setPosixFilePermissions(home.resolve(".cache"), PosixFilePermissions.fromString("rwxrwx---"));
        assertNotUsed(probe(), ".cache is writable by others (mode 770)");
        Files.setPosixFilePermissions(home.resolve(".cache"), PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(stubDirectory().resolve(STUB), PosixFilePermissions.fromString("rw-rw-rw-"));
        assertNotUsed(probe(), STUB + " is writable by others (mode 666)");
    }

    @Test
    void aCacheBelowTmpIsRefused() throws Exception {
        Path tmp = Files.createTempDirectory("mptcpnio-xdg-"); // /tmp is writable by everybody (sticky or not)
        try {
            Map<String, String> f = probeWith(List.of("env", "XDG_CACHE_HOME=" + tmp));
            assertNotUsed(f, "/tmp is writable by others");
            try (Stream<Path> s = Files.list(tmp)) {
                assertEquals(0, s.count(), "nothing created below an unsafe folder");
            }
        } finally {
            Files.delete(tmp);
        }
    }

    @Test
    void symbolicLinksAreRefused() throws Exception {
        Path real = Files.createDirectory(home.resolve("real-cache"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.createSymbolicLink(home.resolve(".cache"), real);
        assertNotUsed(probe(), ".cache is a symbolic link");
        assertFalse(Files.exists(real.resolve("mptcp-nio")), "nothing created through the link");

        Files.delete(home.resolve(".cache"));
        probe();
        Path lib = stubDirectory().resolve(STUB);
        Path copy = home.resolve("copy.so");
        Files.move(lib, copy);
        Files.createSymbolicLink(lib, copy); // a link to a good copy: still refused
        assertNotUsed(probe(), STUB + " is a symbolic link");
    }

    @Test
    void aForeignOwnerIsRefused() throws Exception {
        probe();
        Path dir = stubDirectory();
        chown(dir, FOREIGN_UID);
        assertNotUsed(probe(), "is owned by uid " + FOREIGN_UID);
        chown(dir, "0");
        chown(dir.resolve(STUB), FOREIGN_UID);
        assertNotUsed(probe(), STUB + " is owned by uid " + FOREIGN_UID);
    }

    /** A JVM running as root with another user's HOME (sudo without -H, say) never uses, nor writes to, that home. */
    @Test
    void rootWithAnotherUsersHomeLeavesItAlone() throws Exception {
        chown(home, FOREIGN_UID);
        assertNotUsed(probe(), home + " is owned by uid " + FOREIGN_UID);
        try (Stream<Path> s = Files.list(home)) {
            assertEquals(0, s.count(), "nothing created in the other user's home");
        }
        chown(home, "0");
    }

    @Test
    void aBootPathTheUserSetIsLeftAlone() throws Exception {
        Path elsewhere = Files.createDirectory(home.resolve("elsewhere"));
        Map<String, String> f = probe("-D" + NativeStub.BOOT_PATH_PROPERTY + "=" + elsewhere);
        assertEquals(elsewhere.toString(), f.get("bootPath"));
        assertTrue(f.get("reason").contains("set by the user"), f::toString);
        assertFalse(Files.exists(cacheRoot()), "nothing cached when the user chose");
    }

    /** Why the cache was skipped reaches the application's log at DEBUG (JUL: FINE), with the announcement. */
    @Test
    void theReasonIsLoggedAtDebug() throws Exception {
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path logging = home.resolve("logging.properties");
        Files.writeString(logging, "handlers=java.util.logging.ConsoleHandler\n"
                + "java.util.logging.ConsoleHandler.level=FINE\nio.github.mptcpnio.level=FINE\n", StandardCharsets.UTF_8);
        Forked.Result r = Forked.jvm().enabled().wrappedBy("env", "-u", "XDG_CACHE_HOME")
                .args("-Duser.home=" + home, "-Djava.util.logging.config.file=" + logging)
                .run(io.github.mptcpnio.testing.ModeProbe.class.getName(), 30).assertExit(0);
        assertTrue(r.stderr().contains("jffi's stub not loaded from the per-user cache: " + home
                + " is writable by others"), r.stderr());
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
    }
}
