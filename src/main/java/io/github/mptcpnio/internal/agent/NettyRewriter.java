package io.github.mptcpnio.internal.agent;

import io.github.mptcpnio.internal.agent.Hooks;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.SocketException;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.Set;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.ObjIntConsumer;

/**
 * The agent's rewriting of Netty's native transports (epoll, io_uring, their relocated copies such as the one inside
 * {@code grpc-netty-shaded}): every class whose name ends in {@code channel/unix/Socket}, in any class loader, as it
 * loads. Netty names no class of ours and we name none of Netty's: the library has no Netty dependency.
 *
 * <p>Netty creates every TCP socket of its native transports, listeners and clients, in one place: the native
 * {@code newSocketStreamFd(boolean ipv6)}, called once, from {@code newSocketStream0(boolean)} (4.1 and 4.2 alike). That
 * call is framed by two hooks, {@code STREAM_BORN.applyAsInt(flags = STREAM.applyAsInt(ipv6), newSocketStreamFd(flags
 * & 1))}, static fields of a tiny class defined at run time in the same package ({@code <package>.MptcpNioHooks}, in
 * Netty's class loader), which the agent sets before the rewritten class exists: Netty's own native call creates the
 * socket, directly as without the agent, and {@link Hooks#nettyBorn} records it for the rules.
 *
 * <p>A class of that name with another shape (a Netty we have not seen, or an unrelated class) is left untouched,
 * and one WARNING names it and the jar it came from.
 */
final class NettyRewriter implements ClassFileTransformer {
    /**
     * What the agent registers: the name filter alone, which loads {@link NettyRewriter} (and ASM, which its verification
     * loads) only when a class of Netty's native transports appears: most JVMs have none, and every one starts.
     */
    static final class Filter implements ClassFileTransformer {
        private final Hooks policy;
        private final Instrumentation inst;
        private volatile ClassFileTransformer rewriter;

        Filter(Hooks policy, Instrumentation inst) {
            this.policy = policy;
            this.inst = inst;
        }

        @Override
        public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                                ProtectionDomain domain, byte[] bytes) throws java.lang.instrument.IllegalClassFormatException {
            if (loader == null || className == null || redefined != null || !(className.endsWith(SUFFIX)
                    || className.endsWith(LINUX_SOCKET) || className.endsWith(IO_URING_CHANNEL)
                    || className.endsWith(EPOLL_NATIVE))) {
                return null;
            }
            ClassFileTransformer r = rewriter;
            if (r == null) {
                synchronized (this) {
                    r = rewriter;
                    if (r == null) {
                        r = new NettyRewriter(policy, inst);
                        rewriter = r;
                    }
                }
            }
            return r.transform(module, loader, className, redefined, domain, bytes);
        }
    }

    static final String SUFFIX = "/channel/unix/Socket";
    static final String STREAM = "STREAM";
    static final String STREAM_TYPE = "java/util/function/IntUnaryOperator";
    static final String STREAM_BORN = "STREAM_BORN";
    static final String STREAM_BORN_TYPE = "java/util/function/IntBinaryOperator";
    static final String USER_TIMEOUT = "USER_TIMEOUT";
    static final String USER_TIMEOUT_TYPE = "java/util/function/IntBinaryOperator";
    static final String LINUX_SOCKET = "/LinuxSocket";
    static final String HOOKS_SIMPLE_NAME = "MptcpNioHooks";
    static final String CONNECT = "CONNECT";
    static final String BIND = "BIND";
    static final String DECIDE_TYPE = "java/util/function/ObjIntConsumer";
    static final String IO_URING_CHANNEL = "/channel/uring/AbstractIoUringChannel";
    static final String EPOLL_NATIVE = "/channel/epoll/Native";
    static final String EPOLL = "EPOLL";
    static final String EPOLL_TYPE = "java/util/function/LongBinaryOperator";

    private final Hooks policy;
    private final Instrumentation inst;

    NettyRewriter(Hooks policy, Instrumentation inst) {
        this.policy = policy;
        this.inst = inst;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain domain, byte[] bytes) {
        if (loader == null || className == null || redefined != null) {
            return null;
        }
        if (className.endsWith(LINUX_SOCKET)) {
            return rewriteLinuxSocket(module, loader, className, domain, bytes);
        }
        if (className.endsWith(IO_URING_CHANNEL)) {
            return rewriteIoUringChannel(loader, className, domain, bytes);
        }
        if (className.endsWith(EPOLL_NATIVE)) {
            return rewriteEpollNative(loader, className, domain, bytes);
        }
        if (!className.endsWith(SUFFIX)) {
            return null;
        }
        String where = className.replace('/', '.') + " in " + origin(domain);
        try {
            byte[] rewritten = rewriteSocket(bytes, className);
            rewritten = rewritten == null ? null : rewriteDecisions(rewritten, className);
            if (rewritten == null) {
                return notRewritten(where, "expected one call of the native newSocketStreamFd(boolean) in "
                        + "newSocketStream0(boolean), connect(SocketAddress) and bind(SocketAddress), as in Netty 4.1 "
                        + "and 4.2", true);
            }
            String unix = className.substring(0, className.lastIndexOf('/'));
            String superName = new ClassReader(bytes).getSuperName();
            ensureHooks(loader, unix, String.valueOf(superName), className.replace('/', '.'));
            return rewritten;
        } catch (Throwable t) { // ASM cannot read it, or the hooks cannot be defined: leave the class alone
            return notRewritten(where, t.toString(), true);
        }
    }

    private byte[] notRewritten(String where, String why, boolean sockets) {
        policy.warnSoon("mptcp-nio agent: " + where + " not rewritten (" + why + ")" + (sockets ? "; the sockets of "
                + "this copy of Netty's native transports stay plain TCP" : ""));
        return null;
    }

    /** The jar (or directory) a class came from, whose name usually carries the version. */
    private static String origin(ProtectionDomain domain) {
        CodeSource source = domain == null ? null : domain.getCodeSource();
        if (source == null || source.getLocation() == null) {
            return "an unknown location";
        }
        String path = source.getLocation().getPath();
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The class with its one {@code newSocketStreamFd(Z)I} call replaced; null if it does not have that shape. */
    static byte[] rewriteSocket(byte[] bytes, String className) {
        String hooks = className.substring(0, className.lastIndexOf('/') + 1) + HOOKS_SIMPLE_NAME;
        return replaceOneCall(bytes, className, "newSocketStream0", "(Z)I", "newSocketStreamFd", "(Z)I",
                new Replacement() {
                    @Override
                    void emit(MethodVisitor mv) {
                        // stack: ipv6 (a boolean is an int on the stack)
                        mv.visitFieldInsn(Opcodes.GETSTATIC, hooks, STREAM, "L" + STREAM_TYPE + ";");
                        mv.visitInsn(Opcodes.SWAP);
                        mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, STREAM_TYPE, "applyAsInt", "(I)I", true);
                        mv.visitInsn(Opcodes.DUP);       // F F
                        mv.visitInsn(Opcodes.ICONST_1);
                        mv.visitInsn(Opcodes.IAND);      // F ipv6
                        mv.visitMethodInsn(Opcodes.INVOKESTATIC, className, "newSocketStreamFd", "(Z)I", false);
                        mv.visitFieldInsn(Opcodes.GETSTATIC, hooks, STREAM_BORN, "L" + STREAM_BORN_TYPE + ";");
                        mv.visitInsn(Opcodes.DUP_X2);    // hook F fd hook
                        mv.visitInsn(Opcodes.POP);       // hook F fd
                        mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, STREAM_BORN_TYPE, "applyAsInt", "(II)I", true);
                    }
                });
    }

    /**
     * At the start of {@code connect(SocketAddress)} and {@code bind(SocketAddress)}: {@code CONNECT.accept(address,
     * intValue())} (likewise {@code BIND}), where the rules decide. Null unless both methods are there.
     */
    static byte[] rewriteDecisions(byte[] bytes, String className) {
        String hooks = className.substring(0, className.lastIndexOf('/') + 1) + HOOKS_SIMPLE_NAME;
        int[] count = new int[2];
        byte[] rewritten = JdkRewrites.rewrite(bytes, new JdkRewrites.Methods() {
            @Override
            MethodVisitor wrap(MethodVisitor mv, String name, String desc) {
                boolean connect = name.equals("connect") && desc.equals("(Ljava/net/SocketAddress;)Z");
                boolean bind = name.equals("bind") && desc.equals("(Ljava/net/SocketAddress;)V");
                if (name.startsWith("sendTo") && desc.endsWith("Ljava/net/InetAddress;IZ)I")) {
                    return new FastOpenGuard(mv, hooks, className, desc);
                }
                if (!connect && !bind) {
                    return mv;
                }
                count[connect ? 0 : 1]++;
                return new EntryGuard(mv, hooks, connect ? CONNECT : BIND) {
                    @Override
                    void pushFd(MethodVisitor v) {
                        v.visitVarInsn(Opcodes.ALOAD, 0);
                        v.visitMethodInsn(Opcodes.INVOKEVIRTUAL, className, "intValue", "()I", false);
                    }
                };
            }
        });
        return count[0] == 1 && count[1] == 1 ? rewritten : null;
    }

    /**
     * At the start of {@code sendTo*(..., InetAddress address, int port, boolean fastOpen)}: a TCP Fast Open client
     * connects by its first send ({@code MSG_FASTOPEN}), not through {@code connect}, so
     * {@code if (fastOpen) CONNECT.accept(new InetSocketAddress(address, port), intValue())}. The branch target is the
     * method's first original instruction, whose frame is the method's initial one: {@code F_SAME}.
     */
    private static final class FastOpenGuard extends MethodVisitor {
        private final String hooks;
        private final String className;
        private final int addressSlot;

        FastOpenGuard(MethodVisitor mv, String hooks, String className, String desc) {
            super(Opcodes.ASM9, mv);
            this.hooks = hooks;
            this.className = className;
            int slot = 1;
            org.objectweb.asm.Type[] args = org.objectweb.asm.Type.getArgumentTypes(desc);
            for (int i = 0; i < args.length - 3; i++) {
                slot += args[i].getSize();
            }
            this.addressSlot = slot;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            org.objectweb.asm.Label original = new org.objectweb.asm.Label();
            super.visitVarInsn(Opcodes.ILOAD, addressSlot + 2); // fastOpen
            super.visitJumpInsn(Opcodes.IFEQ, original);
            super.visitFieldInsn(Opcodes.GETSTATIC, hooks, CONNECT, "L" + DECIDE_TYPE + ";");
            super.visitTypeInsn(Opcodes.NEW, "java/net/InetSocketAddress");
            super.visitInsn(Opcodes.DUP);
            super.visitVarInsn(Opcodes.ALOAD, addressSlot);
            super.visitVarInsn(Opcodes.ILOAD, addressSlot + 1);
            super.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/net/InetSocketAddress", "<init>",
                    "(Ljava/net/InetAddress;I)V", false);
            super.visitVarInsn(Opcodes.ALOAD, 0);
            super.visitMethodInsn(Opcodes.INVOKEVIRTUAL, className, "intValue", "()I", false);
            super.visitMethodInsn(Opcodes.INVOKEINTERFACE, DECIDE_TYPE, "accept", "(Ljava/lang/Object;I)V", true);
            super.visitLabel(original);
            super.visitFrame(Opcodes.F_SAME, 0, null, 0, null);
        }
    }

    /** At a method's start: {@code <hooks>.<field>.accept(<argument 1>, <fd>)}. Straight-line code: no frame. */
    private abstract static class EntryGuard extends MethodVisitor {
        private final String hooks;
        private final String field;

        EntryGuard(MethodVisitor mv, String hooks, String field) {
            super(Opcodes.ASM9, mv);
            this.hooks = hooks;
            this.field = field;
        }

        abstract void pushFd(MethodVisitor v);

        @Override
        public void visitCode() {
            super.visitCode();
            super.visitFieldInsn(Opcodes.GETSTATIC, hooks, field, "L" + DECIDE_TYPE + ";");
            super.visitVarInsn(Opcodes.ALOAD, 1);
            pushFd(mv);
            super.visitMethodInsn(Opcodes.INVOKEINTERFACE, DECIDE_TYPE, "accept", "(Ljava/lang/Object;I)V", true);
        }
    }

    /**
     * io_uring connects through its ring, not through {@code Socket.connect}: its
     * {@code AbstractIoUringChannel.submitConnect(InetSocketAddress)} gets the same guard, the descriptor from its
     * {@code fd()}. The copy's hooks class is defined here if its {@code Socket} has not been loaded yet.
     */
    private byte[] rewriteIoUringChannel(ClassLoader loader, String className, ProtectionDomain domain,
                                         byte[] bytes) {
        String where = className.replace('/', '.') + " in " + origin(domain);
        try {
            String root = className.substring(0, className.length() - IO_URING_CHANNEL.length());
            String unix = root + "/channel/unix";
            String fdDesc = "()L" + unix + "/FileDescriptor;";
            int[] count = new int[2];
            new ClassReader(bytes).accept(new org.objectweb.asm.ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                    if (name.equals("fd") && desc.equals(fdDesc)) {
                        count[0]++;
                    }
                    return null;
                }
            }, ClassReader.SKIP_CODE);
            byte[] rewritten = JdkRewrites.rewrite(bytes, new JdkRewrites.Methods() {
                @Override
                MethodVisitor wrap(MethodVisitor mv, String name, String desc) {
                    if (!name.equals("submitConnect") || !desc.equals("(Ljava/net/InetSocketAddress;)V")) {
                        return mv;
                    }
                    count[1]++;
                    return new EntryGuard(mv, unix + "/" + HOOKS_SIMPLE_NAME, CONNECT) {
                        @Override
                        void pushFd(MethodVisitor v) {
                            v.visitVarInsn(Opcodes.ALOAD, 0);
                            v.visitMethodInsn(Opcodes.INVOKEVIRTUAL, className, "fd", fdDesc, false);
                            v.visitMethodInsn(Opcodes.INVOKEVIRTUAL, unix + "/FileDescriptor", "intValue", "()I",
                                    false);
                        }
                    };
                }
            });
            if (count[0] != 1 || count[1] != 1) {
                return notRewritten(where, "expected fd() and submitConnect(InetSocketAddress), as in Netty 4.2; "
                        + "io_uring clients stay plain TCP", false);
            }
            ensureHooks(loader, unix, unix + "/FileDescriptor", unix.replace('/', '.') + ".Socket");
            return rewritten;
        } catch (Throwable t) {
            return notRewritten(where, t.toString(), false);
        }
    }

    /**
     * Netty's epoll transport registers a socket with its epoll instance before the socket connects or binds, where
     * the rules may switch it to MPTCP; the switch closes the socket's old file, which drops the registration. The
     * entries of {@code epoll.Native.epollCtlAdd(efd, fd, events)} and {@code epollCtlMod} therefore tell
     * {@code EPOLL.applyAsLong((long) efd << 32 | fd, events)}, so that the registration is made again after a switch.
     */
    private byte[] rewriteEpollNative(ClassLoader loader, String className, ProtectionDomain domain, byte[] bytes) {
        String where = className.replace('/', '.') + " in " + origin(domain);
        try {
            String root = className.substring(0, className.length() - EPOLL_NATIVE.length());
            String unix = root + "/channel/unix";
            String hooks = unix + "/" + HOOKS_SIMPLE_NAME;
            int[] count = new int[1];
            byte[] rewritten = JdkRewrites.rewrite(bytes, new JdkRewrites.Methods() {
                @Override
                MethodVisitor wrap(MethodVisitor mv, String name, String desc) {
                    if (!(name.equals("epollCtlAdd") || name.equals("epollCtlMod")) || !desc.equals("(III)V")) {
                        return mv;
                    }
                    count[0]++;
                    return new MethodVisitor(Opcodes.ASM9, mv) {
                        @Override
                        public void visitCode() {
                            super.visitCode();
                            super.visitFieldInsn(Opcodes.GETSTATIC, hooks, EPOLL, "L" + EPOLL_TYPE + ";");
                            super.visitVarInsn(Opcodes.ILOAD, 0);    // efd
                            super.visitInsn(Opcodes.I2L);
                            super.visitIntInsn(Opcodes.BIPUSH, 32);
                            super.visitInsn(Opcodes.LSHL);
                            super.visitVarInsn(Opcodes.ILOAD, 1);    // fd
                            super.visitInsn(Opcodes.I2L);
                            super.visitLdcInsn(0xffffffffL);
                            super.visitInsn(Opcodes.LAND);
                            super.visitInsn(Opcodes.LOR);
                            super.visitVarInsn(Opcodes.ILOAD, 2);    // events
                            super.visitInsn(Opcodes.I2L);
                            super.visitMethodInsn(Opcodes.INVOKEINTERFACE, EPOLL_TYPE, "applyAsLong", "(JJ)J", true);
                            super.visitInsn(Opcodes.POP2);
                        }
                    };
                }
            });
            if (count[0] != 2) {
                return notRewritten(where, "expected epollCtlAdd(int, int, int) and epollCtlMod(int, int, int), as in "
                        + "Netty 4.1 and 4.2; epoll sockets stay plain TCP where a rule would switch them", false);
            }
            ensureHooks(loader, unix, unix + "/FileDescriptor", unix.replace('/', '.') + ".Socket");
            return rewritten;
        } catch (Throwable t) {
            return notRewritten(where, t.toString(), false);
        }
    }

    /** What a replaced call becomes: straight-line code with the call's stack effect. */
    private abstract static class Replacement {
        abstract void emit(MethodVisitor mv);
    }

    /**
     * The class with the one {@code invokestatic <className>.<callee><calleeDesc>} of method {@code <method><desc>}
     * replaced; null unless there is exactly one such call there and none elsewhere.
     */
    private static byte[] replaceOneCall(byte[] bytes, String className, String method, String desc, String callee,
                                         String calleeDesc, Replacement replacement) {
        int[] count = new int[2]; // calls replaced, calls elsewhere
        byte[] rewritten = JdkRewrites.rewrite(bytes, new JdkRewrites.Methods() {
            @Override
            MethodVisitor wrap(MethodVisitor mv, String name, String d) {
                boolean target = name.equals(method) && d.equals(desc);
                return new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String called, String cdesc, boolean itf) {
                        if (opcode == Opcodes.INVOKESTATIC && owner.equals(className) && called.equals(callee)
                                && cdesc.equals(calleeDesc)) {
                            count[target ? 0 : 1]++;
                            if (target) {
                                replacement.emit(mv);
                                return;
                            }
                        }
                        super.visitMethodInsn(opcode, owner, called, cdesc, itf);
                    }
                };
            }
        });
        return count[0] == 1 && count[1] == 0 ? rewritten : null;
    }

    /**
     * A transport's {@code LinuxSocket} (epoll's, io_uring's: a subclass of the copy's {@code channel.unix.Socket}): its
     * native {@code setTcpUserTimeout(fd, ms)} call goes through {@code USER_TIMEOUT} of the copy's hooks class, which
     * is defined here if the {@code Socket} has not been yet (it usually loads right after, as the superclass).
     */
    private byte[] rewriteLinuxSocket(Module module, ClassLoader loader, String className, ProtectionDomain domain,
                                      byte[] bytes) {
        String where = className.replace('/', '.') + " in " + origin(domain);
        try {
            String superName = new ClassReader(bytes).getSuperName();
            if (superName == null || !superName.endsWith(SUFFIX)) {
                return null; // another LinuxSocket, not Netty's
            }
            String unix = superName.substring(0, superName.lastIndexOf('/'));
            String hooks = unix + "/" + HOOKS_SIMPLE_NAME;
            byte[] rewritten = rewriteUserTimeout(bytes, className, hooks);
            if (rewritten == null) {
                return notRewritten(where, "expected one call of the native setTcpUserTimeout(int, int) in "
                        + "setTcpUserTimeout(int), as in Netty 4.1 and 4.2; TCP_USER_TIMEOUT on MPTCP sockets fails "
                        + "as without the agent", false);
            }
            ensureHooks(loader, unix, unix + "/FileDescriptor", superName.replace('/', '.'));
            openToAgent(module, className.substring(0, className.lastIndexOf('/'))); // its native, for TCP sockets
            return rewritten;
        } catch (Throwable t) {
            return notRewritten(where, t.toString(), false);
        }
    }

    /** {@code setTcpUserTimeout(fd, ms)} becomes {@code USER_TIMEOUT.applyAsInt(fd, ms)}; null if not found once. */
    static byte[] rewriteUserTimeout(byte[] bytes, String className, String hooks) {
        return replaceOneCall(bytes, className, "setTcpUserTimeout", "(I)V", "setTcpUserTimeout", "(II)V",
                new Replacement() {
                    @Override
                    void emit(MethodVisitor mv) {
                        // stack: fd ms
                        mv.visitFieldInsn(Opcodes.GETSTATIC, hooks, USER_TIMEOUT, "L" + USER_TIMEOUT_TYPE + ";");
                        mv.visitInsn(Opcodes.DUP_X2);    // hook fd ms hook
                        mv.visitInsn(Opcodes.POP);       // hook fd ms
                        mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, USER_TIMEOUT_TYPE, "applyAsInt", "(II)I", true);
                        mv.visitInsn(Opcodes.POP);
                    }
                });
    }

    /**
     * Defines {@code <unix package>.MptcpNioHooks} in Netty's loader, unless it is there already, and sets its
     * fields; {@code anchor} is a class of that package (Netty's {@code FileDescriptor}), loaded now for a lookup in
     * the package. Called from the transformation of the copy's {@code Socket} or of a {@code LinuxSocket}, whichever
     * loads first: classes loaded while a class is transformed are not transformed themselves (the JVM's
     * re-entrancy guard), so the {@code Socket} must never be loaded from here. If the package is in a named module,
     * it is first opened to the agent.
     */
    private void ensureHooks(ClassLoader loader, String unixPackage, String anchor, String socketClass)
            throws Throwable {
        String hooksName = unixPackage + "/" + HOOKS_SIMPLE_NAME;
        Class<?> hooks;
        try {
            hooks = Class.forName(hooksName.replace('/', '.'), false, loader); // the other class of the pair was first
        } catch (ClassNotFoundException absent) {
            hooks = defineHooks(loader, unixPackage, anchor, hooksName);
        }
        if (hooks.getClassLoader() != loader) {
            throw new IllegalStateException(hooksName + " comes from another class loader: " + hooks.getClassLoader());
        }
        MethodHandles.Lookup hooksLookup = MethodHandles.privateLookupIn(hooks, MethodHandles.lookup());
        if (hooksLookup.findStaticGetter(hooks, USER_TIMEOUT, IntBinaryOperator.class).invoke() != null) {
            return; // set by the other class of the pair (USER_TIMEOUT is set last); else set them, a race sets twice
        }
        Copy copy = new Copy(loader, socketClass, unixPackage.replace('/', '.'));
        hooksLookup.findStaticSetter(hooks, STREAM, IntUnaryOperator.class).invoke(policy.nettyCreation());
        hooksLookup.findStaticSetter(hooks, STREAM_BORN, IntBinaryOperator.class).invoke(policy.nettyBorn());
        hooksLookup.findStaticSetter(hooks, CONNECT, ObjIntConsumer.class).invoke(policy.nettyDecision(copy, true));
        hooksLookup.findStaticSetter(hooks, BIND, ObjIntConsumer.class).invoke(policy.nettyDecision(copy, false));
        hooksLookup.findStaticSetter(hooks, EPOLL, LongBinaryOperator.class).invoke(policy.nettyEpoll());
        hooksLookup.findStaticSetter(hooks, USER_TIMEOUT, IntBinaryOperator.class)
                .invoke(policy.nettyUserTimeout(copy));
    }

    private Class<?> defineHooks(ClassLoader loader, String unixPackage, String anchor, String hooksName)
            throws Throwable {
        if (!anchor.startsWith(unixPackage + "/") || anchor.indexOf('/', unixPackage.length() + 1) >= 0) {
            throw new IllegalStateException("its superclass " + anchor + " is not in its package");
        }
        Class<?> anchorClass = Class.forName(anchor.replace('/', '.'), false, loader);
        openToAgent(anchorClass.getModule(), unixPackage);
        MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(anchorClass, MethodHandles.lookup());
        try {
            return lookup.defineClass(JdkRewrites.hooksClass(hooksName, true, STREAM, STREAM_TYPE, STREAM_BORN,
                    STREAM_BORN_TYPE, CONNECT, DECIDE_TYPE, BIND, DECIDE_TYPE, EPOLL, EPOLL_TYPE, USER_TIMEOUT,
                    USER_TIMEOUT_TYPE));
        } catch (LinkageError definedMeanwhile) { // another thread, loading the other class of the pair, was first
            return Class.forName(hooksName.replace('/', '.'), false, loader);
        }
    }

    /**
     * Netty 4.2's jars are named modules that export their packages but open none: on the module path, a package the
     * agent looks into (for the hooks class, and for Netty's own native methods) is opened to the agent first.
     */
    private void openToAgent(Module module, String internalPackage) {
        Module agent = NettyRewriter.class.getModule();
        String dotted = internalPackage.replace('/', '.');
        if (module != null && module.isNamed() && !module.isOpen(dotted, agent)) {
            inst.redefineModule(module, Set.of(), Map.of(), Map.of(dotted, Set.of(agent)), Set.of(), Map.of());
        }
    }

    /** One copy of Netty: its {@code Socket} class and its {@code ChannelException}, found at first need. */
    private static final class Copy implements Hooks.NettyMethods {
        private final ClassLoader loader;
        private final String socketClass;
        /** {@code io.netty} or the relocated prefix ({@code io.grpc.netty.shaded.io.netty}). */
        private final String root;

        Copy(ClassLoader loader, String socketClass, String unixPackage) {
            this.loader = loader;
            this.socketClass = socketClass;
            this.root = unixPackage.substring(0, unixPackage.length() - ".channel.unix".length());
        }

        @Override
        public MethodHandle setTcpUserTimeout(Class<?> linuxSocket) throws ReflectiveOperationException {
            return MethodHandles.privateLookupIn(linuxSocket, MethodHandles.lookup()).findStatic(linuxSocket,
                    "setTcpUserTimeout", MethodType.methodType(void.class, int.class, int.class));
        }

        @Override
        public RuntimeException channelException(String message, SocketException cause) {
            try {
                Object e = Class.forName(root + ".channel.ChannelException", false, loader)
                        .getConstructor(String.class, Throwable.class).newInstance(message, cause);
                if (e instanceof RuntimeException) {
                    return (RuntimeException) e;
                }
            } catch (ReflectiveOperationException | LinkageError notFound) {
                cause.addSuppressed(notFound);
            }
            return new java.io.UncheckedIOException(message, cause);
        }
    }
}
