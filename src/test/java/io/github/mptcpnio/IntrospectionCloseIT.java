package io.github.mptcpnio;

import io.github.mptcpnio.internal.JdkShim;
import io.github.mptcpnio.testing.RequiresMptcp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Introspection while other threads close the channel: an answer must describe the channel's own socket, never the
 * socket that got the descriptor number after the close, and a closed channel must give
 * {@link ClosedChannelException}, never a {@code SocketException} for {@code EBADF}.
 *
 * <p>One thread introspects the current MPTCP connection as fast as it can, the test thread closes it at a random
 * moment and opens the next, and a third thread opens and closes plain TCP channels all the time, so that a freed
 * descriptor number is soon a plain TCP socket: an answer about it (not multipath, no {@code MptcpInfo}, other
 * addresses) would be caught here.
 */
@RequiresMptcp
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IntrospectionCloseIT {
    private static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(6);
    private static final int MAX_ROUNDS = 20_000;

    private record Connection(SocketChannel channel, SocketAddress local) {}

    @Test
    void closingWhileIntrospectingNeverDescribesAnotherSocket() throws Exception {
        SelectorProvider mptcp = new MptcpSelectorProvider();
        AtomicReference<Connection> current = new AtomicReference<>();
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        AtomicLong answered = new AtomicLong();
        AtomicLong closed = new AtomicLong();
        AtomicLong reused = new AtomicLong();
        long deadline = System.nanoTime() + RUN_NANOS;

        Thread introspector = new Thread(() -> {
            int i = 0;
            while (System.nanoTime() < deadline) {
                Connection c = current.get();
                if (c == null) {
                    continue;
                }
                try {
                    switch (i++ % 3) {
                        case 0:
                            if (!Mptcp.isMultipath(c.channel())) {
                                wrong.add("isMultipath false for an open MPTCP connection " + c.local());
                            }
                            break;
                        case 1:
                            Optional<MptcpInfo> info = Mptcp.info(c.channel());
                            if (info.isEmpty()) {
                                wrong.add("no MptcpInfo for an open MPTCP connection " + c.local());
                            }
                            break;
                        default:
                            List<Subflow> subflows = Mptcp.subflows(c.channel());
                            if (subflows.isEmpty() || !subflows.get(0).local().equals(c.local())) {
                                wrong.add("subflows of another socket for " + c.local() + ": " + subflows);
                            }
                            break;
                    }
                    answered.incrementAndGet();
                } catch (ClosedChannelException e) {
                    closed.incrementAndGet();
                } catch (Throwable t) {
                    wrong.add(c.local() + ": " + t);
                }
            }
        }, "introspector");
        Thread reuser = new Thread(() -> { // takes freed descriptor numbers for plain TCP sockets
            SelectorProvider jdk = JdkShim.platformProvider();
            while (System.nanoTime() < deadline) {
                try (SocketChannel plain = jdk.openSocketChannel()) {
                    reused.incrementAndGet();
                } catch (Exception e) {
                    wrong.add("plain channel: " + e);
                }
            }
        }, "reuser");

        try (ServerSocketChannel listener = mptcp.openServerSocketChannel()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            introspector.start();
            reuser.start();
            int rounds = 0;
            while (System.nanoTime() < deadline && rounds++ < MAX_ROUNDS) {
                SocketChannel client = mptcp.openSocketChannel();
                client.connect(listener.getLocalAddress());
                try (SocketChannel accepted = listener.accept()) {
                    current.set(new Connection(client, client.getLocalAddress()));
                    for (int spin = ThreadLocalRandom.current().nextInt(20_000); spin > 0; spin--) {
                        Thread.onSpinWait(); // let the introspector be anywhere in its calls when the close comes
                    }
                    client.close();
                }
            }
            introspector.join();
            reuser.join();
        }
        assertEquals(List.of(), List.copyOf(wrong));
        assertTrue(answered.get() > 1000, "introspection answered " + answered.get() + " times");
        assertTrue(closed.get() > 100, "closed channels seen " + closed.get() + " times: the race was not exercised");
        assertTrue(reused.get() > 1000, "plain channels opened " + reused.get());
    }
}
