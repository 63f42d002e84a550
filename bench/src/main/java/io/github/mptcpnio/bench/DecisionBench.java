package io.github.mptcpnio.bench;

import io.github.mptcpnio.internal.Settings;
import io.github.mptcpnio.internal.agent.Hooks;
import io.github.mptcpnio.internal.linux.LibC;
import io.github.mptcpnio.internal.rules.Rules;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;
import java.util.function.ObjLongConsumer;

/**
 * What the agent adds to a connection that its default rules keep on TCP, measured directly: the agent's own hooks,
 * called as the rewritten {@code sun.nio.ch.Net} calls them, in a plain JVM (no agent, no rewriting: the hooks are
 * the library's public-in-jar classes). {@code birthDirect}: a TCP socket created as the JDK's {@code Net.socket0}
 * creates one ({@code socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0)}, through our libc binding: the same call in both
 * arms, without opening {@code sun.nio.ch}) and a close;
 * {@code birthThroughHook}: the same between the two creation hooks (the socket recorded in the table); {@code
 * birthHookAlone}: the two creation hooks around no system call at all (their own work, which the difference of the
 * first two, microseconds each, cannot resolve on a noisy machine); {@code decideLoopbackClient}: the connect hook
 * for a loopback destination — given the descriptor number (the rewritten {@code Net} reads it), the rules asked
 * (the default rule {@code client loopback tcp} decides), the table updated,
 * no switch. Nanoseconds per operation; the rules part relates their sum to its measured loopback connect.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class DecisionBench {
    private static final int STREAM = 2; // the rewritten Net's flags: bit 1 stream

    private MethodHandle socket0;
    private IntUnaryOperator creation;
    private IntBinaryOperator born;
    private ObjLongConsumer<Object> decision;
    private InetAddress loopback;
    private LibC libc;
    private int decidedFd;
    private int unusedFd;

    @Setup(Level.Trial)
    public void start() throws Throwable {
        libc = LibC.instance().orElseThrow();
        LIBC = libc;
        socket0 = MethodHandles.lookup().findStatic(DecisionBench.class, "socket0",
                MethodType.methodType(int.class, boolean.class, boolean.class, boolean.class, boolean.class));
        Rules rules = Rules.parse(null, true, true, "both");
        Settings settings = Settings.fromSystemProperties().withRules(rules.summary());
        Hooks hooks = new Hooks(settings, rules);
        creation = hooks.creation();
        born = hooks.born();
        decidedFd = birth(); // the JVM's first socket: the one line is written here, not timed
        unusedFd = decidedFd + 1000; // a number no socket of this JVM has
        decision = hooks.decision(true);
        loopback = InetAddress.getLoopbackAddress();
        decision.accept(loopback, (long) decidedFd << 32 | 8080);
    }

    /** As the rewritten {@code Net} creates a socket: the creation hook, the JDK's own call, the birth hook. */
    private int birth() throws Throwable {
        int flags = creation.applyAsInt(STREAM);
        return born.applyAsInt(flags, (int) socket0.invokeExact((flags & 1) != 0, (flags & 2) != 0,
                (flags & 4) != 0, (flags & 8) != 0));
    }

    private static LibC LIBC;

    /** The JDK's {@code Net.socket0(preferIPv6, stream, reuse, fastLoopback)} for an IPv4 stream socket. */
    static int socket0(boolean preferIPv6, boolean stream, boolean reuse, boolean fastLoopback) throws Exception {
        return LIBC.socket(2, 1 | 02000000, 0); // AF_INET, SOCK_STREAM | SOCK_CLOEXEC
    }

    @Benchmark
    public int birthDirect() throws Throwable {
        int fd = (int) socket0.invokeExact(false, true, false, false);
        libc.close(fd);
        return fd;
    }

    @Benchmark
    public int birthThroughHook() throws Throwable {
        int fd = birth();
        libc.close(fd);
        return fd;
    }

    @Benchmark
    public int birthHookAlone() {
        return born.applyAsInt(creation.applyAsInt(STREAM), unusedFd);
    }

    @Benchmark
    public InetAddress decideLoopbackClient() {
        decision.accept(loopback, (long) decidedFd << 32 | 8080);
        return loopback;
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        libc.close(decidedFd);
    }
}
