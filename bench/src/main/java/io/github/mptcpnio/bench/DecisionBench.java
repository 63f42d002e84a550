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

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;
import java.util.function.ObjIntConsumer;

/**
 * What the agent adds to a connection that its default rules keep on TCP, measured directly: the agent's own hooks,
 * called as the rewritten {@code sun.nio.ch.Net} calls them, in a plain JVM (no agent, no rewriting: the hooks are
 * the library's public-in-jar classes). {@code birthDirect}: a TCP socket created as the JDK's {@code Net.socket0}
 * creates one ({@code socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0)}, through our libc binding: the same call in both
 * arms, without opening {@code sun.nio.ch}) and a close;
 * {@code birthThroughHook}: the same through the creation hook (the socket recorded in the table); {@code
 * birthHookAlone}: the creation hook around no system call at all (its own work, which the difference of the first
 * two, microseconds each, cannot resolve on a noisy machine); {@code decideLoopbackClient}: the connect hook for a loopback destination — the
 * descriptor looked up, the rules asked (the default rule {@code client loopback tcp} decides), the table updated,
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
    private IntUnaryOperator hookOnly;
    private ObjIntConsumer<Object> decision;
    private Object[] fdAndAddress;
    private LibC libc;
    private int decidedFd;

    @Setup(Level.Trial)
    public void start() throws Throwable {
        libc = LibC.instance().orElseThrow();
        LIBC = libc;
        socket0 = MethodHandles.lookup().findStatic(DecisionBench.class, "socket0",
                MethodType.methodType(int.class, boolean.class, boolean.class, boolean.class, boolean.class));
        Rules rules = Rules.parse(null, true, true, "both");
        Settings settings = Settings.fromSystemProperties().withRules(rules.summary());
        MethodHandle s0 = socket0;
        int[] fd = new int[1];
        Hooks hooks = new Hooks(settings, rules, new Hooks.JdkMethods() {
            @Override
            public MethodHandle socket0() {
                return s0;
            }

            @Override
            public MethodHandle fdVal() {
                // the descriptor the connect hook is about: the one created below
                return MethodHandles.dropArguments(MethodHandles.constant(int.class, fd[0]), 0, FileDescriptor.class);
            }
        });
        creation = hooks.creation();
        int[] constant = new int[1];
        hookOnly = new Hooks(settings, rules, new Hooks.JdkMethods() {
            @Override
            public MethodHandle socket0() {
                // no system call: the creation hook's own work alone, on a descriptor number that stays the same
                return MethodHandles.dropArguments(MethodHandles.constant(int.class, constant[0]), 0, boolean.class,
                        boolean.class, boolean.class, boolean.class);
            }

            @Override
            public MethodHandle fdVal() {
                return MethodHandles.dropArguments(MethodHandles.constant(int.class, constant[0]), 0,
                        FileDescriptor.class);
            }
        }).creation();
        decidedFd = creation.applyAsInt(STREAM); // the JVM's first socket: the one line is written here, not timed
        fd[0] = decidedFd;
        constant[0] = decidedFd + 1000; // a number no socket of this JVM has
        decision = hooks.decision(true);
        fdAndAddress = new Object[] {new FileDescriptor(), InetAddress.getLoopbackAddress()};
        decision.accept(fdAndAddress, 8080);
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
    public int birthThroughHook() throws Exception {
        int fd = creation.applyAsInt(STREAM);
        libc.close(fd);
        return fd;
    }

    @Benchmark
    public int birthHookAlone() {
        return hookOnly.applyAsInt(STREAM);
    }

    @Benchmark
    public Object[] decideLoopbackClient() {
        decision.accept(fdAndAddress, 8080);
        return fdAndAddress;
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        libc.close(decidedFd);
    }
}
