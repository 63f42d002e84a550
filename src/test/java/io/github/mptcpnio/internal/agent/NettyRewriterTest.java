package io.github.mptcpnio.internal.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rewriting of Netty's classes on the real class files: Netty 4.2 and its relocated copy inside
 * {@code grpc-netty-shaded} (test class path), Netty 4.1 (target/netty-4.1); and a class of the same name and another
 * shape, which is left alone. That the rewritten classes load, verify and work is {@code NativeTransportsIT}'s part.
 */
class NettyRewriterTest {
    static final String NETTY = "io/netty/channel/unix/Socket";
    static final String SHADED = "io/grpc/netty/shaded/io/netty/channel/unix/Socket";

    static byte[] fromClassPath(String internalName) throws IOException {
        try (InputStream in = ClassLoader.getSystemResourceAsStream(internalName + ".class")) {
            assertNotNull(in, internalName + " is not on the test class path");
            return in.readAllBytes();
        }
    }

    static byte[] fromNetty41(String jarFragment, String internalName) throws IOException {
        Path dir = Path.of("target", "netty-4.1");
        try (var jars = Files.list(dir)) {
            Path jar = jars.filter(p -> p.getFileName().toString().startsWith(jarFragment)).findFirst().orElseThrow();
            try (JarFile f = new JarFile(jar.toFile()); InputStream in = f.getInputStream(f.getEntry(internalName
                    + ".class"))) {
                return in.readAllBytes();
            }
        }
    }

    /** "owner.name desc" of every call in {@code method}, and every static field read, in order. */
    static List<String> instructions(byte[] bytes, String method, String desc) {
        List<String> out = new ArrayList<>();
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String d, String sig, String[] ex) {
                if (!name.equals(method) || !d.equals(desc)) {
                    return null;
                }
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int op, String owner, String n, String md, boolean itf) {
                        out.add(owner + "." + n + " " + md);
                    }

                    @Override
                    public void visitFieldInsn(int op, String owner, String n, String fd) {
                        out.add(owner + "." + n + " " + fd);
                    }
                };
            }
        }, 0);
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {NETTY, SHADED})
    void theSocketCreationCallGoesThroughTheHook(String socket) throws IOException {
        byte[] original = fromClassPath(socket);
        assertTrue(instructions(original, "newSocketStream0", "(Z)I").contains(socket + ".newSocketStreamFd (Z)I"));
        byte[] rewritten = NettyRewriter.rewriteSocket(original, socket);
        assertNotNull(rewritten);
        List<String> calls = instructions(rewritten, "newSocketStream0", "(Z)I");
        String hooks = socket.substring(0, socket.lastIndexOf('/') + 1) + "MptcpNioHooks";
        // Netty's own native call stays, directly, between the two hooks
        assertEquals(List.of(hooks + ".STREAM Ljava/util/function/IntUnaryOperator;",
                "java/util/function/IntUnaryOperator.applyAsInt (I)I", socket + ".newSocketStreamFd (Z)I",
                hooks + ".STREAM_BORN Ljava/util/function/IntBinaryOperator;",
                "java/util/function/IntBinaryOperator.applyAsInt (II)I"), calls.subList(0, 5));
        assertEquals(1, calls.stream().filter(c -> c.contains("newSocketStreamFd")).count(), calls::toString);
        // the datagram and domain sockets are not touched
        assertEquals(instructions(original, "newSocketDgram0", "(Z)I"),
                instructions(rewritten, "newSocketDgram0", "(Z)I"));
        assertEquals(instructions(original, "newSocketDomain0", "()I"), instructions(rewritten, "newSocketDomain0",
                "()I"));
    }

    /**
     * The entries of {@code connect(SocketAddress)}, {@code bind(SocketAddress)} and the three {@code sendTo*} of a TCP
     * Fast Open client go through the decision hooks, and the rewritten class passes ASM's verifier (types, frames).
     */
    @ParameterizedTest
    @ValueSource(strings = {NETTY, SHADED})
    void connectBindAndFastOpenSendsAreDecided(String socket) throws IOException {
        byte[] rewritten = NettyRewriter.rewriteDecisions(NettyRewriter.rewriteSocket(fromClassPath(socket), socket),
                socket);
        assertNotNull(rewritten);
        String hooks = socket.substring(0, socket.lastIndexOf('/') + 1) + "MptcpNioHooks";
        String decide = "java/util/function/ObjIntConsumer.accept (Ljava/lang/Object;I)V";
        assertEquals(List.of(hooks + ".CONNECT Ljava/util/function/ObjIntConsumer;", socket + ".intValue ()I", decide),
                instructions(rewritten, "connect", "(Ljava/net/SocketAddress;)Z").subList(0, 3));
        assertEquals(List.of(hooks + ".BIND Ljava/util/function/ObjIntConsumer;", socket + ".intValue ()I", decide),
                instructions(rewritten, "bind", "(Ljava/net/SocketAddress;)V").subList(0, 3));
        for (String[] send : new String[][] {{"sendTo", "(Ljava/nio/ByteBuffer;IILjava/net/InetAddress;IZ)I"},
            {"sendToAddress", "(JIILjava/net/InetAddress;IZ)I"}, {"sendToAddresses", "(JILjava/net/InetAddress;IZ)I"}}) {
            assertEquals(List.of(hooks + ".CONNECT Ljava/util/function/ObjIntConsumer;",
                    "java/net/InetSocketAddress.<init> (Ljava/net/InetAddress;I)V", socket + ".intValue ()I", decide),
                    instructions(rewritten, send[0], send[1]).subList(0, 4), send[0]);
        }
        java.io.StringWriter problems = new java.io.StringWriter();
        org.objectweb.asm.util.CheckClassAdapter.verify(new ClassReader(rewritten), getClass().getClassLoader(), false,
                new java.io.PrintWriter(problems));
        assertEquals("", problems.toString(), "the verifier's findings");
    }

    @Test
    void netty41HasTheSameShape() throws IOException {
        byte[] socket41 = fromNetty41("netty-transport-native-unix-common", NETTY);
        assertNotNull(NettyRewriter.rewriteDecisions(NettyRewriter.rewriteSocket(socket41, NETTY), NETTY));
        assertNotNull(NettyRewriter.rewriteSocket(fromNetty41("netty-transport-native-unix-common", NETTY), NETTY));
        String linux = "io/netty/channel/epoll/LinuxSocket";
        assertNotNull(NettyRewriter.rewriteUserTimeout(fromNetty41("netty-transport-classes-epoll", linux), linux,
                "io/netty/channel/unix/MptcpNioHooks"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"io/netty/channel/epoll/LinuxSocket", "io/netty/channel/uring/LinuxSocket",
        "io/grpc/netty/shaded/io/netty/channel/epoll/LinuxSocket"})
    void theUserTimeoutCallGoesThroughTheHook(String linuxSocket) throws IOException {
        byte[] original = fromClassPath(linuxSocket);
        String hooks = linuxSocket.substring(0, linuxSocket.indexOf("/channel/")) + "/channel/unix/MptcpNioHooks";
        byte[] rewritten = NettyRewriter.rewriteUserTimeout(original, linuxSocket, hooks);
        assertNotNull(rewritten);
        List<String> calls = instructions(rewritten, "setTcpUserTimeout", "(I)V");
        assertTrue(calls.contains(hooks + ".USER_TIMEOUT Ljava/util/function/IntBinaryOperator;"), calls::toString);
        assertTrue(calls.contains("java/util/function/IntBinaryOperator.applyAsInt (II)I"), calls::toString);
        assertTrue(calls.stream().noneMatch(c -> c.endsWith(".setTcpUserTimeout (II)V")), calls::toString);
    }

    /** A class named like Netty's Socket without the native call: left alone (null), which the agent warns about. */
    @Test
    void anotherShapeIsLeftAlone() throws IOException {
        assertNull(NettyRewriter.rewriteSocket(fromClassPath("fake/channel/unix/Socket"), "fake/channel/unix/Socket"));
        assertNull(NettyRewriter.rewriteUserTimeout(fromClassPath(NETTY), NETTY, "x/MptcpNioHooks"));
    }
}
