package io.github.mptcpnio.internal.linux;

import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.Lines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-user cache of jffi's native stub ({@link NativeStub}): which file the JVM really maps is read from
 * {@code /proc/self/maps} of a forked JVM whose {@code user.home} is a fresh directory.
 */
class NativeStubIT {

    /** Loads the binding and reports where jffi's stub came from. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            System.out.println("loaded=" + LibC.instance().isPresent());
            System.out.println("bootPath=" + System.getProperty(NativeStub.BOOT_PATH_PROPERTY));
            try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
                System.out.println("stub=" + maps.filter(l -> l.contains("jffi")).map(l -> l.substring(l.indexOf('/')))
                        .findFirst().orElse("none"));
            }
        }
    }

    private static Map<String, String> probe(Path home, String... extraArgs) throws Exception {
        Forked.Result r = Forked.jvm().wrappedBy("env", "-u", "XDG_CACHE_HOME")
                .args("-Duser.home=" + home, Forked.NATIVE_ACCESS).args(extraArgs)
                .run(Probe.class.getName(), 30).assertExit(0);
        Map<String, String> f = Lines.parse(r.stdout());
        assertEquals("true", f.get("loaded"), r::toString);
        return f;
    }

    private static Path stubDirectory(Path home) throws Exception {
        try (Stream<Path> dirs = Files.list(home.resolve(".cache/mptcp-nio"))) {
            List<Path> all = dirs.toList();
            assertEquals(1, all.size(), all::toString);
            return all.get(0);
        }
    }

    @Test
    void firstStartExtractsIntoAPrivateCacheAndJffiLoadsItFromThere(@TempDir Path home) throws Exception {
        Map<String, String> first = probe(home);
        Path dir = stubDirectory(home);
        assertEquals(dir.toString(), first.get("bootPath"));
        assertEquals(dir.resolve("libjffi-1.2.so").toString(), first.get("stub"), "the mapped stub is the cached one");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.getParent())));
        long modified = Files.getLastModifiedTime(dir.resolve("libjffi-1.2.so")).toMillis();

        Map<String, String> second = probe(home);
        assertEquals(first.get("stub"), second.get("stub"));
        assertEquals(modified, Files.getLastModifiedTime(dir.resolve("libjffi-1.2.so")).toMillis(),
                "a valid cached stub is reused, not rewritten");
    }

    @Test
    void aDamagedCachedStubIsReplaced(@TempDir Path home) throws Exception {
        probe(home);
        Path lib = stubDirectory(home).resolve("libjffi-1.2.so");
        long size = Files.size(lib);
        Files.write(lib, new byte[(int) size]); // same size, wrong content: only the CRC-32 check catches it
        Map<String, String> again = probe(home);
        assertEquals(lib.toString(), again.get("stub"));
        assertFalse(Files.readString(lib, java.nio.charset.StandardCharsets.ISO_8859_1).chars().allMatch(c -> c == 0),
                "re-extracted");
    }

    @Test
    void aCacheOthersCanWriteToIsNotUsed(@TempDir Path home) throws Exception {
        probe(home);
        Path dir = stubDirectory(home);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Map<String, String> f = probe(home);
        assertEquals("null", f.get("bootPath"), "no boot path into a world-writable directory");
        assertNotEquals(dir.resolve("libjffi-1.2.so").toString(), f.get("stub"));
        assertTrue(f.get("stub").contains("jffi"), "jffi extracted its stub itself: " + f);
    }

    @Test
    void aBootPathTheUserSetIsLeftAlone(@TempDir Path home) throws Exception {
        Path elsewhere = Files.createDirectory(home.resolve("elsewhere"));
        Map<String, String> f = probe(home, "-D" + NativeStub.BOOT_PATH_PROPERTY + "=" + elsewhere);
        assertEquals(elsewhere.toString(), f.get("bootPath"));
        assertFalse(Files.exists(home.resolve(".cache/mptcp-nio")), "nothing cached when the user chose");
    }
}
