package io.github.mptcpnio;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The all-jar (agent and CLI) holds the library and its runtime dependencies, jffi and ASM, and nothing else: no
 * framework the tests use (Netty, gRPC, Reactor) and no {@code META-INF/services} entry, which would also break it as
 * an automatic module. The Netty support must never need Netty.
 */
class AllJarIT {
    private static final List<String> ALLOWED = List.of("io/github/mptcpnio/", "com/kenai/jffi/",
            "org/objectweb/asm/", "jni/", "META-INF/MANIFEST.MF", "META-INF/maven/io.github.mptcpnio/",
            "META-INF/maven/com.github.jnr/", "META-INF/maven/org.ow2.asm/");

    @Test
    void holdsTheLibraryJffiAndAsmOnly() throws IOException {
        String allJar = System.getProperty("mptcp.nio.test.alljar");
        assertTrue(allJar != null && Files.isRegularFile(Path.of(allJar)), "all-jar not built: " + allJar);
        try (JarFile jar = new JarFile(allJar)) {
            List<String> foreign = jar.stream().map(e -> e.getName())
                    .filter(name -> !name.endsWith("/"))
                    .filter(name -> ALLOWED.stream().noneMatch(name::startsWith))
                    .collect(Collectors.toList());
            assertEquals(List.of(), foreign, "unexpected entries in " + allJar);
            assertTrue(jar.getEntry("io/github/mptcpnio/internal/agent/NettyRewriter.class") != null);
        }
    }
}
