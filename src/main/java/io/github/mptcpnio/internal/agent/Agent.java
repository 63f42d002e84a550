package io.github.mptcpnio.internal.agent;

import io.github.mptcpnio.MptcpSelectorProvider;
import io.github.mptcpnio.internal.Announcement;
import io.github.mptcpnio.internal.agent.Hooks;
import io.github.mptcpnio.internal.JdkShim;
import io.github.mptcpnio.internal.Preload;
import io.github.mptcpnio.internal.Settings;
import io.github.mptcpnio.internal.rules.Rules;

import java.lang.System.Logger.Level;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.lang.invoke.MethodHandles;
import java.net.ProtocolFamily;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.IntUnaryOperator;
import java.util.function.IntBinaryOperator;
import java.util.function.ObjLongConsumer;
import java.util.function.ToIntBiFunction;

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
        Rules rules = Rules.parse(System.getProperty(Rules.PROPERTY), settings.mode().covers(true),
                settings.mode().covers(false), settings.mode().value());
        settings = settings.withRules(rules.summary());
        installed = true;
        if (settings.mode() == Settings.Mode.OFF) {
            off = true; // validated, then out of the way: nothing rewritten, nothing loaded, no line (docs/adr/0010)
            return;
        }

        JdkShim.grantAccess(inst);
        // Warms the log formatter now, loads the binding a second later unless a socket needs it first (it creates
        // no JDK socket: should it load Net before the rewriter is registered, rewrite() retransforms Net).
        Preload.once(settings, Preload.AGENT_NATIVE_DELAY_MILLIS);
        List<String> warnings = new ArrayList<>();
        Hooks policy = new Hooks(settings, rules);
        inst.addTransformer(new NettyRewriter.Filter(policy, inst), false); // before any Netty class can load
        inPlace = rewrite(inst, policy, warnings);
        for (String w : warnings) {
            System.getLogger(Announcement.LOGGER_NAME).log(Level.WARNING, w);
        }
        if (!inPlace) {
            installProvider();
        }
    }

    /**
     * Defines the hooks, rewrites the JDK's classes; true when TCP sockets are now created as MPTCP in place.
     *
     * <p>Order matters for start-up cost and for correctness: the hooks' fields are set before any rewritten code can
     * run; the transformer is registered before {@code Net} is loaded, so that it is rewritten as it loads (a
     * retransformation, dearer, only if someone loaded it before us); the classes that create sockets (and send
     * urgent data) are rewritten when the application first loads them, and a WARNING about them waits for the next
     * socket creation.
     */
    static boolean rewrite(Instrumentation inst, Hooks policy, List<String> warnings) {
        String jdk = "JDK " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.vendor") + ")";
        String methods = System.getProperty(SOCKET_METHODS_PROPERTY);
        JdkRewriter rewriter = new JdkRewriter(ClassCache.open(),
                methods == null ? JdkRewriter.DEFAULT_SOCKET_METHODS : methods.split(","));
        try {
            // JdkShim.grantAccess opened sun.nio.ch to this module
            MethodHandles.Lookup nio = MethodHandles.privateLookupIn(Class.forName(NIO + ".SelChImpl", false, null),
                    MethodHandles.lookup());
            Class<?> hooks = nio.defineClass(rewriter.hooksClass());
            MethodHandles.Lookup hooksLookup = MethodHandles.privateLookupIn(hooks, MethodHandles.lookup());
            hooksLookup.findStaticSetter(hooks, JdkRewriter.SOCKET, IntUnaryOperator.class).invoke(policy.creation());
            hooksLookup.findStaticSetter(hooks, JdkRewriter.BORN, IntBinaryOperator.class).invoke(policy.born());
            hooksLookup.findStaticSetter(hooks, JdkRewriter.OPTION, BiPredicate.class).invoke(policy.oobInline());
            hooksLookup.findStaticSetter(hooks, JdkRewriter.URGENT, Consumer.class).invoke(policy.urgentData());
            hooksLookup.findStaticSetter(hooks, JdkRewriter.AVAILABLE, ToIntBiFunction.class)
                    .invoke(policy.available());
            hooksLookup.findStaticSetter(hooks, JdkRewriter.JAVA_NET_FAMILY, ProtocolFamily.class)
                    .invoke(Hooks.JAVA_NET_FAMILY);
            hooksLookup.findStaticSetter(hooks, JdkRewriter.ASYNCHRONOUS_FAMILY, ProtocolFamily.class)
                    .invoke(Hooks.ASYNCHRONOUS_FAMILY);
            hooksLookup.findStaticSetter(hooks, JdkRewriter.CONNECT, ObjLongConsumer.class)
                    .invoke(policy.decision(true));
            hooksLookup.findStaticSetter(hooks, JdkRewriter.BIND, ObjLongConsumer.class)
                    .invoke(policy.decision(false));
        } catch (Throwable t) { // an unexpected JDK: leave it alone, the provider still covers NIO channels
            warnings.add("mptcp-nio agent: cannot hook the JDK's socket creation on " + jdk + " (" + t + "); only "
                    + "NIO channels get MPTCP, through the SelectorProvider");
            return false;
        }
        rewriter.onNotRewritten(new WarnLater(policy, jdk));
        inst.addTransformer(rewriter, true);
        List<Class<?>> loaded = new ArrayList<>();
        Class<?> loadedNet = null;
        for (Class<?> c : inst.getAllLoadedClasses()) {
            String name = c.getName();
            if (c.getClassLoader() == null && name.equals(NIO + ".Net")) {
                loadedNet = c;
            } else if (c.getClassLoader() == null && JdkRewriter.REWRITTEN.contains(name.replace('.', '/'))) {
                loaded.add(c);
            }
        }
        try {
            // Net first: the marked classes call Net's methods with marker families only once Net is rewritten
            if (loadedNet != null) {
                inst.retransformClasses(loadedNet);
            }
            Class.forName(NIO + ".Net", false, null); // rewritten as it loads, unless it was loaded before
            if (!loaded.isEmpty()) {
                inst.retransformClasses(loaded.toArray(new Class<?>[0]));
            }
        } catch (ClassNotFoundException | UnmodifiableClassException | RuntimeException | LinkageError e) {
            warnings.add("mptcp-nio agent: cannot rewrite sun.nio.ch.Net on " + jdk + ": " + e + "; only NIO channels "
                    + "get MPTCP, through the SelectorProvider");
            return false;
        }
        String net = rewriter.outcome(JdkRewriter.NET);
        if (!"rewritten".equals(net)) {
            warnings.add("mptcp-nio agent: sun.nio.ch.Net not rewritten on " + jdk + " ("
                    + (net == null ? "never loaded" : net.replaceFirst("^not rewritten: ", "")) + "); only NIO "
                    + "channels get MPTCP, through the SelectorProvider");
            return false;
        }
        return true;
    }

    private static final String NIO = "sun.nio.ch";

    /** A class-rewriting WARNING, written by the next socket creation (never from inside class loading). */
    private static final class WarnLater implements Consumer<String> {
        private final Hooks policy;
        private final String jdk;

        WarnLater(Hooks policy, String jdk) {
            this.policy = policy;
            this.jdk = jdk;
        }

        @Override
        public void accept(String what) {
            if (what.startsWith(NIO + ".Net ")) {
                return; // Net's own failure is reported by premain
            }
            boolean guarded = what.contains(" rewritten without its kind marker "); // its guards are in place
            boolean streams = !guarded
                    && (what.startsWith(NIO + ".NioSocketImpl ") || what.startsWith(NIO + ".SocketChannelImpl "));
            boolean marked = what.startsWith(NIO + ".NioSocketImpl ") || what.startsWith(NIO + ".Asynchronous");
            if (marked) {
                policy.kindsUnknown();
            }
            policy.warnLater("mptcp-nio agent: " + what + " on " + jdk + "; " + (streams ? "on MPTCP sockets "
                    + "urgent data is sent in-band and InputStream.available() answers 1 at the end of the stream, as "
                    + "without the agent" : "") + (streams && marked ? ", and " : "") + (marked ? "the counters by kind "
                    + "count sockets whose kind is not marked as unknown" : ""));
        }
    }

    /** The switch's provider, unless the application chose another one (then it warns and leaves it). */
    private static void installProvider() {
        String ours = MptcpSelectorProvider.class.getName();
        String configured = System.getProperty(PROVIDER_PROPERTY);
        if (configured != null && !configured.equals(ours)) {
            System.getLogger(Announcement.LOGGER_NAME).log(Level.WARNING, "mptcp-nio agent: " + PROVIDER_PROPERTY
                    + "=" + configured + " is already set; leaving it, so MPTCP is NOT active in this JVM");
            return;
        }
        System.setProperty(PROVIDER_PROPERTY, ours);
        SelectorProvider provider = SelectorProvider.provider(); // cheap: our constructor does no I/O
        if (!(provider instanceof MptcpSelectorProvider)) {
            System.getLogger(Announcement.LOGGER_NAME).log(Level.WARNING, "mptcp-nio agent: the JVM's "
                    + "SelectorProvider was initialised before the agent ran (" + provider.getClass().getName()
                    + "); MPTCP is NOT active in this JVM");
        }
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
