package io.github.mptcpnio.internal.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.objectweb.asm.ClassReader;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import static io.github.mptcpnio.internal.agent.NettyRewriterTest.instructions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rewriting of the running JDK's {@code sun.nio.ch.Net} (JDK 17 and 25 in CI) on its real class file: where the
 * hooks are called, that the JDK's own native calls stay direct calls, and that the result passes ASM's verifier
 * (the JVM does not verify {@code java.base}, so a wrong stack would not fail at load time). That the rewritten class
 * works is the agent's integration tests' part.
 */
class JdkRewritesTest {
    private static final String HOOKS = "sun/nio/ch/MptcpNioHooks";

    private static byte[] net() throws IOException {
        try (InputStream in = Object.class.getModule().getResourceAsStream("sun/nio/ch/Net.class")) {
            assertNotNull(in, "sun/nio/ch/Net.class of the running JDK");
            return in.readAllBytes();
        }
    }

    /** Name and descriptor of every method. */
    private static List<String[]> methods(byte[] bytes) {
        List<String[]> out = new java.util.ArrayList<>();
        new ClassReader(bytes).accept(new org.objectweb.asm.ClassVisitor(org.objectweb.asm.Opcodes.ASM9) {
            @Override
            public org.objectweb.asm.MethodVisitor visitMethod(int access, String name, String desc, String sig,
                                                               String[] ex) {
                out.add(new String[] {name, desc});
                return null;
            }
        }, ClassReader.SKIP_CODE);
        return out;
    }

    @Test
    void socketsAreBornThroughTheJdksOwnSocket0BetweenTwoHooks() throws IOException {
        JdkRewriter.Result r = JdkRewrites.rewriteNet(net(), JdkRewriter.DEFAULT_SOCKET_METHODS);
        assertNull(r.reason);
        List<String> born = List.of(HOOKS + ".socket (Ljava/net/ProtocolFamily;I)I", "sun/nio/ch/Net.socket0 (ZZZZ)I",
                HOOKS + ".BORN Ljava/util/function/IntBinaryOperator;",
                "java/util/function/IntBinaryOperator.applyAsInt (II)I");
        int checked = 0;
        for (String[] m : methods(r.bytes)) {
            boolean creates = m[0].equals("socket") || m[0].equals("serverSocket");
            if (creates && m[1].startsWith("(Ljava/net/ProtocolFamily;")) {
                List<String> calls = instructions(r.bytes, m[0], m[1]);
                int at = calls.indexOf(born.get(0));
                assertEquals(born, calls.subList(Math.max(at, 0), Math.max(at, 0) + born.size()), m[0] + m[1]);
                checked++;
            }
        }
        assertEquals(2, checked, "Net.socket(ProtocolFamily...) and Net.serverSocket(ProtocolFamily...)");
        String address = "(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)";
        for (String[] m : new String[][] {{"connect", address + "I", "CONNECT"}, {"bind", address + "V", "BIND"}}) {
            assertEquals(List.of(HOOKS + "." + m[2] + " Ljava/util/function/ObjLongConsumer;",
                    "sun/nio/ch/IOUtil.fdVal (Ljava/io/FileDescriptor;)I",
                    "java/util/function/ObjLongConsumer.accept (Ljava/lang/Object;J)V"),
                    instructions(r.bytes, m[0], m[1]).subList(0, 3), m[0]);
        }
        assertVerifies(r.bytes);
    }

    private void assertVerifies(byte[] bytes) {
        java.io.StringWriter problems = new java.io.StringWriter();
        org.objectweb.asm.util.CheckClassAdapter.verify(new ClassReader(bytes), getClass().getClassLoader(), false,
                new java.io.PrintWriter(problems));
        assertEquals("", problems.toString(), "the verifier's findings");
    }

    private static byte[] jdkClass(String internalName) throws IOException {
        try (InputStream in = Object.class.getModule().getResourceAsStream(internalName + ".class")) {
            assertNotNull(in, internalName + ".class of the running JDK");
            return in.readAllBytes();
        }
    }

    /** The calls of Net's socket methods in a class, by method: "name desc" of each. */
    private static List<String> netSocketCalls(byte[] bytes) {
        List<String> out = new java.util.ArrayList<>();
        for (String[] m : methods(bytes)) {
            for (String call : instructions(bytes, m[0], m[1])) {
                if (call.startsWith("sun/nio/ch/Net.socket") || call.startsWith("sun/nio/ch/Net.serverSocket")
                        || call.startsWith(HOOKS + ".") && call.endsWith(" Ljava/net/ProtocolFamily;")) {
                    out.add(call);
                }
            }
        }
        return out;
    }

    /**
     * The marked classes of the running JDK call Net's wrappers ({@code socket(boolean)} on JDK 17, {@code socket()} on
     * JDK 25...); rewritten, they call the wrapped method with their marker family instead, and no wrapper any more.
     */
    @ParameterizedTest
    @CsvSource({
        "sun/nio/ch/NioSocketImpl, JAVA_NET_FAMILY, 2",
        "sun/nio/ch/AsynchronousSocketChannelImpl, ASYNCHRONOUS_FAMILY, 1",
        "sun/nio/ch/AsynchronousServerSocketChannelImpl, ASYNCHRONOUS_FAMILY, 1",
    })
    void markedClassesCallTheWrappedMethodWithTheirFamily(String className, String family, int calls)
            throws IOException {
        byte[] original = jdkClass(className);
        List<String> before = netSocketCalls(original);
        assertEquals(calls, before.size(), before::toString);
        JdkRewriter.Result r = JdkRewrites.rewrite(className, original, JdkRewriter.DEFAULT_SOCKET_METHODS, true);
        assertNull(r.reason);
        List<String> after = netSocketCalls(r.bytes);
        assertEquals(2 * calls, after.size(), after::toString);
        for (int i = 0; i < calls; i++) {
            assertEquals(HOOKS + "." + family + " Ljava/net/ProtocolFamily;", after.get(2 * i), after::toString);
            String target = after.get(2 * i + 1);
            String wrapper = before.get(i);
            assertEquals(wrapper.substring(0, wrapper.indexOf(' ')), target.substring(0, target.indexOf(' ')));
            assertTrue(target.contains(" (Ljava/net/ProtocolFamily;"), target);
        }
        assertVerifies(r.bytes);

        JdkRewriter.Result unmarked = JdkRewrites.rewrite(className, original, JdkRewriter.DEFAULT_SOCKET_METHODS,
                false);
        if (className.equals("sun/nio/ch/NioSocketImpl")) { // its guards still, without markers
            assertEquals(before, netSocketCalls(unmarked.bytes));
        } else {
            assertNull(unmarked.bytes, "nothing else to rewrite");
        }
    }

    /** A wrapper that does more than pass UNSPEC on: Net is left alone, so no class calls past it with a marker. */
    @Test
    void netIsLeftAloneWhenAWrapperDoesMoreThanPassUnspecOn() throws IOException {
        byte[] changed = JdkRewrites.rewrite(net(), new JdkRewrites.Methods() {
            @Override
            org.objectweb.asm.MethodVisitor wrap(org.objectweb.asm.MethodVisitor mv, String name, String desc) {
                if (!name.equals("socket") || desc.startsWith("(Ljava/net/ProtocolFamily;")) {
                    return mv;
                }
                return new org.objectweb.asm.MethodVisitor(org.objectweb.asm.Opcodes.ASM9, mv) {
                    @Override
                    public void visitFieldInsn(int op, String owner, String n, String d) {
                        super.visitFieldInsn(op, owner, n.equals("UNSPEC") ? "UNSPEC_CHANGED" : n, d);
                    }
                };
            }
        });
        JdkRewriter.Result r = JdkRewrites.rewriteNet(changed, JdkRewriter.DEFAULT_SOCKET_METHODS);
        assertNull(r.bytes);
        assertTrue(r.reason.startsWith("expected [socket(") && r.reason.endsWith(
                "to call the same method with UNSPEC, and only that"), r.reason);
    }

    /**
     * The hooks class's {@code socket(family, flags)}, loaded under another name: the kind code its family marks in
     * bits 5-7 (JAVA_NET 1, ASYNCHRONOUS 3), nothing for any other family, through {@code SOCKET}.
     */
    @Test
    void theHooksClassMarksTheKindByFamily() throws Throwable {
        byte[] bytes = JdkRewrites.hooksClass();
        assertVerifies(bytes);
        Class<?> hooks = new ClassLoader(null) {
            Class<?> define() {
                return defineClass("sun.nio.ch.MptcpNioHooks", bytes, 0, bytes.length);
            }
        }.define();
        java.lang.invoke.MethodHandles.Lookup lookup = java.lang.invoke.MethodHandles.privateLookupIn(hooks,
                java.lang.invoke.MethodHandles.lookup());
        lookup.findStaticSetter(hooks, "SOCKET", java.util.function.IntUnaryOperator.class)
                .invoke((java.util.function.IntUnaryOperator) flags -> flags + 1000);
        lookup.findStaticSetter(hooks, "JAVA_NET_FAMILY", java.net.ProtocolFamily.class).invoke(Hooks.JAVA_NET_FAMILY);
        lookup.findStaticSetter(hooks, "ASYNCHRONOUS_FAMILY", java.net.ProtocolFamily.class)
                .invoke(Hooks.ASYNCHRONOUS_FAMILY);
        java.lang.invoke.MethodHandle socket = lookup.findStatic(hooks, "socket",
                java.lang.invoke.MethodType.methodType(int.class, java.net.ProtocolFamily.class, int.class));
        assertEquals(1000 + 0b1011 + (1 << 5), (int) socket.invoke(Hooks.JAVA_NET_FAMILY, 0b1011));
        assertEquals(1000 + 0b0110 + (3 << 5), (int) socket.invoke(Hooks.ASYNCHRONOUS_FAMILY, 0b0110));
        assertEquals(1000 + 0b0110, (int) socket.invoke(java.net.StandardProtocolFamily.INET6, 0b0110));
        assertEquals(1000 + 0b0010, (int) socket.invoke(null, 0b0010));
    }
}
