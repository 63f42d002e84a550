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

    /**
     * The rewrite of one of {@link JdkRewriter}'s targets; {@code markKinds} false rewrites a {@link JdkRewriter#MARKED}
     * class without its kind markers (or leaves it alone if they are all it would get).
     */
    static Result rewrite(String className, byte[] bytes, String[] socketMethods, boolean markKinds) {
        switch (className) {
            case NET: return rewriteNet(bytes, socketMethods);
            case NIO_SOCKET_IMPL: return rewriteStreams(bytes, "sendUrgentData", markKinds ? JAVA_NET_FAMILY : null);
            case SOCKET_CHANNEL_IMPL: return rewriteStreams(bytes, "sendOutOfBandData", null);
            case ASYNC_SOCKET_CHANNEL_IMPL:
            case ASYNC_SERVER_SOCKET_CHANNEL_IMPL:
                return markKinds ? rewriteKind(bytes, ASYNCHRONOUS_FAMILY)
                        : new Result(null, "sun.nio.ch.Net was not rewritten before it");
            default: throw new IllegalArgumentException(className);
        }
    }

    // ---- the wrappers of Net's socket methods, which the marked classes call ----

    private static final String FD = "Ljava/io/FileDescriptor;";
    private static final String PF = "Ljava/net/ProtocolFamily;";

    /**
     * One of {@code Net}'s wrappers that pass its {@code UNSPEC} on: {@code name desc} is
     * {@code getstatic UNSPEC; <args>; invokestatic name target; areturn}, where {@code <args>} is {@code iload 0}
     * ({@code boolean} argument), {@code iconst_1} or nothing. A marked class calls {@code target} itself with its
     * marker family instead.
     */
    private static final class Wrapper {
        static final int ARGUMENT = 0;
        static final int TRUE = 1;
        static final int NOTHING = 2;

        final String name;
        final String desc;
        final int args;
        final String target;

        Wrapper(String name, String desc, int args, String target) {
            this.name = name;
            this.desc = desc;
            this.args = args;
            this.target = target;
        }

        /** The wrapper named so, or null. */
        static Wrapper of(String name, String desc) {
            for (Wrapper w : WRAPPERS) {
                if (w.name.equals(name) && w.desc.equals(desc)) {
                    return w;
                }
            }
            return null;
        }
    }

    /** JDK 17-21 ({@code boolean stream}) and JDK 22+ (none: always a stream). */
    private static final Wrapper[] WRAPPERS = {
        new Wrapper("socket", "(Z)" + FD, Wrapper.ARGUMENT, "(" + PF + "Z)" + FD),
        new Wrapper("serverSocket", "(Z)" + FD, Wrapper.ARGUMENT, "(" + PF + "Z)" + FD),
        new Wrapper("socket", "()" + FD, Wrapper.TRUE, "(" + PF + "Z)" + FD),
        new Wrapper("serverSocket", "()" + FD, Wrapper.NOTHING, "(" + PF + ")" + FD),
    };

    /**
     * Reads a wrapper's code and, unless it is exactly the expected delegation, adds its name to {@code wrong}
     * (a class visitor's method visitor; the method itself is copied unchanged by the visitor it forwards to).
     */
    private static final class WrapperCheck extends MethodVisitor {
        private final Wrapper wrapper;
        private final java.util.List<String> wrong;
        private final StringBuilder seen = new StringBuilder();

        WrapperCheck(MethodVisitor mv, Wrapper wrapper, java.util.List<String> wrong) {
            super(Opcodes.ASM9, mv);
            this.wrapper = wrapper;
            this.wrong = wrong;
        }

        @Override
        public void visitFieldInsn(int opcode, String owner, String name, String desc) {
            seen.append(opcode).append(' ').append(owner).append('.').append(name).append(' ').append(desc).append(';');
            super.visitFieldInsn(opcode, owner, name, desc);
        }

        @Override
        public void visitVarInsn(int opcode, int var) {
            seen.append(opcode).append(' ').append(var).append(';');
            super.visitVarInsn(opcode, var);
        }

        @Override
        public void visitInsn(int opcode) {
            seen.append(opcode).append(';');
            super.visitInsn(opcode);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
            seen.append(opcode).append(' ').append(owner).append('.').append(name).append(desc).append(';');
            super.visitMethodInsn(opcode, owner, name, desc, itf);
        }

        @Override
        public void visitIntInsn(int opcode, int operand) {
            seen.append(opcode).append(' ').append(operand).append(";?");
            super.visitIntInsn(opcode, operand);
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            seen.append(opcode).append(";?");
            super.visitJumpInsn(opcode, label);
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            seen.append(opcode).append(";?");
            super.visitTypeInsn(opcode, type);
        }

        @Override
        public void visitLdcInsn(Object value) {
            seen.append("ldc;?");
            super.visitLdcInsn(value);
        }

        @Override
        public void visitIincInsn(int var, int increment) {
            seen.append("iinc;?");
            super.visitIincInsn(var, increment);
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String desc, org.objectweb.asm.Handle bootstrap,
                                           Object... arguments) {
            seen.append("indy;?");
            super.visitInvokeDynamicInsn(name, desc, bootstrap, arguments);
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
            seen.append("switch;?");
            super.visitTableSwitchInsn(min, max, dflt, labels);
        }

        @Override
        public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
            seen.append("switch;?");
            super.visitLookupSwitchInsn(dflt, keys, labels);
        }

        @Override
        public void visitMultiANewArrayInsn(String desc, int dims) {
            seen.append("multianewarray;?");
            super.visitMultiANewArrayInsn(desc, dims);
        }

        @Override
        public void visitEnd() {
            String expected = Opcodes.GETSTATIC + " " + NET + ".UNSPEC " + PF + ";"
                    + (wrapper.args == Wrapper.ARGUMENT ? Opcodes.ILOAD + " 0;"
                    : wrapper.args == Wrapper.TRUE ? Opcodes.ICONST_1 + ";" : "")
                    + Opcodes.INVOKESTATIC + " " + NET + "." + wrapper.name + wrapper.target + ";"
                    + Opcodes.ARETURN + ";";
            if (!seen.toString().equals(expected)) {
                wrong.add(wrapper.name + wrapper.desc);
            }
            super.visitEnd();
        }
    }

    // ---- sun.nio.ch.Net ----

    static Result rewriteNet(byte[] bytes, String[] socketMethods) {
        int[] counts = new int[4]; // socket0 calls replaced, option guards, connect guards, bind guards inserted
        java.util.List<String> wrong = new java.util.ArrayList<>(); // wrappers that do more than pass UNSPEC on
        byte[] rewritten = rewrite(bytes, new Methods() {
            @Override
            MethodVisitor wrap(MethodVisitor mv, String name, String desc) {
                Wrapper wrapper = Wrapper.of(name, desc);
                if (wrapper != null) {
                    return new WrapperCheck(mv, wrapper, wrong);
                }
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
        if (!wrong.isEmpty()) {
            return new Result(null, "expected " + wrong + " to call the same method with UNSPEC, and only that");
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
     * {@code socket0(a, b, c, d)} in {@code socket(family, ...)}/{@code serverSocket(family...)} becomes
     * {@code flags = MptcpNioHooks.socket(family, a | b << 1 | c << 2 | d << 3); BORN.applyAsInt(flags,
     * socket0(flags & 1, flags >> 1 & 1, flags >> 2 & 1, flags >> 3 & 1))}: the JDK's own native call stays a direct
     * call.
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
                super.visitVarInsn(Opcodes.ALOAD, 0);   // flags family
                super.visitInsn(Opcodes.SWAP);          // family flags
                super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, SOCKET_METHOD, SOCKET_METHOD_DESC, false);
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
     * {@code available()}, and, for a {@code family} other than null (a {@link JdkRewriter} field name), marks its
     * socket creations with it; every other method is copied as it is. All must be found, or the class is left alone.
     */
    static Result rewriteStreams(byte[] bytes, String urgentMethod, String family) {
        int[] count = new int[3]; // sendOOB calls guarded, Net.available calls filtered, socket creations marked
        byte[] rewritten = rewrite(bytes, new Methods() {
            @Override
            MethodVisitor wrap(MethodVisitor mv, String name, String desc) {
                MethodVisitor v = family != null ? new KindCall(mv, count, family) : mv;
                if (name.equals(urgentMethod)) {
                    return new UrgentDataCall(v, count);
                }
                return name.equals("available") && desc.equals("()I") ? new AvailableCall(v, count) : v;
            }
        });
        if (count[0] == 0 || count[1] == 0 || (family != null && count[2] == 0)) {
            return new Result(null, "expected calls of Net.sendOOB(FileDescriptor, byte) in " + urgentMethod
                    + ", of Net.available(FileDescriptor) in available()" + (family != null
                    ? " and of Net.socket/serverSocket(boolean) or ()" : "") + "; found " + count[0] + ", "
                    + count[1] + (family != null ? " and " + count[2] : ""));
        }
        return new Result(rewritten, null);
    }

    /** Marks the {@code Net.socket}/{@code Net.serverSocket} calls of a class that creates sockets with its family. */
    static Result rewriteKind(byte[] bytes, String family) {
        int[] count = new int[3];
        byte[] rewritten = rewrite(bytes, new Methods() {
            @Override
            MethodVisitor wrap(MethodVisitor mv, String name, String desc) {
                return new KindCall(mv, count, family);
            }
        });
        if (count[2] == 0) {
            return new Result(null, "no call of Net.socket/serverSocket(boolean) or () found");
        }
        return new Result(rewritten, null);
    }

    /**
     * A call of one of {@code Net}'s {@link Wrapper}s becomes a call of the method it wraps, with the hooks class's
     * marker {@code family} where the wrapper passes {@code UNSPEC}: {@code Net.socket(stream)} becomes
     * {@code Net.socket(MptcpNioHooks.JAVA_NET_FAMILY, stream)}. No call is added.
     */
    private static final class KindCall extends NetCall {
        private final String family;

        KindCall(MethodVisitor mv, int[] counts, String family) {
            super(mv, counts);
            this.family = family;
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
            Wrapper wrapper = opcode == Opcodes.INVOKESTATIC && owner.equals(NET) ? Wrapper.of(name, desc) : null;
            if (wrapper == null) {
                super.visitMethodInsn(opcode, owner, name, desc, itf);
                return;
            }
            counts[2]++;
            super.visitFieldInsn(Opcodes.GETSTATIC, HOOKS, family, "L" + FAMILY_TYPE + ";");
            if (wrapper.args == Wrapper.ARGUMENT) {
                super.visitInsn(Opcodes.SWAP);           // family stream
            } else if (wrapper.args == Wrapper.TRUE) {
                super.visitInsn(Opcodes.ICONST_1);       // family true
            }
            super.visitMethodInsn(opcode, owner, name, wrapper.target, itf);
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

    /**
     * {@code final class sun.nio.ch.MptcpNioHooks { static volatile IntUnaryOperator SOCKET; ...}} with
     * <pre>{@code
     * static int socket(ProtocolFamily family, int flags) {
     *     return SOCKET.applyAsInt(family == JAVA_NET_FAMILY ? flags | SocketKind.JAVA_NET << 5
     *             : family == ASYNCHRONOUS_FAMILY ? flags | SocketKind.ASYNCHRONOUS << 5 : flags);
     * }
     * }</pre>
     */
    static byte[] hooksClass() {
        ClassWriter cw = hooksClassWriter(HOOKS, false, HOOKS_FIELD_LIST.clone());
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_STATIC, SOCKET_METHOD, SOCKET_METHOD_DESC, null, null);
        mv.visitCode();
        Label notJavaNet = new Label();
        Label done = new Label();
        mv.visitFieldInsn(Opcodes.GETSTATIC, HOOKS, SOCKET, "L" + SOCKET_TYPE + ";");
        mv.visitVarInsn(Opcodes.ILOAD, 1);                  // hook flags
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitFieldInsn(Opcodes.GETSTATIC, HOOKS, JAVA_NET_FAMILY, "L" + FAMILY_TYPE + ";");
        mv.visitJumpInsn(Opcodes.IF_ACMPNE, notJavaNet);
        mv.visitIntInsn(Opcodes.BIPUSH, SocketKind.JAVA_NET << KIND_CODE_SHIFT);
        mv.visitInsn(Opcodes.IOR);
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(notJavaNet);
        mv.visitFrame(Opcodes.F_FULL, 2, new Object[] {FAMILY_TYPE, Opcodes.INTEGER}, 2,
                new Object[] {SOCKET_TYPE, Opcodes.INTEGER});
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitFieldInsn(Opcodes.GETSTATIC, HOOKS, ASYNCHRONOUS_FAMILY, "L" + FAMILY_TYPE + ";");
        mv.visitJumpInsn(Opcodes.IF_ACMPNE, done);
        mv.visitIntInsn(Opcodes.BIPUSH, SocketKind.ASYNCHRONOUS << KIND_CODE_SHIFT);
        mv.visitInsn(Opcodes.IOR);
        mv.visitLabel(done);
        mv.visitFrame(Opcodes.F_FULL, 2, new Object[] {FAMILY_TYPE, Opcodes.INTEGER}, 2,
                new Object[] {SOCKET_TYPE, Opcodes.INTEGER});
        mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, SOCKET_TYPE, "applyAsInt", "(I)I", true);
        mv.visitInsn(Opcodes.IRETURN);
        mv.visitMaxs(4, 2);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    /**
     * A hooks class: {@code final class <internalName> { static volatile <type> <name>; ... }}, fields given as
     * pairs of name and internal type name; class and fields public if {@code open} (read from another package).
     */
    static byte[] hooksClass(String internalName, boolean open, String... fields) {
        ClassWriter cw = hooksClassWriter(internalName, open, fields);
        cw.visitEnd();
        return cw.toByteArray();
    }

    private static ClassWriter hooksClassWriter(String internalName, boolean open, String... fields) {
        int access = open ? Opcodes.ACC_PUBLIC : 0;
        ClassWriter cw = new ClassWriter(0);
        cw.visit(Opcodes.V11, access | Opcodes.ACC_FINAL | Opcodes.ACC_SUPER | Opcodes.ACC_SYNTHETIC, internalName,
                null, "java/lang/Object", null);
        for (int i = 0; i < fields.length; i += 2) {
            cw.visitField(access | Opcodes.ACC_STATIC | Opcodes.ACC_VOLATILE, fields[i], "L" + fields[i + 1] + ";",
                    null, null).visitEnd();
        }
        return cw;
    }
}
