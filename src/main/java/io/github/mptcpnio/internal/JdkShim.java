package io.github.mptcpnio.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.spi.SelectorProvider;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one place that touches the JDK's non-exported {@code sun.nio.ch}: the platform {@link SelectorProvider}
 * we delegate to, and a channel's descriptor number ({@code SelChImpl.getFDVal()}).
 *
 * <p>With {@code java.base/sun.nio.ch} exported to us both come from the JDK's own API:
 * {@code DefaultSelectorProvider.get()} and {@code getFDVal()}. Without the export there is no descriptor access
 * (so no MPTCP), but the application must keep working, so the platform provider class is instantiated through
 * {@code jdk.unsupported}'s {@code sun.reflect.ReflectionFactory} (an exported, supported-for-serialization API:
 * no {@code setAccessible}, no {@code Unsafe}, no JVM warning on JDK 17 or 25). The JDK's provider classes have
 * no instance state, so running {@code Object()} as their constructor yields a complete provider.
 */
public final class JdkShim {
    private JdkShim() {}

    private static final String PACKAGE = "sun.nio.ch";

    private static final class Holder {
        static final MethodHandle GET_FD_VAL;
        static final Class<?> SEL_CH_IMPL;
        static final SelectorProvider PLATFORM;
        static final Throwable EXPORT_FAILURE;

        static {
            MethodHandle getFdVal = null;
            Class<?> selChImpl = null;
            SelectorProvider platform = null;
            Throwable failure = null;
            try {
                selChImpl = Class.forName(PACKAGE + ".SelChImpl");
                if (!Object.class.getModule().isExported(PACKAGE, JdkShim.class.getModule())) {
                    throw new IllegalAccessException("package " + PACKAGE + " is not exported to "
                            + JdkShim.class.getModule());
                }
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                getFdVal = lookup.findVirtual(selChImpl, "getFDVal", MethodType.methodType(int.class));
            } catch (Throwable t) {
                failure = t;
                getFdVal = null;
            }
            if (getFdVal != null) {
                try { // the JDK's singleton, exactly as SelectorProvider.provider() would have returned it
                    Method get = Class.forName(PACKAGE + ".DefaultSelectorProvider").getMethod("get");
                    platform = (SelectorProvider) get.invoke(null);
                } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                    platform = null; // fall through to instantiation below
                }
            }
            GET_FD_VAL = getFdVal;
            SEL_CH_IMPL = selChImpl;
            EXPORT_FAILURE = failure;
            PLATFORM = platform != null ? platform : instantiatePlatformProvider();
        }
    }

    /**
     * Exports {@code java.base/sun.nio.ch} to this class's module through the agent's {@link Instrumentation}, the
     * same grant as the {@code --add-exports} flag, and opens it and {@code java.base/java.net}: the agent rewrites
     * classes of the one and introspection reads the descriptors of {@code java.net} sockets ({@link SocketShim}).
     * Must run before the first use of this class's other methods.
     */
    public static void grantAccess(java.lang.instrument.Instrumentation inst) {
        Module base = Object.class.getModule();
        Module self = JdkShim.class.getModule();
        if (base.isOpen(PACKAGE, self) && base.isOpen("java.net", self)) {
            return; // --add-opens on the command line did it (the all-jar's manifest does only for java -jar)
        }
        inst.redefineModule(base, Set.of(), Map.of(PACKAGE, Set.of(self)),
                Map.of(PACKAGE, Set.of(self), "java.net", Set.of(self)), Set.of(), Map.of());
    }

    /** An open JDK channel's descriptor, and the check to make after using it: the channel still open. */
    static SocketShim.Held held(Channel channel) throws IOException {
        return SocketShim.ofChannel(channel, fd(channel));
    }

    /** The JDK's own provider: the object every call is delegated to. */
    public static SelectorProvider platformProvider() {
        return Holder.PLATFORM;
    }

    /** Empty when descriptors are accessible; otherwise why not. */
    public static Optional<Throwable> descriptorAccessFailure() {
        return Optional.ofNullable(Holder.EXPORT_FAILURE);
    }

    /** The exact flag that grants what this class needs, for this class's module (named or class path). */
    public static String exportFlag() {
        Module self = JdkShim.class.getModule();
        return "--add-exports java.base/" + PACKAGE + "=" + (self.isNamed() ? self.getName() : "ALL-UNNAMED");
    }

    /** Whether {@code channel} is one of the JDK's selectable channel implementations. */
    public static boolean isJdkChannel(Channel channel) {
        return Holder.SEL_CH_IMPL != null && Holder.SEL_CH_IMPL.isInstance(channel);
    }

    /**
     * The descriptor number of an open JDK channel.
     *
     * @throws ClosedChannelException if the channel is closed
     * @throws UnsupportedOperationException without descriptor access, naming the missing flag
     * @throws IllegalArgumentException for a channel that is not a JDK socket channel implementation
     */
    public static int fd(Channel channel) throws IOException {
        if (Holder.GET_FD_VAL == null) {
            throw new UnsupportedOperationException("no access to channel descriptors: start the JVM with "
                    + exportFlag());
        }
        if (!isJdkChannel(channel)) {
            throw new IllegalArgumentException("channel: " + channel.getClass().getName()
                    + " (expected: a channel of the JDK's platform SelectorProvider)");
        }
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
        int fd;
        try {
            fd = (int) Holder.GET_FD_VAL.invoke(channel);
        } catch (Throwable t) {
            throw new IllegalStateException("SelChImpl.getFDVal() failed", t);
        }
        if (fd < 0) { // closed concurrently
            throw new ClosedChannelException();
        }
        return fd;
    }

    private static SelectorProvider instantiatePlatformProvider() {
        String[] candidates = {"EPollSelectorProvider", "KQueueSelectorProvider", "WEPollSelectorProvider",
            "PollSelectorProvider"};
        Throwable last = null;
        for (String simpleName : candidates) {
            try {
                Class<?> cls = Class.forName(PACKAGE + "." + simpleName);
                Class<?> rfClass = Class.forName("sun.reflect.ReflectionFactory");
                Object rf = rfClass.getMethod("getReflectionFactory").invoke(null);
                Method newCtor = rfClass.getMethod("newConstructorForSerialization", Class.class,
                        Constructor.class);
                Constructor<?> ctor = (Constructor<?>) newCtor.invoke(rf, cls, Object.class.getDeclaredConstructor());
                return (SelectorProvider) ctor.newInstance();
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                last = e;
            }
        }
        throw new IllegalStateException("cannot obtain the JDK's platform SelectorProvider", last);
    }
}
