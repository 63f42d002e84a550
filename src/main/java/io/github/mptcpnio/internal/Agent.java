package io.github.mptcpnio.internal;

import io.github.mptcpnio.MptcpSelectorProvider;

import java.lang.System.Logger.Level;
import java.lang.instrument.Instrumentation;
import java.nio.channels.spi.SelectorProvider;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code -javaagent:mptcp-nio-<version>-all.jar[=mode=server,strict=true]}: the one flag that enables MPTCP for any
 * JVM, also {@code java -jar app.jar}. At start-up only ({@code premain}; there is no {@code agentmain}, dynamic
 * attach is not supported) it validates its options, grants itself the {@code java.base/sun.nio.ch} export through
 * {@link Instrumentation#redefineModule}, and sets {@code java.nio.channels.spi.SelectorProvider} unless the
 * application already chose another provider (then it warns and leaves it).
 */
public final class Agent {
    private Agent() {}

    public static final String PROVIDER_PROPERTY = "java.nio.channels.spi.SelectorProvider";
    private static volatile boolean installed;

    /** Whether this JVM was started with the agent. */
    public static boolean installed() {
        return installed;
    }

    /**
     * The agent's entry point.
     *
     * @throws IllegalArgumentException on an invalid option: the JVM does not start
     */
    public static void premain(String args, Instrumentation inst) {
        Map<String, String> options = parseOptions(args);
        apply(Settings.MODE_PROPERTY, options.get("mode"));
        apply(Settings.STRICT_PROPERTY, options.get("strict"));
        Settings settings = Settings.fromSystemProperties(); // validates -D values too, before the application runs

        JdkShim.grantAccess(inst);
        installed = true;

        String ours = MptcpSelectorProvider.class.getName();
        String configured = System.getProperty(PROVIDER_PROPERTY);
        if (configured != null && !configured.equals(ours)) {
            System.getLogger(Announcement.LOGGER_NAME).log(Level.WARNING, "mptcp-nio agent: " + PROVIDER_PROPERTY + "="
                    + configured + " is already set; leaving it, so MPTCP is NOT active in this JVM");
            return;
        }
        System.setProperty(PROVIDER_PROPERTY, ours);
        SelectorProvider provider = SelectorProvider.provider(); // cheap: our constructor does no I/O
        if (!(provider instanceof MptcpSelectorProvider)) {
            System.getLogger(Announcement.LOGGER_NAME).log(Level.WARNING, "mptcp-nio agent: the JVM's SelectorProvider "
                    + "was initialised before the agent ran (" + provider.getClass().getName()
                    + "); MPTCP is NOT active in this JVM");
            return;
        }
        Preload.once(settings); // load the binding while the application starts
    }

    /** {@code mode=server,strict=true}; an unknown key or a malformed entry is rejected. */
    static Map<String, String> parseOptions(String args) {
        Map<String, String> out = new LinkedHashMap<>();
        if (args == null || args.isBlank()) {
            return out;
        }
        for (String entry : args.split(",")) {
            int eq = entry.indexOf('=');
            String key = eq < 0 ? entry.trim() : entry.substring(0, eq).trim();
            if (eq < 0 || !(key.equals("mode") || key.equals("strict")) || out.containsKey(key)) {
                throw new IllegalArgumentException("mptcp-nio agent options: '" + args
                        + "' (expected: mode=both|server|client|off and/or strict=true|false, comma-separated)");
            }
            out.put(key, entry.substring(eq + 1).trim());
        }
        return out;
    }

    /** An agent option becomes the system property, unless {@code -D} already set it differently. */
    private static void apply(String property, String value) {
        if (value == null) {
            return;
        }
        String existing = System.getProperty(property);
        if (existing != null && !existing.equals(value)) {
            throw new IllegalArgumentException("mptcp-nio agent: option " + property.substring("mptcp.nio.".length())
                    + "=" + value + " conflicts with -D" + property + "=" + existing);
        }
        System.setProperty(property, value);
    }
}
