package io.github.mptcpnio.internal.rules;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which sockets become MPTCP: the rules of {@code mptcp.nio.rules}, first match wins, decided where the address is
 * known — a client at its connect (its destination), a listener at its bind (its bound address).
 *
 * <pre>
 *   rule     = [client | listener] [ADDRESS[/BITS] | loopback] [port P[-Q]] (mptcp | tcp)
 *   rules    = rule (';' rule)*            or  '@' FILE  (one or more rules a line, '#' starts a comment)
 * </pre>
 *
 * <p>Evaluated in this order: what the mode excludes ({@code mode=server}: every client TCP), the user's rules, then
 * the defaults — {@code client loopback tcp} and {@code listener loopback tcp} (MPTCP never adds a path to a loopback
 * peer and costs 0.3–0.7× TCP there; a listener bound to a loopback address only ever has loopback clients) and
 * {@code mptcp}. So {@code loopback mptcp} among the user's rules gives loopback sockets MPTCP again, and a last rule
 * {@code tcp} keeps everything not named before on TCP.
 *
 * <p>Every decision is an index into {@link #all()}; {@link #describe(int)} explains it and {@link #counts()} counts
 * them. This package knows nothing of the JDK's or Netty's classes.
 */
public final class Rules {
    public static final String PROPERTY = "mptcp.nio.rules";
    static final String SYNTAX = "[client|listener] [ADDRESS[/BITS]|loopback] [port P[-Q]] mptcp|tcp, rules "
            + "separated by ';' (or @FILE, one or more a line)";

    /** Where a rule comes from, for its explanation. */
    public enum Origin { MODE, USER, DEFAULT }

    private final List<Rule> all;
    private final List<Origin> origins;
    private final int userCount;
    private final AtomicLongArray counts;

    private Rules(List<Rule> all, List<Origin> origins, int userCount) {
        this.all = Collections.unmodifiableList(all);
        this.origins = Collections.unmodifiableList(origins);
        this.userCount = userCount;
        this.counts = new AtomicLongArray(all.size());
    }

    /**
     * The rules of a setting ({@code null} or blank: none of the user's), behind what the mode allows.
     *
     * @param listeners whether the mode lets listeners be MPTCP
     * @param clients whether the mode lets clients be MPTCP
     * @throws IllegalArgumentException naming the rule and what is expected, for an invalid rule or unreadable file
     */
    public static Rules parse(String value, boolean listeners, boolean clients, String modeName) {
        List<Rule> all = new ArrayList<>();
        List<Origin> origins = new ArrayList<>();
        if (!listeners && !clients) {
            add(all, origins, new Rule("mode=" + modeName, Rule.Role.ANY, false, null, 0, 0, 65535, false),
                    Origin.MODE);
        } else if (!listeners || !clients) {
            Rule.Role excluded = listeners ? Rule.Role.CLIENT : Rule.Role.LISTENER;
            add(all, origins, new Rule("mode=" + modeName + ": " + excluded.name().toLowerCase(Locale.ROOT)
                    + " tcp", excluded, false, null, 0, 0, 65535, false), Origin.MODE);
        }
        List<Rule> user = value == null || value.isBlank() ? List.of() : userRules(value.trim());
        for (Rule r : user) {
            add(all, origins, r, Origin.USER);
        }
        add(all, origins, rule("client loopback tcp", "default"), Origin.DEFAULT);
        add(all, origins, rule("listener loopback tcp", "default"), Origin.DEFAULT);
        add(all, origins, rule("mptcp", "default"), Origin.DEFAULT);
        return new Rules(all, origins, user.size());
    }

    private static void add(List<Rule> all, List<Origin> origins, Rule r, Origin o) {
        all.add(r);
        origins.add(o);
    }

    private static List<Rule> userRules(String value) {
        List<Rule> out = new ArrayList<>();
        if (value.startsWith("@")) {
            Path file = Path.of(value.substring(1).trim());
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException(PROPERTY + ": cannot read the rules file '" + file + "': " + e);
            }
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                int hash = line.indexOf('#');
                parseList(hash < 0 ? line : line.substring(0, hash), file + ", line " + (i + 1), out);
            }
            return out;
        }
        parseList(value, null, out);
        if (out.isEmpty()) {
            throw new IllegalArgumentException(PROPERTY + ": '" + value + "' holds no rule (expected: " + SYNTAX + ")");
        }
        return out;
    }

    private static void parseList(String text, String where, List<Rule> out) {
        for (String piece : text.split(";")) {
            if (!piece.isBlank()) {
                out.add(rule(piece, where == null ? "rule " + (out.size() + 1) : where));
            }
        }
    }

    /** One rule; {@code where} names it in an error ("rule 2", "rules.txt, line 4"). */
    static Rule rule(String text, String where) {
        String[] tokens = tokens(text.toLowerCase(Locale.ROOT));
        String normal = String.join(" ", tokens);
        int i = 0;
        Rule.Role role = Rule.Role.ANY;
        if (tokens[i].equals("client") || tokens[i].equals("listener")) {
            role = tokens[i].equals("client") ? Rule.Role.CLIENT : Rule.Role.LISTENER;
            i++;
        }
        boolean loopback = false;
        byte[] prefix = null;
        int bits = 0;
        int from = 0;
        int to = 65535;
        if (i < tokens.length - 1 && !tokens[i].equals("port")) {
            if (tokens[i].equals("loopback")) {
                loopback = true;
            } else {
                String a = tokens[i];
                int slash = a.indexOf('/');
                prefix = address(slash < 0 ? a : a.substring(0, slash), normal, where);
                bits = prefix.length * 8;
                if (slash >= 0) {
                    String b = a.substring(slash + 1);
                    if (!digits(b, 3) || Integer.parseInt(b) > bits) {
                        throw invalid(normal, where, "'" + b + "' is not a prefix length of an IPv"
                                + (bits == 32 ? "4 address (0-32)" : "6 address (0-128)"));
                    }
                    bits = Integer.parseInt(b);
                }
            }
            i++;
        }
        if (i < tokens.length - 1 && tokens[i].equals("port")) {
            String p = tokens[i + 1];
            int dash = p.indexOf('-');
            String first = dash < 0 ? p : p.substring(0, dash);
            String last = dash < 0 ? p : p.substring(dash + 1);
            if (i + 1 >= tokens.length - 1 || !digits(first, 5) || !digits(last, 5)) {
                throw invalid(normal, where, "'port' takes a port or a range P-Q");
            }
            from = Integer.parseInt(first);
            to = Integer.parseInt(last);
            if (to > 65535 || from > to) {
                throw invalid(normal, where, "'" + tokens[i + 1] + "' is not a port range within 0-65535");
            }
            i += 2;
        }
        if (i != tokens.length - 1 || !(tokens[i].equals("mptcp") || tokens[i].equals("tcp"))) {
            String at = i < tokens.length ? "'" + tokens[i] + "'" : "the end";
            throw invalid(normal, where, "unexpected " + at + (i == tokens.length - 1 || i >= tokens.length
                    ? ", a rule ends with mptcp or tcp" : ""));
        }
        return new Rule(normal, role, loopback, prefix, bits, from, to, tokens[i].equals("mptcp"));
    }

    /** A literal IPv4 or IPv6 address: never a name (no DNS look-up while the JVM starts). */
    private static byte[] address(String a, String rule, String where) {
        if (ipv4(a) || (a.indexOf(':') >= 0 && onlyOf(a, "0123456789abcdef:."))) {
            try {
                return InetAddress.getByName(a).getAddress(); // a literal: parsed, not looked up
            } catch (UnknownHostException | RuntimeException e) {
                // falls through to the error below
            }
        }
        throw invalid(rule, where, "'" + a + "' is not an IPv4 or IPv6 address, a prefix ADDRESS/BITS or 'loopback'");
    }

    // Parsed by hand, not with java.util.regex: this runs in the agent's premain, where compiling a first pattern
    // loads some forty classes (a few milliseconds of every JVM's start).

    /** The words of {@code text}, split at runs of whitespace; none for a blank text. */
    static String[] tokens(String text) {
        List<String> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= text.length(); i++) {
            boolean space = i == text.length() || Character.isWhitespace(text.charAt(i));
            if (space && start >= 0) {
                out.add(text.substring(start, i));
                start = -1;
            } else if (!space && start < 0) {
                start = i;
            }
        }
        return out.isEmpty() ? new String[] {""} : out.toArray(new String[0]);
    }

    /** 1 to {@code max} ASCII digits. */
    static boolean digits(String s, int max) {
        return !s.isEmpty() && s.length() <= max && onlyOf(s, "0123456789");
    }

    private static boolean onlyOf(String s, String allowed) {
        for (int i = 0; i < s.length(); i++) {
            if (allowed.indexOf(s.charAt(i)) < 0) {
                return false;
            }
        }
        return !s.isEmpty();
    }

    /** Four groups of 1-3 digits separated by dots (the values are checked by the address parser). */
    private static boolean ipv4(String a) {
        String[] parts = a.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (!digits(p, 3)) {
                return false;
            }
        }
        return true;
    }

    private static IllegalArgumentException invalid(String rule, String where, String why) {
        return new IllegalArgumentException(PROPERTY + ": " + where + " '" + rule + "': " + why + " (expected: "
                + SYNTAX + ")");
    }

    /**
     * The index of the first rule that matches a socket of this role whose address is {@code address} ({@code null}:
     * unknown) and port {@code port}, counted. The last default matches everything.
     */
    public int decide(boolean listener, InetAddress address, int port) {
        for (int i = 0; ; i++) {
            if (all.get(i).matches(listener, address, port)) {
                counts.incrementAndGet(i);
                return i;
            }
        }
    }

    /** Whether the decision {@code index} is MPTCP. */
    public boolean mptcp(int index) {
        return all.get(index).mptcp();
    }

    /** Every rule in the order of evaluation: the mode's, the user's, the defaults. */
    public List<Rule> all() {
        return all;
    }

    public Origin origin(int index) {
        return origins.get(index);
    }

    /** How many decisions each rule made, in the order of {@link #all()}. */
    public long[] counts() {
        long[] out = new long[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = counts.get(i);
        }
        return out;
    }

    /** {@code rule 2 "client 198.51.100.0/24 tcp"}, {@code default "client loopback tcp"}, {@code mode=server ...}. */
    public String describe(int index) {
        Rule r = all.get(index);
        switch (origins.get(index)) {
            case MODE: return r.text();
            case USER: return "rule " + (index - firstUser() + 1) + " \"" + r.text() + "\"";
            default: return "default \"" + r.text() + "\"";
        }
    }

    private int firstUser() {
        return origins.indexOf(Origin.USER) < 0 ? 0 : origins.indexOf(Origin.USER);
    }

    /** Whether the user gave rules. */
    public boolean userRules() {
        return userCount > 0;
    }

    /** The rules in force, for the one INFO line: {@code rules: a; b; then defaults client loopback tcp; ...}. */
    public String summary() {
        StringBuilder sb = new StringBuilder("rules: ");
        String sep = "";
        boolean defaults = false;
        for (int i = 0; i < all.size(); i++) {
            if (origins.get(i) == Origin.DEFAULT && !defaults) {
                sb.append(sep).append(userCount > 0 || origins.get(0) == Origin.MODE ? "then " : "").append("defaults ");
                sep = "";
                defaults = true;
            }
            sb.append(sep).append(all.get(i).text());
            sep = "; ";
        }
        return sb.toString();
    }
}
