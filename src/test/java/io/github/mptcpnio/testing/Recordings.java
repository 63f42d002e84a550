package io.github.mptcpnio.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Flight Recorder settings with mptcp-nio's events on and the snapshot every 250 ms (tests and bench/). */
public final class Recordings {
    private Recordings() {}

    public static final String JFC = """
            <?xml version="1.0" encoding="UTF-8"?>
            <configuration version="2.0" label="mptcp-nio, snapshot every 250 ms">
              <event name="io.github.mptcpnio.Connection">
                <setting name="enabled">true</setting><setting name="period">250 ms</setting>
              </event>
              <event name="io.github.mptcpnio.Subflow"><setting name="enabled">true</setting></event>
              <event name="io.github.mptcpnio.Fallback">
                <setting name="enabled">true</setting><setting name="stackTrace">true</setting>
              </event>
            </configuration>
            """;

    /** {@code -XX:StartFlightRecording} writing {@code recording} at exit, with {@link #JFC} (written to {@code jfc}). */
    public static String flag(Path recording, Path jfc) throws IOException {
        Files.writeString(jfc, JFC);
        return "-XX:StartFlightRecording=filename=" + recording + ",settings=" + jfc;
    }
}
