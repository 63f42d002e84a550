package io.github.mptcpnio.internal.agent;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import static io.github.mptcpnio.internal.agent.NettyRewriterTest.instructions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

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
        List<String> born = List.of(HOOKS + ".SOCKET Ljava/util/function/IntUnaryOperator;",
                "java/util/function/IntUnaryOperator.applyAsInt (I)I", "sun/nio/ch/Net.socket0 (ZZZZ)I",
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
        java.io.StringWriter problems = new java.io.StringWriter();
        org.objectweb.asm.util.CheckClassAdapter.verify(new ClassReader(r.bytes), getClass().getClassLoader(), false,
                new java.io.PrintWriter(problems));
        assertEquals("", problems.toString(), "the verifier's findings");
    }
}
