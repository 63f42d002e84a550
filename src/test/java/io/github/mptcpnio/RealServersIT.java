package io.github.mptcpnio;

import apps.servers.JdbcApp;
import apps.servers.OkHttpApp;
import apps.servers.RedisApp;
import io.github.mptcpnio.testing.Daemon;
import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.Netns;
import io.github.mptcpnio.testing.RequiresMptcp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real clients that use {@code java.net.Socket} — the PostgreSQL JDBC driver, Jedis, OkHttp — unmodified, under the
 * agent alone, against real servers: PostgreSQL and Redis from Debian's packages, each started by the test inside a
 * private network namespace under {@code mptcpize run} so that it accepts MPTCP, and stopped by it. Proof from the
 * kernel, counted over the client's run only: every connection the server accepted carried MP_CAPABLE in its SYN (the
 * Java client was MPTCP) and its SYN-ACK (the server was), and every answer was checked.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RealServersIT {
    private static final int CONNECTIONS = 3;

    private static Forked.Result runUnderAgent(Netns ns, String app, String... args) throws Exception {
        return Forked.jvm().in(ns).args(AgentIT.agent(), Forked.NATIVE_ACCESS).run(app, 60, args).assertExit(0);
    }

    /** The client's run: counters before and after, every connection accepted in between MPTCP on both ends. */
    private static void assertEveryConnectionMptcp(Netns ns, Map<String, Long> before, Forked.Result r, int expected)
            throws Exception {
        Map<String, Long> after = ns.counters();
        long accepted = delta(before, after, "TcpPassiveOpens");
        assertEquals(expected, accepted, () -> "connections accepted during the client's run\n" + r);
        assertEquals(accepted, delta(before, after, "MPTcpExtMPCapableSYNRX"), "the client was MPTCP: " + after);
        assertEquals(accepted, delta(before, after, "MPTcpExtMPCapableSYNACKRX"), "the server was MPTCP: " + after);
        assertTrue(r.stderr().lines().noneMatch(l -> l.startsWith("WARNING")), r.stderr());
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String counter) {
        return after.getOrDefault(counter, 0L) - before.getOrDefault(counter, 0L);
    }

    @RequiresMptcp(netns = true, tools = {"mptcpize", "runuser", "pg_isready"})
    @Test
    void postgresqlJdbcDriver() throws Exception {
        Path initdb = Daemon.postgresBinary("initdb");
        Path postgres = Daemon.postgresBinary("postgres");
        Path dir = Files.createTempDirectory("mptcpnio-pg-");
        try (Netns ns = Netns.create("pg")) {
            Netns.host("chown", "postgres:postgres", dir.toString());
            Netns.host("runuser", "-u", "postgres", "--", initdb.toString(), "-D", dir.resolve("data").toString(),
                    "-A", "trust", "-U", "postgres", "--no-sync");
            try (Daemon server = Daemon.start(ns,
                    List.of("runuser", "-u", "postgres", "--", "mptcpize", "run", postgres.toString(), "-D",
                            dir.resolve("data").toString(), "-h", "127.0.0.1", "-p", "5432", "-k", dir.toString(),
                            "-c", "fsync=off"),
                    List.of("pg_isready", "-h", "127.0.0.1", "-p", "5432"),
                    List.of("runuser", "-u", "postgres", "--", Daemon.postgresBinary("pg_ctl").toString(), "stop",
                            "-D", dir.resolve("data").toString(), "-m", "fast"), 60)) {
                Map<String, Long> before = ns.counters();
                Forked.Result r = runUnderAgent(ns, JdbcApp.class.getName(), "5432", String.valueOf(CONNECTIONS));
                assertEquals("OK connections=" + CONNECTIONS, r.stdout().trim(), () -> r + "\n" + output(server));
                assertEveryConnectionMptcp(ns, before, r, CONNECTIONS);
            }
        } finally {
            Netns.host("rm", "-rf", dir.toString());
        }
    }

    @RequiresMptcp(netns = true, tools = {"mptcpize", "redis-server", "redis-cli"})
    @Test
    void redisWithJedis() throws Exception {
        try (Netns ns = Netns.create("redis");
             Daemon server = Daemon.start(ns,
                     List.of("mptcpize", "run", "redis-server", "--port", "6379", "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"),
                     List.of("redis-cli", "-p", "6379", "ping"),
                     List.of("redis-cli", "-p", "6379", "shutdown", "nosave"), 30)) {
            Map<String, Long> before = ns.counters();
            Forked.Result r = runUnderAgent(ns, RedisApp.class.getName(), "6379", String.valueOf(CONNECTIONS));
            assertEquals("OK connections=" + CONNECTIONS, r.stdout().trim(), () -> r + "\n" + output(server));
            assertEveryConnectionMptcp(ns, before, r, CONNECTIONS);
        }
    }

    @RequiresMptcp(netns = true)
    @Test
    void okHttpAgainstTheJdkHttpServer() throws Exception {
        try (Netns ns = Netns.create("okhttp")) {
            Map<String, Long> before = ns.counters();
            Forked.Result r = runUnderAgent(ns, OkHttpApp.class.getName(), "10");
            assertEquals("OK requests=10", r.stdout().trim(), r::toString);
            assertEveryConnectionMptcp(ns, before, r, 10);
        }
    }

    private static String output(Daemon d) {
        try {
            return d.output();
        } catch (java.io.IOException e) {
            return "(server output unreadable: " + e + ")";
        }
    }
}
