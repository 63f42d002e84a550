package io.github.mptcpnio;

import apps.PublicApiProbe;
import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.Lines;
import io.github.mptcpnio.testing.Netns;
import io.github.mptcpnio.testing.RequiresMptcp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library jar as a named module ({@code io.github.mptcpnio}, jffi as the automatic module
 * {@code org.jnrproject.jffi}), and the all-jar as an automatic module, with the application on the class path.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ModulePathIT {

    private static Forked onModulePath() {
        String jar = System.getProperty("mptcp.nio.test.jar");
        assertTrue(jar != null && Files.isRegularFile(Path.of(jar)), "library jar not built: " + jar);
        String jffi = Forked.classPathEntries("jffi-").stream().filter(e -> !e.contains("native")).findFirst()
                .orElseThrow();
        String jffiNative = Forked.classPathEntries("jffi-").stream().filter(e -> e.contains("native")).findFirst()
                .orElseThrow();
        String testClasses = Path.of("target", "test-classes").toAbsolutePath().toString();
        return Forked.jvm()
                .args("--module-path", jar + File.pathSeparator + jffi, "--add-modules", "io.github.mptcpnio",
                        "--enable-native-access=org.jnrproject.jffi", Forked.SWITCH)
                .classPath(testClasses + File.pathSeparator + jffiNative);
    }

    @RequiresMptcp(netns = true)
    @Test
    void worksAsANamedModule() throws Exception {
        try (Netns ns = Netns.create("modpath")) {
            Forked.Result r = onModulePath().in(ns).args("--add-exports=java.base/sun.nio.ch=io.github.mptcpnio")
                    .run(PublicApiProbe.class.getName(), 30).assertExit(0);
            Map<String, String> f = Lines.parse(r.stdout());
            assertEquals("MPTCP TEST", f.get("data"), r::toString);
            assertEquals("true", f.get("available"), r::toString);
            assertEquals("true", f.get("listener.multipath"), r::toString);
            assertEquals("true", f.get("client.multipath"), r::toString);
            assertEquals("true", f.get("accepted.multipath"), r::toString);
            assertEquals("true", f.get("client.info"), r::toString);
            assertEquals("1", f.get("client.subflows"), r::toString);
            assertEquals(1, ns.counter("MPTcpExtMPCapableSYNRX"), "one MPTCP handshake, seen by the kernel");
            assertTrue(r.stderr().lines().noneMatch(l -> l.startsWith("WARNING")), r.stderr());
        }
    }

    /** The all-jar on the module path: the automatic module {@code io.github.mptcpnio} (its manifest names it). */
    @RequiresMptcp
    @Test
    void theAllJarIsTheAutomaticModuleOfTheSameName() throws Exception {
        String allJar = System.getProperty("mptcp.nio.test.alljar");
        assertTrue(allJar != null && Files.isRegularFile(Path.of(allJar)), "all-jar not built: " + allJar);
        Forked.Result r = Forked.jvm().classPath(Path.of("target", "test-classes").toAbsolutePath().toString())
                .args("--module-path", allJar, "--add-modules", "io.github.mptcpnio",
                        "--add-exports=java.base/sun.nio.ch=io.github.mptcpnio",
                        "--enable-native-access=io.github.mptcpnio", Forked.SWITCH)
                .run(PublicApiProbe.class.getName(), 30).assertExit(0);
        Map<String, String> f = Lines.parse(r.stdout());
        assertEquals("MPTCP TEST", f.get("data"), r::toString);
        assertEquals("true", f.get("available"), r::toString);
        assertEquals("true", f.get("client.multipath"), r::toString);
        assertEquals("true", f.get("accepted.multipath"), r::toString);
        assertTrue(r.stderr().lines().noneMatch(l -> l.startsWith("WARNING")), r.stderr());
    }

    @Test
    void withoutTheExportTheWarningNamesTheModuleFlag() throws Exception {
        Forked.Result r = onModulePath().run(PublicApiProbe.class.getName(), 30).assertExit(0);
        Map<String, String> f = Lines.parse(r.stdout());
        assertEquals("MPTCP TEST", f.get("data"), r::toString);
        assertEquals("false", f.get("available"), r::toString);
        assertTrue(f.get("unsupported").contains("--add-exports java.base/sun.nio.ch=io.github.mptcpnio"), r::toString);
        List<String> warnings = r.stderr().lines().filter(l -> l.startsWith("WARNING")).toList();
        assertEquals(1, warnings.size(), r.stderr());
        assertTrue(warnings.get(0).contains("Add --add-exports java.base/sun.nio.ch=io.github.mptcpnio"), r.stderr());
    }
}
