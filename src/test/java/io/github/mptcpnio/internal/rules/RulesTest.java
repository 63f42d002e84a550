package io.github.mptcpnio.internal.rules;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RulesTest {

    private static Rules rules(String value) {
        return Rules.parse(value, true, true, "both");
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    /** What a client (or listener) gets: the rule's text and its protocol. */
    private static String decide(Rules r, boolean listener, String address, int port) throws Exception {
        int i = r.decide(listener, address == null ? null : ip(address), port);
        return r.describe(i) + " -> " + (r.mptcp(i) ? "mptcp" : "tcp");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1|default \"client loopback tcp\" -> tcp",
        "127.255.0.9|default \"client loopback tcp\" -> tcp",
        "::1|default \"client loopback tcp\" -> tcp",
        "::ffff:127.0.0.1|default \"client loopback tcp\" -> tcp", // the JDK makes it an Inet4Address
        "198.51.100.7|default \"mptcp\" -> mptcp",
        "2001:db8::1|default \"mptcp\" -> mptcp",
    })
    void withoutRulesLoopbackClientsStayTcpAndEverythingElseIsMptcp(String address, String expected) throws Exception {
        assertEquals(expected, decide(rules(null), false, address, 443));
    }

    @Test
    void aListenerOnLoopbackIsTcpByDefaultAndOnAnyOtherAddressMptcp() throws Exception {
        // only loopback clients can reach it; a TCP client of an MPTCP listener costs more than of a TCP one
        assertEquals("default \"listener loopback tcp\" -> tcp", decide(rules(""), true, "127.0.0.1", 8080));
        assertEquals("default \"listener loopback tcp\" -> tcp", decide(rules(""), true, "::1", 8080));
        assertEquals("default \"mptcp\" -> mptcp", decide(rules(""), true, "0.0.0.0", 8080));
        assertEquals("default \"mptcp\" -> mptcp", decide(rules(""), true, "::", 8080));
        assertEquals("default \"mptcp\" -> mptcp", decide(rules(""), true, "192.0.2.1", 8080));
    }

    @Test
    void firstMatchWinsAndUserRulesComeBeforeTheDefaults() throws Exception {
        Rules r = rules("client 198.51.100.0/24 port 5432 tcp; client loopback mptcp; listener port 8000-8099 tcp;"
                + " client 2001:db8::/32 mptcp; tcp");
        assertEquals("rule 1 \"client 198.51.100.0/24 port 5432 tcp\" -> tcp",
                decide(r, false, "198.51.100.20", 5432));
        assertEquals("rule 5 \"tcp\" -> tcp", decide(r, false, "198.51.100.20", 5433));
        assertEquals("rule 2 \"client loopback mptcp\" -> mptcp", decide(r, false, "127.0.0.1", 5432));
        assertEquals("rule 3 \"listener port 8000-8099 tcp\" -> tcp", decide(r, true, "0.0.0.0", 8099));
        assertEquals("rule 5 \"tcp\" -> tcp", decide(r, true, "0.0.0.0", 8100));
        assertEquals("rule 4 \"client 2001:db8::/32 mptcp\" -> mptcp", decide(r, false, "2001:db8:ff::1", 1));
        assertEquals("rule 5 \"tcp\" -> tcp", decide(r, false, "2001:db9::1", 1));
        long[] counts = r.counts();
        assertEquals(1, counts[0]);
        assertEquals(3, counts[4]);
        assertEquals(0, counts[counts.length - 1], "the defaults never decided");
    }

    @Test
    void theModeExcludesARoleBeforeAnyRule() throws Exception {
        Rules server = Rules.parse("client mptcp", true, false, "server");
        assertEquals("mode=server: client tcp -> tcp", decide(server, false, "198.51.100.1", 80));
        assertEquals("default \"mptcp\" -> mptcp", decide(server, true, "198.51.100.1", 80));
        Rules off = Rules.parse("mptcp", false, false, "off");
        assertEquals("mode=off -> tcp", decide(off, true, "198.51.100.1", 80));
        assertEquals("mode=off -> tcp", decide(off, false, "198.51.100.1", 80));
    }

    @Test
    void anUnknownAddressMatchesOnlyRulesWithoutOne() throws Exception {
        Rules r = rules("client 198.51.100.0/24 tcp; client loopback tcp");
        assertEquals("default \"mptcp\" -> mptcp", decide(r, false, null, 80));
    }

    @Test
    void aPrefixMatchesOnlyItsOwnFamily() throws Exception {
        Rules r = rules("0.0.0.0/0 tcp");
        assertEquals("rule 1 \"0.0.0.0/0 tcp\" -> tcp", decide(r, false, "203.0.113.1", 1));
        assertEquals("default \"mptcp\" -> mptcp", decide(r, false, "2001:db8::1", 1));
        Rules six = rules("::/0 tcp");
        assertEquals("rule 1 \"::/0 tcp\" -> tcp", decide(six, false, "2001:db8::1", 1));
        assertEquals("default \"mptcp\" -> mptcp", decide(six, false, "203.0.113.1", 1));
    }

    @Test
    void theSummaryNamesEveryRuleInOrder() {
        assertEquals("rules: defaults client loopback tcp; listener loopback tcp; mptcp", rules(null).summary());
        assertEquals("rules: client 192.0.2.0/24 port 443 mptcp; tcp; then defaults client loopback tcp; listener "
                + "loopback tcp; mptcp", rules("  CLIENT   192.0.2.0/24 port 443  MPTCP ;; tcp ").summary());
        assertEquals("rules: mode=server: client tcp; then defaults client loopback tcp; listener loopback tcp; mptcp",
                Rules.parse(null, true, false, "server").summary());
    }

    @Test
    void aFileHoldsRulesWithComments(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mptcp.rules");
        Files.writeString(file, "# databases in the rack: one path\nclient 198.51.100.0/24 tcp  # postgres\n\n"
                + "listener port 443 mptcp; client loopback mptcp\n");
        Rules r = rules("@" + file);
        assertEquals(3 + 3, r.all().size());
        assertEquals("rule 1 \"client 198.51.100.0/24 tcp\" -> tcp", decide(r, false, "198.51.100.9", 5432));
        assertEquals("rule 3 \"client loopback mptcp\" -> mptcp", decide(r, false, "127.0.0.1", 1));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> {
            Files.writeString(file, "client loopback tcp\nclient 10.0.0.0/33 tcp\n");
            rules("@" + file);
        });
        assertTrue(bad.getMessage().contains(file + ", line 2 'client 10.0.0.0/33 tcp'"), bad.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> rules("@" + dir.resolve("absent")));
        assertTrue(missing.getMessage().startsWith("mptcp.nio.rules: cannot read the rules file '"),
                missing.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "client 10.0.0/8 tcp|rule 1 'client 10.0.0/8 tcp': '10.0.0' is not an IPv4 or IPv6 address",
        "client example.com tcp|'example.com' is not an IPv4 or IPv6 address",
        "client 192.0.2.0/33 tcp|'33' is not a prefix length of an IPv4 address (0-32)",
        "2001:db8::/129 tcp|'129' is not a prefix length of an IPv6 address (0-128)",
        "client port tcp|'port' takes a port or a range P-Q",
        "port 70000 tcp|'70000' is not a port range within 0-65535",
        "port 9-8 tcp|'9-8' is not a port range within 0-65535",
        "client loopback|unexpected 'loopback', a rule ends with mptcp or tcp",
        "client loopback multipath|unexpected 'multipath', a rule ends with mptcp or tcp",
        "server loopback tcp|'server' is not an IPv4 or IPv6 address",
        "tcp; client 1.2.3.4 port 1 mptcp extra|rule 2 'client 1.2.3.4 port 1 mptcp extra': unexpected 'mptcp'",
        ";;|holds no rule",
    })
    void anInvalidRuleIsRejectedNamingItAndWhatIsExpected(String value, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rules(value));
        assertTrue(e.getMessage().startsWith("mptcp.nio.rules: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        if (!expected.equals("holds no rule")) {
            assertTrue(e.getMessage().endsWith("(expected: " + Rules.SYNTAX + ")"), e.getMessage());
        }
    }

    /**
     * Prefix matching against a reference that compares the addresses as numbers: random IPv4 and IPv6 prefixes,
     * random addresses near and far from them.
     */
    @Property(tries = 2000)
    void aPrefixMatchesExactlyTheAddressesWhoseLeadingBitsAreEqual(@ForAll boolean six, @ForAll byte[] seed,
                                                                   @ForAll @IntRange(min = 0, max = 128) int bits,
                                                                   @ForAll @IntRange(min = 0, max = 127) int flip)
            throws Exception {
        int size = six ? 16 : 4;
        int prefixBits = bits % (size * 8 + 1);
        byte[] prefix = new byte[size];
        for (int i = 0; i < size && i < seed.length; i++) {
            prefix[i] = seed[i];
        }
        byte[] address = prefix.clone();
        int bit = flip % (size * 8);
        address[bit / 8] ^= (byte) (0x80 >>> (bit % 8)); // differs in exactly one bit
        InetAddress p = InetAddress.getByAddress(prefix);
        InetAddress a = InetAddress.getByAddress(address);
        if (six && (p instanceof java.net.Inet4Address || a instanceof java.net.Inet4Address)) {
            return; // never: getByAddress keeps 16 bytes as IPv6
        }
        Rules r = rules("client " + p.getHostAddress() + "/" + prefixBits + " tcp");
        boolean expected = new BigInteger(1, address).shiftRight(size * 8 - prefixBits)
                .equals(new BigInteger(1, prefix).shiftRight(size * 8 - prefixBits));
        assertEquals(expected, !r.mptcp(r.decide(false, a, 1)) && r.origin(r.decide(false, a, 1))
                == Rules.Origin.USER, p + "/" + prefixBits + " vs " + a);
        assertTrue(r.all().get(0).matches(false, p, 1), "a prefix contains its own address");
        assertFalse(r.all().get(0).matches(true, p, 1), "a client rule never matches a listener");
    }
}
