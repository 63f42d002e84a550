package io.github.mptcpnio.internal.linux;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * The libc calls this library makes, and nothing else. Bound through jffi, JNR-FFI's native core, with one
 * call context per signature built once (no generated classes; see docs/adr/0001). Every wrapper checks the
 * return value, reads errno on the same thread right after the call, retries {@code EINTR} where that is safe
 * and throws {@link NativeCallException} naming the call.
 *
 * <p>Loaded lazily: {@link #instance()} triggers the load once; a failure is recorded, not thrown.
 */
public final class LibC {

    private static final class Holder {
        static final LibC INSTANCE;
        static final Throwable FAILURE;

        static {
            LibC lib = null;
            Throwable failure = null;
            try {
                NativeStub.prepare(); // before jffi's first class initialises: see there
                lib = new LibC();
            } catch (Throwable t) { // UnsatisfiedLinkError, IllegalCallerException (native access denied), ...
                failure = t;
            }
            INSTANCE = lib;
            FAILURE = failure;
        }
    }

    /** The loaded binding, or empty when libc or jffi's native stub could not be loaded. */
    public static Optional<LibC> instance() {
        return Optional.ofNullable(Holder.INSTANCE);
    }

    /** Why {@link #instance()} is empty. */
    public static Optional<Throwable> loadFailure() {
        return Optional.ofNullable(Holder.FAILURE);
    }

    private final Invoker invoker;
    private final MemoryIO memory;
    private final LastError lastError;
    private final long socket, close, dup3, fcntl, getsockopt, setsockopt, strerror, poll, recv, getsockname, getpeername, bind, epollCtl;
    private final CallContext int3, int1, int5Ptr, ptr1, pollContext, recvContext, int3Ptr, int4Ptr;

    private LibC() {
        Library libc = Library.getDefault(); // the process's global namespace: libc is already linked into the JVM
        invoker = Invoker.getInstance();
        memory = MemoryIO.getInstance();
        lastError = LastError.getInstance();
        socket = symbol(libc, "socket");
        close = symbol(libc, "close");
        dup3 = symbol(libc, "dup3");
        fcntl = symbol(libc, "fcntl");
        getsockopt = symbol(libc, "getsockopt");
        setsockopt = symbol(libc, "setsockopt");
        strerror = symbol(libc, "strerror");
        poll = symbol(libc, "poll");
        recv = symbol(libc, "recv");
        getsockname = symbol(libc, "getsockname");
        getpeername = symbol(libc, "getpeername");
        bind = symbol(libc, "bind");
        epollCtl = symbol(libc, "epoll_ctl");
        int3 = CallContext.getCallContext(Type.SINT, new Type[] {Type.SINT, Type.SINT, Type.SINT},
                CallingConvention.DEFAULT, true);
        int1 = CallContext.getCallContext(Type.SINT, new Type[] {Type.SINT}, CallingConvention.DEFAULT, true);
        // int fn(int fd, int level, int name, void *val, socklen_t *len / socklen_t len)
        int5Ptr = CallContext.getCallContext(Type.SINT,
                new Type[] {Type.SINT, Type.SINT, Type.SINT, Type.POINTER, Type.POINTER},
                CallingConvention.DEFAULT, true);
        ptr1 = CallContext.getCallContext(Type.POINTER, new Type[] {Type.SINT}, CallingConvention.DEFAULT, false);
        // int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
        int3Ptr = CallContext.getCallContext(Type.SINT, new Type[] {Type.SINT, Type.POINTER, Type.POINTER},
                CallingConvention.DEFAULT, true);
        // int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)
        int4Ptr = CallContext.getCallContext(Type.SINT, new Type[] {Type.SINT, Type.SINT, Type.SINT, Type.POINTER},
                CallingConvention.DEFAULT, true);
        // int poll(struct pollfd *fds, nfds_t nfds, int timeout)
        pollContext = CallContext.getCallContext(Type.SINT, new Type[] {Type.POINTER, Type.ULONG, Type.SINT},
                CallingConvention.DEFAULT, true);
        // ssize_t recv(int fd, void *buf, size_t len, int flags)
        recvContext = CallContext.getCallContext(Type.SLONG, new Type[] {Type.SINT, Type.POINTER, Type.ULONG,
            Type.SINT}, CallingConvention.DEFAULT, true);
    }

    private static long symbol(Library lib, String name) {
        long address = lib.getSymbolAddress(name);
        if (address == 0L) {
            throw new UnsatisfiedLinkError("libc symbol not found: " + name + " (" + Library.getLastError() + ")");
        }
        return address;
    }

    /** The module of the native layer (jffi), whose native access JDK 22+ can report. */
    public static Module nativeModule() {
        return Library.class.getModule();
    }

    /** {@code socket(domain, type, protocol)}: the new descriptor. */
    public int socket(int domain, int type, int protocol) throws NativeCallException {
        while (true) {
            int fd = invoker.invokeI3(int3, socket, domain, type, protocol);
            if (fd >= 0) {
                return fd;
            }
            int errno = lastError.get();
            if (errno != Linux.EINTR) {
                throw failure("socket(" + Linux.domainName(domain) + ", SOCK_STREAM"
                        + ((type & Linux.SOCK_CLOEXEC) != 0 ? "|SOCK_CLOEXEC" : "") + ", "
                        + (protocol == Linux.IPPROTO_MPTCP ? "IPPROTO_MPTCP" : String.valueOf(protocol)) + ")",
                        errno);
            }
        }
    }

    /** {@code close(fd)}. Never retried: on Linux the descriptor is released even when close reports EINTR. */
    public void close(int fd) throws NativeCallException {
        if (invoker.invokeI1(int1, close, fd) != 0) {
            int errno = lastError.get();
            if (errno != Linux.EINTR) {
                throw failure("close(" + fd + ")", errno);
            }
        }
    }

    /** {@code dup3(oldfd, newfd, flags)}: atomically makes {@code newfd} refer to what {@code oldfd} refers to. */
    public void dup3(int oldfd, int newfd, int flags) throws NativeCallException {
        while (invoker.invokeI3(int3, dup3, oldfd, newfd, flags) < 0) {
            int errno = lastError.get();
            if (errno != Linux.EINTR) {
                throw failure("dup3(" + oldfd + ", " + newfd + ", " + flags + ")", errno);
            }
        }
    }

    /** {@code fcntl(fd, cmd, arg)} for the integer commands ({@code F_GETFD}, {@code F_SETFL}, ...). */
    public int fcntl(int fd, int cmd, int arg) throws NativeCallException {
        while (true) {
            int r = invoker.invokeI3(int3, fcntl, fd, cmd, arg);
            if (r >= 0) {
                return r;
            }
            int errno = lastError.get();
            if (errno != Linux.EINTR) {
                throw failure("fcntl(" + fd + ", " + cmd + ", " + arg + ")", errno);
            }
        }
    }

    /** {@code getsockopt} of an {@code int} option. {@code what} names level and option for messages. */
    public int getsockoptInt(int fd, int level, int name, String what) throws NativeCallException {
        long block = memory.allocateMemory(8, true);
        try {
            memory.putInt(block + 4, 4);
            call5(getsockopt, fd, level, name, block, block + 4, "getsockopt", what, null);
            return memory.getInt(block);
        } finally {
            memory.freeMemory(block);
        }
    }

    /** {@code setsockopt} of an {@code int} option. */
    public void setsockoptInt(int fd, int level, int name, int value, String what) throws NativeCallException {
        long block = memory.allocateMemory(4, true);
        try {
            memory.putInt(block, value);
            call5(setsockopt, fd, level, name, block, 4L, "setsockopt", what, value);
        } finally {
            memory.freeMemory(block);
        }
    }

    /**
     * {@code getsockopt} into a buffer: {@code buffer} is copied in (some MPTCP options read a header from it),
     * the kernel writes into it, and the kernel's {@code optlen} is returned; bytes past it are left as they were.
     */
    public int getsockopt(int fd, int level, int name, byte[] buffer, String what) throws NativeCallException {
        Objects.requireNonNull(buffer, "buffer");
        long block = memory.allocateMemory(buffer.length + 8L, true);
        try {
            long len = block + buffer.length;
            memory.putByteArray(block, buffer, 0, buffer.length);
            memory.putInt(len, buffer.length);
            call5(getsockopt, fd, level, name, block, len, "getsockopt", what, null);
            int written = Math.min(Math.max(memory.getInt(len), 0), buffer.length);
            memory.getByteArray(block, buffer, 0, written);
            return written;
        } finally {
            memory.freeMemory(block);
        }
    }

    /**
     * {@code getsockopt(SOL_MPTCP, MPTCP_FULL_INFO)}: {@code header} is a {@code struct mptcp_full_info} whose two
     * array pointers (offsets {@code subflowPtrOffset}, {@code tcpPtrOffset}) this method fills in with native
     * copies of {@code subflows} and {@code tcpInfos}; all three are copied back after the call.
     */
    public int getsockoptFullInfo(int fd, byte[] header, int subflowPtrOffset, byte[] subflows,
                                  int tcpPtrOffset, byte[] tcpInfos) throws NativeCallException {
        long block = memory.allocateMemory(header.length + 8L + subflows.length + tcpInfos.length, true);
        try {
            long len = block + header.length;
            long sf = len + 8;
            long tcp = sf + subflows.length;
            memory.putByteArray(block, header, 0, header.length);
            memory.putLong(block + subflowPtrOffset, sf);
            memory.putLong(block + tcpPtrOffset, tcp);
            memory.putInt(len, header.length);
            call5(getsockopt, fd, Linux.SOL_MPTCP, Linux.MPTCP_FULL_INFO, block, len, "getsockopt",
                    "SOL_MPTCP, MPTCP_FULL_INFO", null);
            int written = Math.min(Math.max(memory.getInt(len), 0), header.length);
            memory.getByteArray(block, header, 0, written);
            memory.getByteArray(sf, subflows, 0, subflows.length);
            memory.getByteArray(tcp, tcpInfos, 0, tcpInfos.length);
            return written;
        } finally {
            memory.freeMemory(block);
        }
    }

    /**
     * {@code poll} of one descriptor with a timeout of zero: the {@code revents} the kernel reports for
     * {@code events} (0 when nothing is ready). Never blocks.
     */
    public int pollNow(int fd, int events) throws NativeCallException {
        long block = memory.allocateMemory(8, true); // struct pollfd { int fd; short events; short revents; }
        try {
            memory.putInt(block, fd);
            memory.putShort(block + 4, (short) events);
            while ((int) invoker.invokeL3(pollContext, poll, block, 1L, 0L) < 0) {
                int errno = lastError.get();
                if (errno != Linux.EINTR) {
                    throw failure("poll(" + fd + ")", errno);
                }
            }
            return memory.getShort(block + 6) & 0xFFFF;
        } finally {
            memory.freeMemory(block);
        }
    }

    /**
     * {@code recv(fd, buf, length, MSG_PEEK | MSG_DONTWAIT)} into a scratch buffer: how many bytes are waiting, up to
     * {@code length}; 0 at the end of the stream. Takes nothing from the socket's data; the caller must know that no
     * error is pending, which a peek would consume.
     */
    public int peek(int fd, int length) throws NativeCallException {
        long block = memory.allocateMemory(Math.max(1, length), false);
        try {
            while (true) {
                long r = invoker.invokeL4(recvContext, recv, fd, block, length, Linux.MSG_PEEK | Linux.MSG_DONTWAIT);
                if (r >= 0) {
                    return (int) r;
                }
                int errno = lastError.get();
                if (errno != Linux.EINTR) {
                    throw failure("recv(" + fd + ", " + length + ", MSG_PEEK|MSG_DONTWAIT)", errno);
                }
            }
        } finally {
            memory.freeMemory(block);
        }
    }

    /**
     * {@code getsockname(fd)}, or {@code getpeername(fd)} for {@code peer}: the raw {@code struct sockaddr} (up to
     * 128 bytes, {@code sockaddr_storage}).
     */
    public byte[] sockname(int fd, boolean peer) throws NativeCallException {
        long block = memory.allocateMemory(128 + 8, true);
        try {
            memory.putInt(block + 128, 128);
            while ((int) invoker.invokeL3(int3Ptr, peer ? getpeername : getsockname, fd, block, block + 128) < 0) {
                int errno = lastError.get();
                if (errno != Linux.EINTR) {
                    throw failure((peer ? "getpeername(" : "getsockname(") + fd + ")", errno);
                }
            }
            byte[] out = new byte[Math.min(Math.max(memory.getInt(block + 128), 0), 128)];
            memory.getByteArray(block, out, 0, out.length);
            return out;
        } finally {
            memory.freeMemory(block);
        }
    }

    /**
     * {@code getsockopt} of many options in one go, with one scratch buffer and no exception: {@code out[i]} is the
     * value of option {@code i} (an {@code int}, or for {@code sizes[i] == 8} two {@code int}s as {@code first << 32 |
     * second}), or {@code unreadable} where the call failed. Options of {@code skip[i]} are not read.
     */
    public void getsockoptInts(int fd, int[] levels, int[] names, int[] sizes, boolean[] skip, long unreadable,
                               long[] out) {
        long block = memory.allocateMemory(16, true);
        try {
            for (int i = 0; i < names.length; i++) {
                if (skip[i]) {
                    out[i] = unreadable;
                    continue;
                }
                memory.putLong(block, 0L);
                memory.putInt(block + 8, sizes[i]);
                int r;
                do {
                    r = (int) invoker.invokeL5(int5Ptr, getsockopt, fd, levels[i], names[i], block, block + 8);
                } while (r < 0 && lastError.get() == Linux.EINTR);
                out[i] = r < 0 ? unreadable : sizes[i] == 8
                        ? (long) memory.getInt(block) << 32 | (memory.getInt(block + 4) & 0xffffffffL)
                        : memory.getInt(block);
            }
        } finally {
            memory.freeMemory(block);
        }
    }

    /** {@code setsockopt} of an option given as bytes ({@code struct linger}, say). */
    public void setsockopt(int fd, int level, int name, byte[] value, String what) throws NativeCallException {
        long block = memory.allocateMemory(Math.max(1, value.length), true);
        try {
            memory.putByteArray(block, value, 0, value.length);
            call5(setsockopt, fd, level, name, block, value.length, "setsockopt", what, null);
        } finally {
            memory.freeMemory(block);
        }
    }

    /** {@code bind(fd, addr, len)} with a raw {@code struct sockaddr}, as {@link #sockname} returns it. */
    public void bind(int fd, byte[] sockaddr) throws NativeCallException {
        long block = memory.allocateMemory(Math.max(1, sockaddr.length), true);
        try {
            memory.putByteArray(block, sockaddr, 0, sockaddr.length);
            while ((int) invoker.invokeL3(int3Ptr, bind, fd, block, sockaddr.length) < 0) {
                int errno = lastError.get();
                if (errno != Linux.EINTR) {
                    throw failure("bind(" + fd + ")", errno);
                }
            }
        } finally {
            memory.freeMemory(block);
        }
    }

    /**
     * {@code epoll_ctl(epfd, EPOLL_CTL_ADD, fd, {events, data.fd = fd})}: registers {@code fd} with an epoll instance
     * the way Netty's epoll transport does.
     */
    public void epollAdd(int epfd, int fd, int events) throws NativeCallException {
        long block = memory.allocateMemory(16, true); // struct epoll_event { uint32_t events; epoll_data_t data; }
        try {                                          // packed on x86-64: data at offset 4
            memory.putInt(block, events);
            memory.putInt(block + Linux.EPOLL_EVENT_DATA_OFFSET, fd);
            while ((int) invoker.invokeL4(int4Ptr, epollCtl, epfd, Linux.EPOLL_CTL_ADD, fd, block) < 0) {
                int errno = lastError.get();
                if (errno != Linux.EINTR) {
                    throw failure("epoll_ctl(" + epfd + ", EPOLL_CTL_ADD, " + fd + ")", errno);
                }
            }
        } finally {
            memory.freeMemory(block);
        }
    }

    /** {@code strerror(errno)}: the C library's text for an errno value. */
    public String strerror(int errno) {
        long p = invoker.invokeL1(ptr1, strerror, errno);
        if (p == 0L) {
            return "Unknown error " + errno;
        }
        int n = (int) Math.min(memory.getStringLength(p), 1024);
        byte[] bytes = new byte[n];
        memory.getByteArray(p, bytes, 0, n);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Calls {@code syscall(fd, level, name, val, len)}. The failure message ({@code syscall(fd, what[, value])}) is
     * built only when the call fails: these calls run on every channel open.
     */
    private void call5(long function, int fd, int level, int name, long val, long len, String syscall, String what,
                       Integer value) throws NativeCallException {
        while ((int) invoker.invokeL5(int5Ptr, function, fd, level, name, val, len) < 0) {
            int errno = lastError.get();
            if (errno != Linux.EINTR) {
                throw failure(syscall + "(" + fd + ", " + what + (value == null ? "" : ", " + value) + ")", errno);
            }
        }
    }

    private NativeCallException failure(String call, int errno) {
        return new NativeCallException(call, errno, strerror(errno));
    }
}
