package io.github.mptcpnio.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Netns#run}: commands whose output exceeds a pipe's buffer. */
class NetnsTest {

    /** Regression: output was read only after the command exited, so a command printing over 64 KiB hung. */
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void outputLargerThanAPipeDoesNotDeadlock() throws IOException {
        String out = Netns.run(List.of("sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' 'x'; echo; echo err >&2"));
        assertEquals(1_000_000 + "\nerr\n".length(), out.length());
        assertTrue(out.endsWith("\nerr\n"), "stderr is kept too");
    }

    @Test
    void aFailingCommandSaysWhatItPrinted() {
        IOException e = assertThrows(IOException.class, () -> Netns.run(List.of("sh", "-c", "echo oops; exit 3")));
        assertTrue(e.getMessage().contains("exited 3: oops"), e.getMessage());
    }
}
