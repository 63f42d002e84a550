package io.github.mptcpnio;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rules of the code base that the compiler does not check. */
class BuildHygieneTest {
    private static final Path MAIN = Path.of("src", "main", "java");

    private static List<Path> sources() throws IOException {
        try (Stream<Path> s = Files.walk(MAIN)) {
            return s.filter(p -> p.toString().endsWith(".java")).toList();
        }
    }

    private static List<String> offenders(Pattern pattern, String allowedFileSuffix) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path p : sources()) {
            if (allowedFileSuffix != null && p.toString().replace('\\', '/').endsWith(allowedFileSuffix)) {
                continue;
            }
            if (pattern.matcher(Files.readString(p)).find()) {
                out.add(p.toString());
            }
        }
        return out;
    }

    /**
     * Printing and jffi outside {@code internal/linux} are checked by forbiddenapis at build time (pom.xml); this
     * makes sure those executions stay wired in, so that removing them is a visible change.
     */
    @Test
    void forbiddenApisChecksPrintingAndNativeCalls() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        assertTrue(pom.contains("<artifactId>forbiddenapis</artifactId>"), "forbiddenapis plugin");
        assertTrue(pom.contains("<bundledSignature>jdk-system-out</bundledSignature>"), "no printing");
        assertTrue(pom.contains("com.kenai.jffi.**") && pom.contains("io.github.mptcpnio.internal.linux.LibC"),
                "native calls only in internal/linux");
        // no hidden javac flag without an ADR that measured why (STYLE.md): each one is named in docs/adr
        java.util.regex.Matcher xd = Pattern.compile("-XD[^<\\s]+").matcher(pom);
        String adrs = adrTexts();
        while (xd.find()) {
            assertTrue(adrs.contains(xd.group()), xd.group() + " is in pom.xml but in no ADR under docs/adr");
        }
    }

    private static String adrTexts() throws IOException {
        StringBuilder all = new StringBuilder();
        try (java.util.stream.Stream<Path> adrs = Files.list(Path.of("docs", "adr"))) {
            for (Path adr : adrs.toList()) {
                all.append(Files.readString(adr));
            }
        }
        return all.toString();
    }

    @Test
    void onlyTheShimTouchesJdkInternals() throws IOException {
        List<String> out = offenders(Pattern.compile("\"sun\\.nio\\.ch|sun\\.nio\\.ch\\.|sun/nio/ch"), "internal/JdkShim.java");
        // the class rewriting (DESIGN.md), and the shim for the descriptors of java.net sockets and asynchronous
        // channels, one tiny class per JDK-specific hack (STYLE.md)
        out.removeIf(p -> p.replace('\\', '/').contains("/internal/agent/") || p.endsWith("SocketShim.java"));
        assertEquals(List.of(), out);
    }

    @Test
    void noServiceFileAutoActivatesTheProvider() {
        assertFalse(Files.exists(Path.of("src", "main", "resources", "META-INF", "services",
                "java.nio.channels.spi.SelectorProvider")));
    }

    /** Every public type and member of the API package carries {@code @since} in its javadoc. */
    @Test
    void everyPublicApiMemberHasSince() throws IOException {
        Pattern member = Pattern.compile("(/\\*\\*(?:(?!\\*/).)*\\*/)?\\s*(?:@\\w+\\s*)*\\n\\s*public\\s+[^;{=]*[;{=]",
                Pattern.DOTALL);
        List<String> missing = new ArrayList<>();
        try (Stream<Path> s = Files.list(MAIN.resolve("io/github/mptcpnio"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = member.matcher(Files.readString(p));
                while (m.find()) {
                    String doc = m.group(1);
                    if (doc == null || !doc.contains("@since")) {
                        missing.add(p.getFileName() + ": " + m.group().strip().lines().reduce((a, b) -> b).orElse(""));
                    }
                }
            }
        }
        assertEquals(List.of(), missing);
        assertTrue(Files.readString(MAIN.resolve("io/github/mptcpnio/package-info.java")).contains("@since"));
    }
}
