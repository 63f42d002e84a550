package io.github.mptcpnio.internal.agent;

import io.github.mptcpnio.MptcpSelectorProvider;
import io.github.mptcpnio.internal.Announcement;
import io.github.mptcpnio.internal.JdkShim;
import io.github.mptcpnio.internal.Preload;
import io.github.mptcpnio.internal.Settings;
import io.github.mptcpnio.internal.rules.Rules;

import java.lang.System.Logger.Level;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.lang.invoke.MethodHandles;
import java.net.ProtocolFamily;
import java.nio.channels.spi.SelectorProvider;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.IntUnaryOperator;
import java.util.function.IntBinaryOperator;
import java.util.function.ObjLongConsumer;
import java.util.function.ToIntBiFunction;

/**
 * What {@link Agent#premain} does once its options are valid and the mode is not off: a class of its own, so that
 * {@code mode=off} neither loads nor verifies it and what it names (docs/adr/0010).
 */
final class AgentStart {
    private AgentStart() {}

    /** Hooks the JDK's socket creation; true when TCP sockets are now created as MPTCP in place. */
    static boolean start(Settings settings, Rules rules, Instrumentation inst) {
        JdkShim.grantAccess(inst);
        // Warms the log formatter now, loads the binding a second later unless a socket needs it first (it creates
        // no JDK socket: should it load Net before the rewriter is registered, rewrite() retransforms Net).
        Preload.once(settings, Preload.AGENT_NATIVE_DELAY_MILLIS);
        List<String> warnings = new ArrayList<>();
        Hooks policy = new Hooks(settings, rules);
        inst.addTransformer(new NettyRewriter.Filter(policy, inst), false); // before any Netty class can load
        boolean inPlace = rewrite(inst, policy, warnings);
        for (String w : warnings) {
            System.getLogger(Announcement.LOGGER_NAME).log(Level.WARNING, w);
        }
        if (!inPlace) {
            installProvider();
        }
        return inPlace;
    }

    /**
     * Defines the hooks, rewrites the JDK's classes; true when TCP sockets are now created as MPTCP in place.
     *
     * <p>Order matters for start-up cost and for correctness: the hooks' fields are set before any rewritten code can
     * run; the transformer is registered before {@code Net} is loaded, so that it is rewritten as it loads (a
     * retransformation, dearer, only if someone loaded it before us, and only then a retransformation-capable
     * transformer); the classes that create sockets (and send urgent data) are rewritten when the application first
     * loads them, and a WARNING about them waits for the next socket creation.
     */
    static boolean rewrite(Instrumentation inst, Hooks policy, List<String> warnings) {
        String jdk = "JDK " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.vendor") + ")";
        String methods = System.getProperty(Agent.SOCKET_METHODS_PROPERTY);
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
        // Every target that loads from now on is rewritten as it loads. A retransformation-capable transformer would
        // cost every later class load of the JVM (a second hook per class, docs/adr/0010), so one is added only when a
        // target was loaded before this line (another agent's premain opened sockets): those are retransformed.
        inst.addTransformer(rewriter, false);
        List<Class<?>> loaded = new ArrayList<>();
        Class<?> loadedNet = null;
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (c.getClassLoader() != null || !c.getName().startsWith(NIO + ".")) { // every target is in sun.nio.ch
                continue;
            }
            String name = c.getName().replace('.', '/');
            if (!(name.equals(JdkRewriter.NET) || JdkRewriter.REWRITTEN.contains(name))
                    || rewriter.outcome(name) != null) { // not a target, or the rewriter saw it load
                continue;
            }
            if (name.equals(JdkRewriter.NET)) {
                loadedNet = c;
            } else {
                loaded.add(c);
            }
        }
        try {
            if (loadedNet != null || !loaded.isEmpty()) {
                inst.addTransformer(new Retransforming(rewriter), true);
            }
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

    /**
     * The rewriter for retransformations only: registered retransformation-capable for targets loaded before the
     * rewriter (which sees, incapable, every class that loads after it), and passing every class load by.
     */
    private static final class Retransforming implements ClassFileTransformer {
        private final JdkRewriter rewriter;

        Retransforming(JdkRewriter rewriter) {
            this.rewriter = rewriter;
        }

        @Override
        public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                                ProtectionDomain domain, byte[] bytes) {
            return redefined == null ? null : rewriter.transform(module, loader, className, redefined, domain, bytes);
        }
    }

    /** The switch's provider, unless the application chose another one (then it warns and leaves it). */
    private static void installProvider() {
        String ours = MptcpSelectorProvider.class.getName();
        String configured = System.getProperty(Agent.PROVIDER_PROPERTY);
        if (configured != null && !configured.equals(ours)) {
            System.getLogger(Announcement.LOGGER_NAME).log(Level.WARNING, "mptcp-nio agent: " + Agent.PROVIDER_PROPERTY
                    + "=" + configured + " is already set; leaving it, so MPTCP is NOT active in this JVM");
            return;
        }
        System.setProperty(Agent.PROVIDER_PROPERTY, ours);
        SelectorProvider provider = SelectorProvider.provider(); // cheap: our constructor does no I/O
        if (!(provider instanceof MptcpSelectorProvider)) {
            System.getLogger(Announcement.LOGGER_NAME).log(Level.WARNING, "mptcp-nio agent: the JVM's "
                    + "SelectorProvider was initialised before the agent ran (" + provider.getClass().getName()
                    + "); MPTCP is NOT active in this JVM");
        }
    }
}
