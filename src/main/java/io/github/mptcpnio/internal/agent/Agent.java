package io.github.mptcpnio.internal.agent;

import io.github.mptcpnio.internal.Settings;
import io.github.mptcpnio.internal.rules.Rules;

import java.lang.instrument.Instrumentation;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code -javaagent:mptcp-nio-<version>-all.jar[=mode=server,strict=true]}: the one flag that makes every TCP socket
 * of the JVM an MPTCP socket. At start-up only ({@code premain}; dynamic attach is not supported) it validates its
 * options, then rewrites where the JDK creates its TCP sockets ({@link JdkRewriter}): NIO channels of any provider,
 * {@code java.net.Socket}/{@code ServerSocket}, asynchronous channels and the JDK's own users of them are then created
 * as MPTCP sockets in place. The JVM's {@code SelectorProvider} stays the JDK's (docs/adr/0006). Netty's native
 * transports, in whatever class loader and relocated package they come, are rewritten as they load
 * ({@link NettyRewriter}).
 *
 * <p>If {@code sun.nio.ch.Net} does not have the shape the rewriter knows (a JDK we have not seen), it is left
 * untouched, one WARNING names the class and the JDK, and the agent falls back to installing the switch's provider, so
 * that NIO channels are still covered.
 *
 * <p>This class checks the options and keeps the agent's state; the work is {@link AgentStart}'s, which
 * {@code mode=off} never loads.
 */
public final class Agent {
    private Agent() {}

    public static final String PROVIDER_PROPERTY = "java.nio.channels.spi.SelectorProvider";
    /**
     * Internal, for tests only: the comma-separated names of the {@code Net} methods whose {@code socket0} calls are
     * rewritten, so that a test can point the rewriter at a shape it does not know.
     */
    static final String SOCKET_METHODS_PROPERTY = "mptcp.nio.agent.netSocketMethods";

    private static volatile boolean installed;
    private static volatile boolean inPlace;
    private static volatile boolean off;

    /** Whether this JVM was started with the agent. */
    public static boolean installed() {
        return installed;
    }

    /** Whether the agent was started with {@code mode=off}: it checked its options and did nothing else. */
    public static boolean off() {
        return off;
    }

    /** Whether the agent creates the JDK's TCP sockets as MPTCP in place (false: it fell back to the provider). */
    public static boolean inPlace() {
        return inPlace;
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
        apply(Rules.PROPERTY, options.get("rules"));
        Settings settings = Settings.fromSystemProperties(); // validates -D values too, before the application runs
        String userRules = System.getProperty(Rules.PROPERTY);
        boolean modeOff = settings.mode() == Settings.Mode.OFF;
        // under off the defaults need no checking: with no rules given, the parser is not even loaded
        Rules rules = modeOff && userRules == null ? null : Rules.parse(userRules, settings.mode().covers(true),
                settings.mode().covers(false), settings.mode().value());
        installed = true;
        if (modeOff) {
            off = true; // validated, then out of the way: nothing rewritten, nothing loaded, no line (docs/adr/0010)
            return;
        }
        inPlace = AgentStart.start(settings.withRules(rules.summary()), rules, inst);
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
            if (eq < 0 || !(key.equals("mode") || key.equals("strict") || key.equals("rules"))
                    || out.containsKey(key)) {
                throw new IllegalArgumentException("mptcp-nio agent options: '" + args
                        + "' (expected: mode=both|server|client|off, strict=true|false and/or rules=RULES, "
                        + "comma-separated)");
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
