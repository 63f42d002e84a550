package io.github.mptcpnio.internal.agent;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's class rewriting, all of it: the {@code java.base} classes where TCP sockets are born, each changed in
 * the body of a method only (so that the same rewrite serves at load time and on retransformation), each checked
 * against the shape it expects and left untouched when the shape differs.
 *
 * <ul>
 *   <li>{@code sun.nio.ch.Net}: the two calls of its native {@code socket0(preferIPv6, stream, reuse, fastLoopback)}
 *       — in {@code socket(ProtocolFamily, boolean)} and {@code serverSocket(ProtocolFamily[, boolean])}, where every
 *       TCP socket of the JDK is born — are framed by two hooks: the hooks class's {@code socket(family, flags)} gets
 *       the four flags packed into an int, adds the kind the family marks and hands them to {@link #SOCKET}, which
 *       returns them with what {@link #BORN} needs; the JDK's own {@code socket0} is called with the flags unpacked
 *       again, and {@link #BORN} gets the flags and the new descriptor (and returns it), which the hooks record for
 *       the rules. {@code connect(...)} and {@code bind(...)} first call {@link #CONNECT} or {@link #BIND} with the
 *       address and the descriptor number and port packed into a long. And
 *       {@code setSocketOption(FileDescriptor, ProtocolFamily, SocketOption, Object)} first asks {@link #OPTION}
 *       whether to skip the call (a request for {@code SO_OOBINLINE=false}, the default, on an MPTCP socket). Its
 *       rewrite also checks that {@code socket(boolean)}, {@code socket()}, {@code serverSocket(boolean)} and
 *       {@code serverSocket()}, where present, only pass its {@code UNSPEC} on.</li>
 *   <li>{@code sun.nio.ch.NioSocketImpl} ({@code java.net.Socket}) and {@code sun.nio.ch.SocketChannelImpl} (the
 *       channel's socket adaptor): before every {@code Net.sendOOB(fd, byte)}, {@link #URGENT} sees the descriptor
 *       and throws for an MPTCP socket; and the count {@code Net.available(fd)} returns in {@code available()} goes
 *       through {@link #AVAILABLE}, which answers 0 where an MPTCP socket reports its end of stream as a byte.</li>
 *   <li>{@code NioSocketImpl} and the asynchronous channels ({@link #MARKED}) call those wrappers; they call
 *       {@code Net.socket(family, ...)}/{@code serverSocket(family...)} instead, with {@link #JAVA_NET_FAMILY} or
 *       {@link #ASYNCHRONOUS_FAMILY} for {@code UNSPEC}: the same socket (Net compares a family with {@code INET}
 *       only), marked with its kind for the counters at no cost of its own — no hook call in the caller, nothing
 *       per thread, a method no larger than the JDK's, which the JIT inlines as it does without the agent.</li>
 * </ul>
 *
 * <p>The instrumented code names none of our classes: it reads static fields of java.base types from a tiny class
 * defined at run time in {@code sun.nio.ch} ({@link #hooksClass()}), which the agent sets before the rewritten code
 * can run, and calls its one static method.
 *
 * <p>This class decides and remembers; the rewriting itself, with ASM, is {@link JdkRewrites}'s, loaded only when a
 * class is not in the {@link ClassCache}: the rewritten bytes are a function of the original bytes and of our code,
 * so a warm start takes them from the cache and loads no ASM class at all.
 */
final class JdkRewriter implements ClassFileTransformer {
    static final String HOOKS = "sun/nio/ch/MptcpNioHooks";
    static final String SOCKET = "SOCKET";
    static final String SOCKET_TYPE = "java/util/function/IntUnaryOperator";
    static final String BORN = "BORN";
    static final String BORN_TYPE = "java/util/function/IntBinaryOperator";
    static final String OPTION = "OPTION";
    static final String OPTION_TYPE = "java/util/function/BiPredicate";
    static final String URGENT = "URGENT";
    static final String URGENT_TYPE = "java/util/function/Consumer";
    static final String AVAILABLE = "AVAILABLE";
    static final String AVAILABLE_TYPE = "java/util/function/ToIntBiFunction";
    /**
     * The families that mark a request for a socket with the API it serves: the rewritten {@code NioSocketImpl}
     * ({@code java.net}) and asynchronous channels pass one instead of the JDK's {@code UNSPEC} (see
     * {@link JdkRewrites}); an unmarked request is a channel's.
     */
    static final String JAVA_NET_FAMILY = "JAVA_NET_FAMILY";
    static final String ASYNCHRONOUS_FAMILY = "ASYNCHRONOUS_FAMILY";
    static final String FAMILY_TYPE = "java/net/ProtocolFamily";
    /**
     * The hooks class's one method, {@code static int socket(ProtocolFamily family, int flags)}: the flags with the
     * family's kind code in bits 5-7, through {@link #SOCKET}.
     */
    static final String SOCKET_METHOD = "socket";
    static final String SOCKET_METHOD_DESC = "(Ljava/net/ProtocolFamily;I)I";
    /** Where {@link #SOCKET_METHOD} puts the kind code its family marks (and where the hooks return the kind). */
    static final int KIND_CODE_SHIFT = 5;
    static final String CONNECT = "CONNECT";
    static final String BIND = "BIND";
    static final String DECIDE_TYPE = "java/util/function/ObjLongConsumer";

    static final String NET = "sun/nio/ch/Net";
    static final String NIO_SOCKET_IMPL = "sun/nio/ch/NioSocketImpl";
    static final String SOCKET_CHANNEL_IMPL = "sun/nio/ch/SocketChannelImpl";
    static final String ASYNC_SOCKET_CHANNEL_IMPL = "sun/nio/ch/AsynchronousSocketChannelImpl";
    static final String ASYNC_SERVER_SOCKET_CHANNEL_IMPL = "sun/nio/ch/AsynchronousServerSocketChannelImpl";
    /**
     * The classes rewritten besides {@code Net}. Of the five JDK classes that ask {@code Net} for TCP sockets, the
     * two channel classes carry no kind marker: an unmarked request is a channel's ({@code SocketChannelImpl},
     * {@code ServerSocketChannelImpl}). Marking {@code ServerSocketChannelImpl} too meant rewriting it as it loads,
     * about 10 ms more to a first connection (measured); inferring costs nothing.
     */
    static final java.util.List<String> REWRITTEN = java.util.List.of(NIO_SOCKET_IMPL, SOCKET_CHANNEL_IMPL,
            ASYNC_SOCKET_CHANNEL_IMPL, ASYNC_SERVER_SOCKET_CHANNEL_IMPL);
    /** The rewritten classes with kind markers: if one is not rewritten, unmarked requests are of unknown kind. */
    static final java.util.List<String> MARKED = java.util.List.of(NIO_SOCKET_IMPL, ASYNC_SOCKET_CHANNEL_IMPL,
            ASYNC_SERVER_SOCKET_CHANNEL_IMPL);

    /** What happened to each target class: "rewritten" or why not. */
    private final Map<String, String> outcome = new ConcurrentHashMap<>();
    /** Told of a class that could not be rewritten (the WARNING is written later, outside class loading). */
    private volatile java.util.function.Consumer<String> notRewritten;
    /** The names of the methods of {@code Net} whose {@code socket0} calls are rewritten (a test may change them). */
    private final String[] socketMethods;

    /** Where rewritten classes are kept between JVMs (a cache that is never used when a test changes the shape). */
    private final ClassCache cache;

    JdkRewriter(ClassCache cache, String... socketMethods) {
        this.socketMethods = socketMethods.clone();
        this.cache = java.util.Arrays.equals(this.socketMethods, DEFAULT_SOCKET_METHODS) ? cache
                : ClassCache.unused("the rewriter's shape is changed for a test");
    }

    /** The methods of {@code Net} that create TCP sockets. */
    static final String[] DEFAULT_SOCKET_METHODS = {"socket", "serverSocket"};

    /**
     * The bytes of {@code sun.nio.ch.MptcpNioHooks} ({@link JdkRewrites#hooksClass()}), from the cache when it has
     * them.
     */
    byte[] hooksClass() {
        byte[] key = HOOKS_KEY.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] bytes = cache.lookup(HOOKS, key);
        if (bytes == null) {
            bytes = JdkRewrites.hooksClass();
            cache.store(HOOKS, key, bytes);
        }
        return bytes;
    }

    /** The hooks class's fields, pairs of name and internal type name ({@link JdkRewrites#hooksClass()}). */
    static final String[] HOOKS_FIELD_LIST = {SOCKET, SOCKET_TYPE, BORN, BORN_TYPE, OPTION, OPTION_TYPE, URGENT,
        URGENT_TYPE, AVAILABLE, AVAILABLE_TYPE, JAVA_NET_FAMILY, FAMILY_TYPE, ASYNCHRONOUS_FAMILY, FAMILY_TYPE, CONNECT,
        DECIDE_TYPE, BIND, DECIDE_TYPE};

    /** The hooks class's fields and method, as the cache's key for it: a change of them is another class. */
    static final String HOOKS_KEY = String.join(" ", HOOKS_FIELD_LIST) + " " + SOCKET_METHOD + SOCKET_METHOD_DESC;

    /** The outcome for a target ({@code sun/nio/ch/Net}, ...): "rewritten", a reason, or null if never seen. */
    String outcome(String internalName) {
        return outcome.get(internalName);
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain domain, byte[] bytes) {
        if (loader != null || className == null || !(className.equals(NET) || REWRITTEN.contains(className))) {
            return null;
        }
        // A marked class passes a marker family to Net's socket(ProtocolFamily, ...), which only the rewritten Net
        // knows to be its UNSPEC (it checked its own wrappers): before that, or without it, the class is rewritten
        // unmarked (agent.rewrite loads Net first; only a class loading on another thread meanwhile can see this).
        boolean unmarked = MARKED.contains(className) && !"rewritten".equals(outcome.get(NET));
        byte[] cached = unmarked ? null : cache.lookup(className, bytes);
        if (cached != null) {
            return record(className, new Result(cached, null));
        }
        Result r;
        try {
            r = JdkRewrites.rewrite(className, bytes, socketMethods, !unmarked);
        } catch (RuntimeException | LinkageError e) { // ASM on a class file it cannot read: leave the class alone
            r = new Result(null, e.toString());
        }
        if (r.bytes != null && !unmarked) {
            cache.store(className, bytes, r.bytes);
        }
        if (unmarked && r.bytes != null) {
            outcome.put(className, "rewritten");
            java.util.function.Consumer<String> listener = notRewritten;
            if (listener != null) {
                listener.accept(className.replace('/', '.') + " rewritten without its kind marker (sun.nio.ch.Net "
                        + "was not rewritten before it)");
            }
            return r.bytes;
        }
        return record(className, r);
    }

    void onNotRewritten(java.util.function.Consumer<String> listener) {
        notRewritten = listener;
    }

    private byte[] record(String className, Result r) {
        outcome.put(className, r.bytes != null ? "rewritten" : "not rewritten: " + r.reason);
        java.util.function.Consumer<String> listener = notRewritten;
        if (r.bytes == null && listener != null) {
            listener.accept(className.replace('/', '.') + " not rewritten: " + r.reason);
        }
        return r.bytes;
    }

    /** The rewritten bytes, or null and why not. */
    static final class Result {
        final byte[] bytes;
        final String reason;

        Result(byte[] bytes, String reason) {
            this.bytes = bytes;
            this.reason = reason;
        }
    }
}
