package io.github.mptcpnio.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** Open descriptors of this process. */
public final class Fds {
    private Fds() {}

    public static int count() {
        String[] entries = new File("/proc/self/fd").list();
        if (entries == null) {
            throw new IllegalStateException("/proc/self/fd unreadable");
        }
        return entries.length;
    }

    /** Descriptor number to what it refers to (readlink of /proc/self/fd/N), for diagnostics. */
    public static Map<Integer, String> targets() {
        Map<Integer, String> out = new TreeMap<>();
        String[] entries = new File("/proc/self/fd").list();
        for (String e : entries == null ? new String[0] : entries) {
            try {
                out.put(Integer.parseInt(e), Files.readSymbolicLink(Path.of("/proc/self/fd", e)).toString());
            } catch (IOException | NumberFormatException ignored) {
                // the directory's own descriptor, gone by now
            }
        }
        return out;
    }
}
