package io.github.mptcpnio;

import io.github.mptcpnio.internal.KernelRecords;
import io.github.mptcpnio.internal.KnownDifferences;
import io.github.mptcpnio.internal.KnownDifferences.Difference;
import io.github.mptcpnio.internal.KnownDifferences.LaunchMode;
import io.github.mptcpnio.testing.CompatibilityProbe;
import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.KernelCondition;
import io.github.mptcpnio.testing.RequiresMptcp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Measures what an application observes ({@link CompatibilityProbe}: every socket option, get and set, in every state,
 * family and kind of socket, urgent data, writes and reads around the peer's close, {@code available()} at the end of
 * stream) in a plain JVM and in JVMs under the switch and under the agent, and requires the differences to be exactly
 * {@link KnownDifferences#TABLE}, per launch mode: a listed difference that does not occur makes the table stale, an
 * unlisted one makes it incomplete; both fail. The table is Linux 6.18's; on another kernel (6.1, 6.12 in the guests of
 * {@code KernelsIT}) the differences must be exactly that kernel's record ({@link KernelRecords}).
 */
@RequiresMptcp
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CompatibilityIT {
    private static final String[] ALL_ROLES = {"connected", "client_fallen_back", "accepted_from_tcp"};
    private static Map<String, String> plain;

    @BeforeAll
    static void baseline() throws Exception {
        plain = probe(Forked.jvm().args(Forked.NATIVE_ACCESS), ALL_ROLES);
    }

    /**
     * The probe's lines from one JVM per role: {@code connected} with every socket on MPTCP (mode=both),
     * {@code client_fallen_back} with listeners left on TCP (mode=client), {@code accepted_from_tcp} with clients
     * left on TCP (mode=server).
     */
    private static Map<String, String> underMode(LaunchMode mode) throws Exception {
        Map<String, String> out = new TreeMap<>();
        String[][] roleAndMode = {{"connected", "both"}, {"client_fallen_back", "client"},
            {"accepted_from_tcp", "server"}};
        for (String[] rm : roleAndMode) {
            Forked jvm = mode == LaunchMode.SWITCH
                    ? Forked.jvm().enabled().args("-Dmptcp.nio.mode=" + rm[1])
                    : Forked.jvm().classPath(AgentIT.testClasses())
                            .args(AgentIT.agent() + ",mode=" + rm[1], Forked.NATIVE_ACCESS);
            out.putAll(probe(jvm, rm[0]));
        }
        return out;
    }

    private static Map<String, String> probe(Forked jvm, String... roles) throws Exception {
        Forked.Result r = jvm.run(CompatibilityProbe.class.getName(), 120, roles).assertExit(0);
        Map<String, String> out = new TreeMap<>();
        for (String line : r.stdout().split("\n")) {
            int tab = line.indexOf('\t');
            if (tab > 0) {
                out.put(line.substring(0, tab), line.substring(tab + 1));
            }
        }
        assertTrue(out.size() > 20 * roles.length, "the probe measured too little:\n" + r.stdout() + r.stderr());
        return out;
    }

    /** key "subject [GET|SET] STATE FAMILY KIND" to "mptcp=... jdk=..." for every difference observed in a mode. */
    static Map<String, String> observedDifferences(LaunchMode mode) throws Exception {
        Map<String, String> ours = underMode(mode);
        assertEquals(plain.keySet(), ours.keySet(), "the plain JVM and the " + mode + " JVM measured different things");
        Map<String, String> diffs = new TreeMap<>();
        for (String key : plain.keySet()) {
            if (!plain.get(key).equals(ours.get(key))) {
                diffs.put(key, "mptcp=" + ours.get(key) + " jdk=" + plain.get(key));
            }
        }
        return diffs;
    }

    static Map<String, String> expectedDifferences(LaunchMode mode) {
        return KernelRecords.expand(mode);
    }

    @Test
    void underTheSwitchTheTableIsExactlyWhatTheKernelDoes() throws Exception {
        assertAsRecorded(LaunchMode.SWITCH, observedDifferences(LaunchMode.SWITCH));
    }

    @Test
    void underTheAgentTheTableIsExactlyWhatTheKernelDoes() throws Exception {
        assertAsRecorded(LaunchMode.AGENT, observedDifferences(LaunchMode.AGENT));
    }

    /**
     * On the table's kernel the observed differences are exactly the table; on another kernel exactly that kernel's
     * record ({@link KernelRecords}), which {@code -Dmptcp.nio.regenerate=true} writes from what it observes.
     */
    private static void assertAsRecorded(LaunchMode mode, Map<String, String> observed) throws Exception {
        String series = KernelCondition.runningSeries();
        if (Boolean.getBoolean("mptcp.nio.regenerate") && !series.equals(KernelRecords.TABLE_KERNEL)) {
            KernelRecords.write(series, mode, observed, "Linux " + System.getProperty("os.version") + ", "
                    + System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        }
        if (series.equals(KernelRecords.TABLE_KERNEL)) {
            assertExactly(expectedDifferences(mode), observed, "KnownDifferences.TABLE");
            return;
        }
        Map<String, String> recorded = KernelRecords.read(series).map(r -> r.get(mode)).orElseThrow(() ->
                new AssertionError("no record of Linux " + series + " in " + KernelRecords.file(series)
                        + ": measure it with -Dmptcp.nio.regenerate=true on that kernel (README, tests)"));
        assertExactly(recorded, observed, KernelRecords.file(series).toString());
    }

    /** Equal maps, or a failure that names what is listed but did not occur, and what occurred but is not listed. */
    private static void assertExactly(Map<String, String> expected, Map<String, String> observed, String source) {
        StringBuilder stale = new StringBuilder();
        StringBuilder unlisted = new StringBuilder();
        for (Map.Entry<String, String> e : expected.entrySet()) {
            if (!e.getValue().equals(observed.get(e.getKey()))) {
                stale.append("\n  ").append(e.getKey()).append(": listed ").append(e.getValue()).append(", observed ")
                        .append(observed.getOrDefault(e.getKey(), "no difference"));
            }
        }
        for (Map.Entry<String, String> e : observed.entrySet()) {
            if (!expected.containsKey(e.getKey())) {
                unlisted.append("\n  ").append(e.getKey()).append(": ").append(e.getValue());
            }
        }
        assertTrue(stale.isEmpty() && unlisted.isEmpty(), source + " is stale:" + stale + "\nnot in " + source + ":"
                + unlisted);
    }

    /** The table itself: every difference shows in at least one launch mode, and each mode has its own rows. */
    @Test
    void everyRowIsADifferenceSomewhere() {
        for (Difference d : KnownDifferences.TABLE) {
            assertTrue(d.underSwitch() != null || d.underAgent() != null, d.subject() + " differs nowhere");
        }
        Map<LaunchMode, Integer> rows = new EnumMap<>(LaunchMode.class);
        for (LaunchMode m : LaunchMode.values()) {
            rows.put(m, expectedDifferences(m).size());
        }
        assertTrue(rows.values().stream().allMatch(n -> n > 0), rows.toString());
    }
}
