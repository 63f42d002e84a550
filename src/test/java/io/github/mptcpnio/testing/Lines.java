package io.github.mptcpnio.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/** Parses the {@code key=value} lines a probe prints. */
public final class Lines {
    private Lines() {}

    public static Map<String, String> parse(String stdout) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : stdout.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return out;
    }
}
