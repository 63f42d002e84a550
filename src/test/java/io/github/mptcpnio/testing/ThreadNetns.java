package io.github.mptcpnio.testing;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Moves one thread of this JVM into another network namespace: {@code setns(2)} on {@code /run/netns/<name>} (what
 * {@code ip netns add} made), through jffi. Only the calling thread moves; a socket lives in the namespace of the
 * thread that created it, and stays there whichever thread uses it later. So one JVM can hold a connection's two
 * ends in two namespaces, joined by a veth link, as two hosts would.
 *
 * <p>In a JVM that runs the agent, let the library load jffi first (any {@code io.github.mptcpnio.Mptcp} call): the
 * agent's jffi comes from its own jar and is loaded its own way, and a test should not load it for it.
 */
public final class ThreadNetns {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    private ThreadNetns() {}

    /** Moves the calling thread into the namespace {@code name}; fails with errno's number if the kernel refuses. */
    public static void enter(String name) throws IOException {
        Library libc = Library.getDefault();
        Invoker invoker = Invoker.getInstance();
        MemoryIO memory = MemoryIO.getInstance();
        CallContext openContext = CallContext.getCallContext(Type.SINT, new Type[] {Type.POINTER, Type.SINT},
                CallingConvention.DEFAULT, true);
        CallContext intInt = CallContext.getCallContext(Type.SINT, new Type[] {Type.SINT, Type.SINT},
                CallingConvention.DEFAULT, true);
        CallContext oneInt = CallContext.getCallContext(Type.SINT, new Type[] {Type.SINT},
                CallingConvention.DEFAULT, true);
        byte[] path = ("/run/netns/" + name).getBytes(StandardCharsets.UTF_8);
        long block = memory.allocateMemory(path.length + 1L, true);
        int fd;
        try {
            memory.putZeroTerminatedByteArray(block, path, 0, path.length);
            fd = (int) invoker.invokeL2(openContext, symbol(libc, "open"), block, O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                throw new IOException("open(/run/netns/" + name + ") failed: errno " + LastError.getInstance().get());
            }
        } finally {
            memory.freeMemory(block);
        }
        try {
            if (invoker.invokeI2(intInt, symbol(libc, "setns"), fd, CLONE_NEWNET) != 0) {
                throw new IOException("setns(/run/netns/" + name + ", CLONE_NEWNET) failed: errno "
                        + LastError.getInstance().get());
            }
        } finally {
            invoker.invokeI1(oneInt, symbol(libc, "close"), fd);
        }
    }

    private static long symbol(Library libc, String name) throws IOException {
        long address = libc.getSymbolAddress(name);
        if (address == 0L) {
            throw new IOException("libc symbol not found: " + name);
        }
        return address;
    }
}
