package apps;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An unmodified application (it never names mptcp-nio) for the agent's rules, over real connections:
 * <ul>
 *   <li>{@code serve PORT [ADDRESS]}: an echo server ({@code ServerSocket}, a thread per connection); prints
 *       {@code listening=}.</li>
 *   <li>{@code connect SECONDS DEST...}: for each destination ({@code HOST:PORT}, or {@code local} / {@code local2} for
 *       an echo server it starts itself, reached at 127.0.0.1 / 127.0.0.2) and each kind of socket ({@code socket}, {@code channel}, {@code nonblocking} —
 *       registered with a selector before its connect —, {@code async}), sets options, binds where asked
 *       ({@code HOST:PORT@bind}), connects, echoes 64 KiB that name the connection, reads the options back; prints
 *       one {@code conn=} line per connection (kind, destination, local port, options as read back), then
 *       {@code ready=true}, and holds every connection for SECONDS.</li>
 *   <li>{@code concurrent THREADS COUNT DEST...}: THREADS threads open COUNT connections each, round robin over the
 *       destinations, each checking its peer address and its own bytes echoed; prints {@code concurrent=ok}.</li>
 *   <li>{@code churn COUNT DEST...}: COUNT connections one after the other (one byte echoed, abortive close), after
 *       a warm-up of 1,000; prints the process's descriptors before and after ({@code fds.before=}, {@code fds.after=}).
 *   </li>
 * </ul>
 */
public final class RulesApp {
    private static final int BYTES = 64 * 1024;

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "serve": {
                String[] ports = args[1].split(",");
                for (int i = 0; i < ports.length; i++) {
                    ServerSocket listener = new ServerSocket();
                    listener.bind(new InetSocketAddress(Integer.parseInt(ports[i])), 1024);
                    Thread t = new Thread(() -> {
                        try {
                            serve(listener, false);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
                    t.start();
                }
                System.out.println("listening=" + args[1]);
                break;
            }
            case "failures": failures(args[1], args[2]); break;
            case "tos": tos(args[1], Arrays.copyOfRange(args, 2, args.length)); break;
            case "connect": connect(Integer.parseInt(args[1]), Arrays.copyOfRange(args, 2, args.length)); break;
            case "concurrent":
                concurrent(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Arrays.copyOfRange(args, 3,
                        args.length));
                break;
            case "churn": churn(Integer.parseInt(args[1]), Arrays.copyOfRange(args, 2, args.length)); break;
            default: throw new IllegalArgumentException(args[0]);
        }
    }

    /** Echoes every connection on a daemon thread of its own (or, for {@code once}, one byte then close). */
    private static void serve(ServerSocket listener, boolean once) throws IOException {
        while (!listener.isClosed()) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException closed) {
                return;
            }
            if (once) {
                try (s) {
                    int b = s.getInputStream().read();
                    s.getOutputStream().write(b);
                }
                continue;
            }
            Thread t = new Thread(() -> {
                try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                    byte[] buf = new byte[16384];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        out.write(buf, 0, n);
                    }
                } catch (IOException ignored) {
                    // the peer went away
                }
            });
            t.setDaemon(true);
            t.start();
        }
    }

    /**
     * An echo server of this JVM's own on every address, for the destinations {@code local} (127.0.0.1) and
     * {@code local2} (127.0.0.2: loopback too, for a rule to tell the two apart).
     */
    private static InetSocketAddress localServer(boolean once) throws IOException {
        ServerSocket listener = new ServerSocket(0, 1024);
        Thread t = new Thread(() -> {
            try {
                serve(listener, once);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        t.setDaemon(true);
        t.start();
        return new InetSocketAddress(InetAddress.getByName("127.0.0.1"), listener.getLocalPort());
    }

    private static InetSocketAddress address(String dest, InetSocketAddress local) {
        if (dest.startsWith("local2")) {
            return new InetSocketAddress("127.0.0.2", local.getPort());
        }
        if (dest.startsWith("local")) {
            return local;
        }
        String hostPort = dest.contains("@") ? dest.substring(0, dest.indexOf('@')) : dest;
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon).replace("[", "").replace("]", ""),
                Integer.parseInt(hostPort.substring(colon + 1)));
    }

    private static byte[] payload(String label) {
        byte[] b = new byte[BYTES];
        byte[] l = label.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i < b.length; i++) {
            b[i] = l[i % l.length];
        }
        return b;
    }

    private static void connect(int seconds, String[] dests) throws Exception {
        InetSocketAddress local = localServer(false);
        List<AutoCloseable> held = new ArrayList<>();
        for (String dest : dests) {
            InetSocketAddress to = address(dest, local);
            boolean bind = dest.endsWith("@bind");
            for (String kind : List.of("socket", "channel", "nonblocking", "async")) {
                String label = kind + "->" + dest + ";";
                byte[] data = payload(label);
                String line;
                switch (kind) {
                    case "socket": {
                        Socket s = new Socket();
                        held.add(s);
                        s.setTcpNoDelay(true);
                        s.setReceiveBufferSize(200_000);
                        s.setKeepAlive(true);
                        s.setSoLinger(true, 3);
                        if (bind) {
                            s.bind(new InetSocketAddress(0));
                        }
                        int boundPort = s.getLocalPort();
                        s.connect(to, 10_000);
                        s.getOutputStream().write(data);
                        byte[] back = new DataInputStream(s.getInputStream()).readNBytes(BYTES);
                        check(data, back, label);
                        line = "local=" + s.getLocalPort() + " keptBoundPort=" + (!bind || boundPort == s.getLocalPort())
                                + " nodelay=" + s.getTcpNoDelay() + " rcvbuf=" + s.getReceiveBufferSize()
                                + " keepalive=" + s.getKeepAlive() + " linger=" + s.getSoLinger() + " peer="
                                + s.getRemoteSocketAddress();
                        break;
                    }
                    case "channel":
                    case "nonblocking": {
                        SocketChannel c = SocketChannel.open();
                        held.add(c);
                        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                        c.setOption(StandardSocketOptions.SO_SNDBUF, 150_000);
                        c.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
                        if (bind) {
                            c.bind(new InetSocketAddress(0));
                        }
                        SocketAddress bound = c.getLocalAddress();
                        if (kind.equals("nonblocking")) {
                            c.configureBlocking(false);
                            try (Selector selector = Selector.open()) {
                                c.register(selector, SelectionKey.OP_CONNECT);
                                selector.selectNow(); // the registration reaches the kernel before the connect
                                if (!c.connect(to)) {
                                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                                    while (!c.finishConnect()) {
                                        if (selector.select(1000) == 0 && System.nanoTime() > deadline) {
                                            throw new IOException("no OP_CONNECT within 10 s: " + label);
                                        }
                                        selector.selectedKeys().clear();
                                    }
                                }
                                selector.keys().forEach(SelectionKey::cancel);
                                selector.selectNow();
                            }
                            c.configureBlocking(true);
                        } else {
                            c.connect(to);
                        }
                        c.write(ByteBuffer.wrap(data));
                        ByteBuffer back = ByteBuffer.allocate(BYTES);
                        while (back.hasRemaining() && c.read(back) >= 0) {
                            // fill
                        }
                        check(data, back.array(), label);
                        line = "local=" + ((InetSocketAddress) c.getLocalAddress()).getPort() + " keptBoundPort="
                                + (!bind || ((InetSocketAddress) bound).getPort()
                                == ((InetSocketAddress) c.getLocalAddress()).getPort())
                                + " nodelay=" + c.getOption(StandardSocketOptions.TCP_NODELAY) + " sndbuf="
                                + c.getOption(StandardSocketOptions.SO_SNDBUF) + " keepalive="
                                + c.getOption(StandardSocketOptions.SO_KEEPALIVE) + " peer=" + c.getRemoteAddress();
                        break;
                    }
                    default: {
                        AsynchronousSocketChannel a = AsynchronousSocketChannel.open();
                        held.add(a);
                        a.setOption(StandardSocketOptions.TCP_NODELAY, true);
                        a.setOption(StandardSocketOptions.SO_RCVBUF, 100_000);
                        a.connect(to).get(10, TimeUnit.SECONDS);
                        ByteBuffer out = ByteBuffer.wrap(data);
                        while (out.hasRemaining()) {
                            a.write(out).get(10, TimeUnit.SECONDS);
                        }
                        ByteBuffer back = ByteBuffer.allocate(BYTES);
                        while (back.hasRemaining() && a.read(back).get(10, TimeUnit.SECONDS) >= 0) {
                            // fill
                        }
                        check(data, back.array(), label);
                        line = "local=" + ((InetSocketAddress) a.getLocalAddress()).getPort() + " nodelay="
                                + a.getOption(StandardSocketOptions.TCP_NODELAY) + " rcvbuf="
                                + a.getOption(StandardSocketOptions.SO_RCVBUF) + " peer=" + a.getRemoteAddress();
                    }
                }
                System.out.println("conn=" + kind + " " + dest + " " + line.replace("/", ""));
            }
        }
        System.out.println("ready=true");
        System.out.flush();
        Thread.sleep(seconds * 1000L);
        for (AutoCloseable c : held) {
            c.close();
        }
    }

    /**
     * What the JDK reports where a connect fails or is cut short: refused, timed out (towards a destination that drops
     * SYNs), closed by another thread, interrupted; one {@code failure.<case>=<exception>} line each.
     */
    private static void failures(String refused, String dropping) throws Exception {
        InetSocketAddress r = address(refused, null);
        InetSocketAddress d = address(dropping, null);
        outcome("socket.refused", () -> {
            try (Socket s = new Socket()) {
                s.connect(r, 5000);
            }
        });
        outcome("channel.refused", () -> {
            try (SocketChannel c = SocketChannel.open()) {
                c.connect(r);
            }
        });
        outcome("nonblocking.refused", () -> {
            try (SocketChannel c = SocketChannel.open()) {
                c.configureBlocking(false);
                c.connect(r);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!c.finishConnect() && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
            }
        });
        outcome("async.refused", () -> {
            try (AsynchronousSocketChannel a = AsynchronousSocketChannel.open()) {
                a.connect(r).get(5, TimeUnit.SECONDS);
            }
        });
        outcome("socket.timeout", () -> {
            try (Socket s = new Socket()) {
                s.connect(d, 300);
            }
        });
        outcome("socket.retryAfterTimeout", () -> { // a java.net.Socket is closed by a failed connect
            Socket s = new Socket();
            try {
                s.connect(d, 200);
            } catch (IOException first) {
                s.connect(r, 1000);
            } finally {
                s.close();
            }
        });
        outcome("socket.closedWhileConnecting", () -> {
            try (Socket s = new Socket()) {
                closeLater(s, 300);
                s.connect(d, 10_000);
            }
        });
        outcome("channel.closedWhileConnecting", () -> {
            try (SocketChannel c = SocketChannel.open()) {
                closeLater(c, 300);
                c.connect(d);
            }
        });
        outcome("channel.interrupted", () -> {
            try (SocketChannel c = SocketChannel.open()) {
                Thread me = Thread.currentThread();
                Thread t = new Thread(() -> {
                    sleep(300);
                    me.interrupt();
                });
                t.start();
                try {
                    c.connect(d);
                } finally {
                    Thread.interrupted();
                }
            }
        });
        outcome("channel.reconnectAfterRefused", () -> {
            try (SocketChannel c = SocketChannel.open()) {
                try {
                    c.connect(r);
                } catch (IOException first) {
                    System.out.println("failure.channel.reconnectAfterRefused.first=" + first);
                    System.out.println("failure.channel.reconnectAfterRefused.open=" + c.isOpen());
                }
                c.connect(r);
            }
        });
        System.out.println("ready=true");
    }

    private interface Attempt {
        void run() throws Exception;
    }

    private static void outcome(String name, Attempt a) {
        String result;
        try {
            a.run();
            result = "ok";
        } catch (Exception e) {
            Throwable t = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            result = t.getClass().getName() + ": " + t.getMessage();
        }
        System.out.println("failure." + name + "=" + result);
    }

    private static void closeLater(AutoCloseable c, long millis) {
        Thread t = new Thread(() -> {
            sleep(millis);
            try {
                c.close();
            } catch (Exception ignored) {
                // the outcome of the connect is what is reported
            }
        });
        t.setDaemon(true);
        t.start();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A traffic class set before the connect ({@code setTrafficClass} on a dual-stack {@code Socket}, which the JDK sets
     * as {@code IPV6_TCLASS}; {@code IP_TOS} on an IPv4 channel): connects to each destination and prints what
     * happened and the class read back, then holds the connections for the given seconds.
     */
    private static void tos(String seconds, String[] dests) throws Exception {
        List<AutoCloseable> held = new ArrayList<>();
        for (String dest : dests) {
            InetSocketAddress to = address(dest, null);
            Socket s = new Socket();
            held.add(s);
            s.setTrafficClass(0x28);
            try {
                s.connect(to, 5000);
                System.out.println("tos.socket " + dest + " local=" + s.getLocalPort() + " class=" + s.getTrafficClass());
            } catch (IOException e) {
                System.out.println("tos.socket " + dest + " failed=" + e);
            }
            SocketChannel c = SocketChannel.open(java.net.StandardProtocolFamily.INET);
            held.add(c);
            c.setOption(StandardSocketOptions.IP_TOS, 0x28);
            try {
                c.connect(to);
                System.out.println("tos.channel4 " + dest + " local=" + ((InetSocketAddress) c.getLocalAddress())
                        .getPort() + " class=" + c.getOption(StandardSocketOptions.IP_TOS));
            } catch (IOException e) {
                System.out.println("tos.channel4 " + dest + " failed=" + e);
            }
        }
        System.out.println("ready=true");
        System.out.flush();
        Thread.sleep(Integer.parseInt(seconds) * 1000L);
        for (AutoCloseable c : held) {
            c.close();
        }
    }

    private static void check(byte[] sent, byte[] back, String label) throws IOException {
        if (!Arrays.equals(sent, back)) {
            throw new IOException("echo differs for " + label + ": got " + new String(back, 0, Math.min(60,
                    back.length), java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    private static void concurrent(int threads, int count, String[] dests) throws Exception {
        InetSocketAddress local = localServer(false);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong done = new AtomicLong();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                for (int i = 0; i < count; i++) {
                    InetSocketAddress to = address(dests[(thread + i) % dests.length], local);
                    String label = "t" + thread + "i" + i + "->" + to + ";";
                    byte[] data = Arrays.copyOf(payload(label), 4096);
                    try (Socket s = new Socket()) {
                        s.connect(to, 10_000);
                        if (!to.equals(s.getRemoteSocketAddress())) {
                            throw new IOException(label + " connected to " + s.getRemoteSocketAddress());
                        }
                        s.getOutputStream().write(data);
                        byte[] back = new DataInputStream(s.getInputStream()).readNBytes(data.length);
                        check(data, back, label);
                    }
                    done.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        System.out.println("concurrent=ok connections=" + done.get());
    }

    private static void churn(int count, String[] dests) throws Exception {
        InetSocketAddress local = localServer(true);
        InetSocketAddress[] to = new InetSocketAddress[dests.length];
        for (int i = 0; i < dests.length; i++) {
            to[i] = address(dests[i], local);
        }
        round(1000, to);
        long before = fds();
        long start = System.nanoTime();
        round(count, to);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("fds.before=" + before);
        System.out.println("fds.after=" + fds());
        System.out.println("churn=" + count + " millis=" + millis);
    }

    private static void round(int count, InetSocketAddress[] to) throws IOException {
        for (int i = 0; i < count; i++) {
            try (Socket s = new Socket()) {
                s.setSoLinger(true, 0); // abortive: no TIME_WAIT to run out of ports with
                s.connect(to[i % to.length], 10_000);
                s.getOutputStream().write(i);
                if (s.getInputStream().read() != (i & 0xff)) {
                    throw new IOException("connection " + i + " echoed another byte");
                }
            }
        }
    }

    private static long fds() throws IOException {
        try (var list = Files.list(Path.of("/proc/self/fd"))) {
            return list.count();
        }
    }
}
