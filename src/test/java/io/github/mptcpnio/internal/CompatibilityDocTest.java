package io.github.mptcpnio.internal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** docs/compatibility.md is exactly what {@link KnownDifferences#markdown()} generates. */
class CompatibilityDocTest {
    private static final Path DOC = Path.of("docs", "compatibility.md");

    @Test
    void theDocumentIsGeneratedFromTheTable() throws IOException {
        String generated = KnownDifferences.markdown();
        if (Boolean.getBoolean("mptcp.nio.regenerate")) {
            Files.writeString(DOC, generated);
        }
        assertEquals(generated, Files.readString(DOC),
                "docs/compatibility.md is stale: mvn -B test -Dtest=CompatibilityDocTest -Dmptcp.nio.regenerate=true");
    }
}
