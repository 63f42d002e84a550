package io.github.mptcpnio.internal.agent;

import io.github.mptcpnio.internal.SocketKind;
import io.github.mptcpnio.internal.agent.JdkRewriter.Result;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import static io.github.mptcpnio.internal.agent.JdkRewriter.*;

/**
 * {@link JdkRewriter}'s rewriting with ASM, in a class of its own so that neither it nor ASM is loaded when every
 * class comes from the {@link ClassCache}. Each method checks the shape it expects and returns null bytes with the
 * reason when the shape differs.
 */
final class JdkRewrites {
    private JdkRewrites() {}

    /** {@code connect(ProtocolFamily, FileDescriptor, InetAddress, int)} and {@code bind(...)}: every TCP connect/bind. */
    private static final String ADDRESS_DESC = "(Ljava/net/ProtocolFamily;Ljava/io/FileDescriptor;Ljava/net/InetAddress;I)";

    private static final String IO_UTIL = "sun/nio/ch/IOUtil";

    private static final String SET_SOCKET_OPTION_DESC =
            "(Ljava/io/FileDescriptor;Ljava/net/ProtocolFamily;Ljava/net/SocketOption;Ljava/lang/Object;)V";

    /** The rewrite of one of {@link JdkRewriter}'s targets. */
    static Result rewrite(String className, byte[] bytes, String[] socketMethods) {
        switch (className) {
            case NET: return rewriteNet(bytes, socketMethods);
            case NIO_SOCKET_IMPL: return rewriteStreams(bytes, "sendUrgentData", SocketKind.JAVA_NET);
            case SOCKET_CHANNEL_IMPL: return rewriteStreams(bytes, "sendOutOfBandData", 0);
            case ASYNC_SOCKET_CHANNEL_IMPL:
            case ASYNC_SERVER_SOCKET_CHANNEL_IMPL:
                return rewriteKind(bytes, SocketKind.ASYNCHRONOUS);
            default: throw new IllegalArgumentException(className);
        }
    }

    // ---- sun.nio.ch.Net ----

    static Result rewriteNet(byte[] bytes, String[] socketMethods) {
        int[] counts = new int[4]; // socket0 calls replaced, option guards, connect guards, bind guards inserted
        byte[] rewritten = rewrite(bytes, new Methods() {
            @Override
            MethodVisitor wrap(MethodVisitor mv, String name, String desc) {
                for (String m : socketMethods) {
                    if (m.equals(name) && desc.startsWith("(Ljava/net/ProtocolFamily;")) {
                        return new Socket0Call(mv, counts);
                    }
                }
                if (name.equals("connect") && desc.equals(ADDRESS_DESC + "I")) {
                    counts[2]++;
                    return new DecisionGuard(mv, CONNECT);
                }
                if (name.equals("bind") && desc.equals(ADDRESS_DESC + "V")) {
                    counts[3]++;
                    return new DecisionGuard(mv, BIND);
                }
                if (name.equals("setSocketOption") && desc.equals(SET_SOCKET_OPTION_DESC)) {
                    counts[1]++;
                    return new OptionGuard(mv);
                }
                return mv;
            }
        });
        if (counts[0] != 2 || counts[1] != 1 || counts[2] != 1 || counts[3] != 1) {
            return new Result(null, "expected 2 calls of socket0 in socket/serverSocket(ProtocolFamily...), "
                    + "setSocketOption(FileDescriptor, ProtocolFamily, SocketOption, Object), "
                    + "connect(ProtocolFamily, FileDescriptor, InetAddress, int) and bind(the same); found "
                    + counts[0] + ", " + counts[1] + ", " + counts[2] + " and " + counts[3]);
        }
        return new Result(rewritten, null);
    }

    /** How one class's methods are rewritten: each method's visitor, given its name and descriptor. */
    abstract static class Methods {
        abstract MethodVisitor wrap(MethodVisitor mv, String name, String desc);
    }

    /** Runs {@code methods} over every method; the caller checks what they found before using the bytes. */
    static byte[] rewrite(byte[] bytes, Methods methods) {
        ClassReader reader = new ClassReader(bytes);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String signature,
                                             String[] exceptions) {
                return methods.wrap(super.visitMethod(access, name, desc, signature, exceptions), name, desc);
            }
        }, 0);
        return writer.toByteArray();
    }

    /** A method's rewriting around calls of {@code sun.nio.ch.Net}, counting what it rewrote into {@code counts}. */
    private abstract static class NetCall extends MethodVisitor {
        final int[] counts;

        NetCall(MethodVisitor mv, int[] counts) {
            super(Opcodes.ASM9, mv);
            this.counts = counts;
        }

        /** Whether the instruction is {@code invokestatic Net.<method><desc>}. */
        static boolean isNet(int opcode, String owner, String name, String desc, String method, String methodDesc) {
            return opcode == Opcodes.INVOKESTATIC && owner.equals(NET) && name.equals(method)
                    && desc.equals(methodDesc);
        }
    }

    /**
     * {@code socket0(a, b, c, d)} becomes
     * {@code flags = SOCKET.applyAsInt(a | b << 1 | c << 2 | d << 3); BORN.applyAsInt(flags, socket0(flags & 1,
     * flags >> 1 & 1, flags >> 2 & 1, flags >> 3 & 1))}: the JDK's own native call stays a direct call.
     */
    private static final class Socket0Call extends NetCall {
        Socket0Call(MethodVisitor mv, int[] counts) {
            super(mv, counts);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
            if (isNet(opcode, owner, name, desc, "socket0", "(ZZZZ)I")) {
                counts[0]++;
                // stack: a b c d
                super.visitInsn(Opcodes.ICONST_3);
                super.visitInsn(Opcodes.ISHL);          // a b c d<<3
                super.visitInsn(Opcodes.SWAP);          // a b d' c
                super.visitInsn(Opcodes.ICONST_2);
                super.visitInsn(Opcodes.ISHL);          // a b d' c<<2
                super.visitInsn(Opcodes.IOR);           // a b x
                super.visitInsn(Opcodes.SWAP);          // a x b
                super.visitInsn(Opcodes.ICONST_1);
                super.visitInsn(Opcodes.ISHL);          // a x b<<1
                super.visitInsn(Opcodes.IOR);           // a y
                super.visitInsn(Opcodes.IOR);           // flags
                super.visitFieldInsn(Opcodes.GETSTATIC, HOOKS, SOCKET, "L" + SOCKET_TYPE + ";");
                super.visitInsn(Opcodes.SWAP);          // hook flags
                super.visitMethodInsn(Opcodes.INVOKEINTERFACE, SOCKET_TYPE, "applyAsInt", "(I)I", true);
                super.visitInsn(Opcodes.DUP);           // F F
                for (int bit = 0; bit < 4; bit++) {    // F a ... F: the bit, below the flags, until the last
                    if (bit < 3) {
                        super.visitInsn(Opcodes.DUP);   // F ... F F
                    }
                    if (bit > 0) {
                        super.visitLdcInsn(bit);
                        super.visitInsn(Opcodes.ISHR);
                    }
                    super.visitInsn(Opcodes.ICONST_1);
                    super.visitInsn(Opcodes.IAND);      // F ... F bit (the last: F a b c d)
                    if (bit < 3) {
                        super.visitInsn(Opcodes.SWAP);  // F ... bit F
                    }
                }
                super.visitMethodInsn(opcode, owner, name, desc, itf); // F fd
                super.visitFieldInsn(Opcodes.GETSTATIC, HOOKS, BORN, "L" + BORN_TYPE + ";");
                super.visitInsn(Opcodes.DUP_X2);        // hook F fd hook
                super.visitInsn(Opcodes.POP);           // hook F fd
                super.visitMethodInsn(Opcodes.INVOKEINTERFACE, BORN_TYPE, "applyAsInt", "(II)I", true);
                return;
            }
            super.visitMethodInsn(opcode, owner, name, desc, itf);
        }
    }

    /**
     * At the start of {@code setSocketOption(fd, family, name, value)}:
     * {@code if (OPTION.test(fd, new Object[] {name, value})) return;}. The branch target is the method's first
     * original instruction, whose frame is the method's initial one: an {@code F_SAME} frame.
     */
    private static final class OptionGuard extends MethodVisitor {
        OptionGuard(MethodVisitor mv) {
            super(Opcodes.ASM9, mv);
        }

        @Override
        public void visitCode() {
            super.visitCode();
            Label original = new Label();
            super.visitFieldInsn(Opcodes.GETSTATIC, HOOKS, OPTION, "L" + OPTION_TYPE + ";");
            super.visitVarInsn(Opcodes.ALOAD, 0);
            pushPair(mv, 2, 3);
            super.visitMethodInsn(Opcodes.INVOKEINTERFACE, OPTION_TYPE, "test",
                    "(Ljava/lang/Object;Ljava/lang/Object;)Z", true);
            super.visitJumpInsn(Opcodes.IFEQ, original);
            super.visitInsn(Opcodes.RETURN);
            super.visitLabel(original);
            super.visitFrame(Opcodes.F_SAME, 0, null, 0, null);
        }
    }

    /** Pushes {@code new Object[] {<local a>, <local b>}}. */
    static void pushPair(MethodVisitor mv, int a, int b) {
        mv.visitInsn(Opcodes.ICONST_2);
        mv.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/Object");
        mv.visitInsn(Opcodes.DUP);
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitVarInsn(Opcodes.ALOAD, a);
        mv.visitInsn(Opcodes.AASTORE);
        mv.visitInsn(Opcodes.DUP);
        mv.visitInsn(Opcodes.ICONST_1);
        mv.visitVarInsn(Opcodes.ALOAD, b);
        mv.visitInsn(Opcodes.AASTORE);
    }

    /**
     * At the start of {@code connect(family, fd, address, port)} or {@code bind(...)}:
     * {@code <hook>.accept(address, (long) IOUtil.fdVal(fd) << 32 | port & 0xFFFFFFFFL)}, where the rules decide.
     * Straight-line code: no frame.
     */
    private static final class DecisionGuard extends MethodVisitor {
        private final String hook;

        DecisionGuard(MethodVisitor mv, String hook) {
            super(Opcodes.ASM9, mv);
            this.hook = hook;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            super.visitFieldInsn(Opcodes.GETSTATIC, HOOKS, hook, "L" + DECIDE_TYPE + ";");
            super.visitVarInsn(Opcodes.ALOAD, 2);
            super.visitVarInsn(Opcodes.ALOAD, 1);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, IO_UTIL, "fdVal", "(Ljava/io/FileDescriptor;)I", false);
            super.visitInsn(Opcodes.I2L);
            super.visitLdcInsn(32);
            super.visitInsn(Opcodes.LSHL);
            super.visitVarInsn(Opcodes.ILOAD, 3);
            super.visitInsn(Opcodes.I2L);
            super.visitLdcInsn(0xFFFFFFFFL);
            super.visitInsn(Opcodes.LAND);
            super.visitInsn(Opcodes.LOR);
            super.visitMethodInsn(Opcodes.INVOKEINTERFACE, DECIDE_TYPE, "accept", "(Ljava/lang/Object;J)V", true);
        }
    }

    // ---- NioSocketImpl and SocketChannelImpl: sendUrgentData / sendOutOfBandData, available ----

    /**
     * Rewrites the {@code sendOOB} calls of the method {@code urgentMethod} and the {@code Net.available} calls of
     * {@code available()}, and, for a {@code kindCode} other than 0, marks its socket creations with it; every other
     * method is copied as it is. All must be found, or the class is left alone.
     */
    static Result rewriteStreams(byte[] bytes, String urgentMethod, int kindCode) {
        int[] count = new int[3]; // sendOOB calls guarded, Net.available calls filtered, socket creations marked
        byte[] rewritten = rewrite(bytes, new Methods() {
            @Override
            MethodVisitor wrap(MethodVisitor mv, String name, String desc) {
                MethodVisitor v = kindCode != 0 ? new KindCall(mv, count, kindCode) : mv;
                if (name.equals(urgentMethod)) {
                    return new UrgentDataCall(v, count);
                }
                return name.equals("available") && desc.equals("()I") ? new AvailableCall(v, count) : v;
            }
        });
        if (count[0] == 0 || count[1] == 0 || (kindCode != 0 && count[2] == 0)) {
            return new Result(null, "expected calls of Net.sendOOB(FileDescriptor, byte) in " + urgentMethod
                    + ", of Net.available(FileDescriptor) in available()" + (kindCode != 0
                    ? " and of Net.socket/serverSocket" : "") + "; found " + count[0] + ", " + count[1]
                    + (kindCode != 0 ? " and " + count[2] : ""));
        }
        return new Result(rewritten, null);
    }

    /** Marks the {@code Net.socket}/{@code Net.serverSocket} calls of a class that creates sockets with its kind. */
    static Result rewriteKind(byte[] bytes, int kindCode) {
        int[] count = new int[3];
        byte[] rewritten = rewrite(bytes, new Methods() {
            @Override
            MethodVisitor wrap(MethodVisitor mv, String name, String desc) {
                return new KindCall(mv, count, kindCode);
            }
        });
        if (count[2] == 0) {
            return new Result(null, "no call of Net.socket or Net.serverSocket found");
        }
        return new Result(rewritten, null);
    }

    /** Before {@code Net.socket(...)} / {@code Net.serverSocket(...)}: {@code KIND.accept(kindCode)}. */
    private static final class KindCall extends NetCall {
        private final int kindCode;

        KindCall(MethodVisitor mv, int[] counts, int kindCode) {
            super(mv, counts);
            this.kindCode = kindCode;
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
            if (opcode == Opcodes.INVOKESTATIC && owner.equals(NET)
                    && (name.equals("socket") || name.equals("serverSocket"))
                    && desc.endsWith(")Ljava/io/FileDescriptor;")) {
                counts[2]++;
                super.visitFieldInsn(Opcodes.GETSTATIC, HOOKS, KIND, "L" + KIND_TYPE + ";");
                super.visitLdcInsn(kindCode);
                super.visitMethodInsn(Opcodes.INVOKEINTERFACE, KIND_TYPE, "accept", "(I)V", true);
            }
            super.visitMethodInsn(opcode, owner, name, desc, itf);
        }
    }

    /** {@code Net.available(fd)} becomes {@code AVAILABLE.applyAsInt(fd, Net.available(fd))}. */
    private static final class AvailableCall extends NetCall {
        AvailableCall(MethodVisitor mv, int[] counts) {
            super(mv, counts);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
            boolean available = isNet(opcode, owner, name, desc, "available", "(Ljava/io/FileDescriptor;)I");
            if (available) {
                super.visitInsn(Opcodes.DUP);           // fd fd
            }
            super.visitMethodInsn(opcode, owner, name, desc, itf);
            if (available) {
                counts[1]++;
                // stack: fd n
                super.visitFieldInsn(Opcodes.GETSTATIC, HOOKS, AVAILABLE, "L" + AVAILABLE_TYPE + ";");
                super.visitInsn(Opcodes.DUP_X2);        // hook fd n hook
                super.visitInsn(Opcodes.POP);           // hook fd n
                super.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Integer", "valueOf",
                        "(I)Ljava/lang/Integer;", false);
                super.visitMethodInsn(Opcodes.INVOKEINTERFACE, AVAILABLE_TYPE, "applyAsInt",
                        "(Ljava/lang/Object;Ljava/lang/Object;)I", true);
            }
        }
    }

    /** Before {@code Net.sendOOB(fd, b)}: {@code URGENT.accept(fd)}, which throws for an MPTCP socket. */
    private static final class UrgentDataCall extends NetCall {
        UrgentDataCall(MethodVisitor mv, int[] counts) {
            super(mv, counts);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
            if (isNet(opcode, owner, name, desc, "sendOOB", "(Ljava/io/FileDescriptor;B)I")) {
                counts[0]++;
                // stack: fd b
                super.visitInsn(Opcodes.SWAP);          // b fd
                super.visitInsn(Opcodes.DUP);           // b fd fd
                super.visitFieldInsn(Opcodes.GETSTATIC, HOOKS, URGENT, "L" + URGENT_TYPE + ";");
                super.visitInsn(Opcodes.SWAP);          // b fd hook fd
                super.visitMethodInsn(Opcodes.INVOKEINTERFACE, URGENT_TYPE, "accept", "(Ljava/lang/Object;)V",
                        true);                           // b fd
                super.visitInsn(Opcodes.SWAP);          // fd b
            }
            super.visitMethodInsn(opcode, owner, name, desc, itf);
        }
    }

    // ---- the hooks class ----

    /** {@code final class sun.nio.ch.MptcpNioHooks { static volatile IntUnaryOperator SOCKET; ... }}. */
    static byte[] hooksClass() {
        return hooksClass(HOOKS, false, HOOKS_FIELD_LIST.clone());
    }

    /**
     * A hooks class: {@code final class <internalName> { static volatile <type> <name>; ... }}, fields given as
     * pairs of name and internal type name; class and fields public if {@code open} (read from another package).
     */
    static byte[] hooksClass(String internalName, boolean open, String... fields) {
        int access = open ? Opcodes.ACC_PUBLIC : 0;
        ClassWriter cw = new ClassWriter(0);
        cw.visit(Opcodes.V11, access | Opcodes.ACC_FINAL | Opcodes.ACC_SUPER | Opcodes.ACC_SYNTHETIC, internalName,
                null, "java/lang/Object", null);
        for (int i = 0; i < fields.length; i += 2) {
            cw.visitField(access | Opcodes.ACC_STATIC | Opcodes.ACC_VOLATILE, fields[i], "L" + fields[i + 1] + ";",
                    null, null).visitEnd();
        }
        cw.visitEnd();
        return cw.toByteArray();
    }
}
