package io.github.mptcpnio.testing;

import java.io.File;

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
}
