package io.github.mptcpnio.internal;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The two system properties, validated: {@code mptcp.nio.mode} and {@code mptcp.nio.strict}. An invalid value is
 * rejected with the property name, the value and the allowed values; it is never silently ignored.
 */
public final class Settings {
    public static final String MODE_PROPERTY = "mptcp.nio.mode";
    public static final String STRICT_PROPERTY = "mptcp.nio.strict";

    /** Which channels get MPTCP, like Go's {@code GODEBUG=multipathtcp=1|2|3|0}. */
    public enum Mode {
        BOTH(true, true), SERVER(true, false), CLIENT(false, true), OFF(false, false);

        private final boolean servers;
        private final boolean clients;

        Mode(boolean servers, boolean clients) {
            this.servers = servers;
            this.clients = clients;
        }

        public boolean covers(boolean server) {
            return server ? servers : clients;
        }

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Mode mode;
    private final boolean strict;
    /** The agent's rules in force, as the one line names them; null under the switch (the mode alone decides). */
    private final String rules;

    public Settings(Mode mode, boolean strict) {
        this(mode, strict, null);
    }

    private Settings(Mode mode, boolean strict, String rules) {
        this.mode = Objects.requireNonNull(mode, "mode");
        this.strict = strict;
        this.rules = rules;
    }

    /** The same settings, whose one line names the agent's rules ({@code Rules.summary()}). */
    public Settings withRules(String rulesSummary) {
        return new Settings(mode, strict, rulesSummary);
    }

    public Mode mode() { return mode; }

    public boolean strict() { return strict; }

    /** Reads and validates both properties. @throws IllegalArgumentException on an invalid value */
    public static Settings fromSystemProperties() {
        return parse(System.getProperty(MODE_PROPERTY), System.getProperty(STRICT_PROPERTY));
    }

    /** Validates raw values; null means unset. @throws IllegalArgumentException on an invalid value */
    public static Settings parse(String modeValue, String strictValue) {
        return new Settings(parseMode(modeValue), parseStrict(strictValue));
    }

    public static Mode parseMode(String value) {
        if (value == null) {
            return Mode.BOTH;
        }
        for (Mode m : Mode.values()) {
            if (m.value().equals(value.trim().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException(MODE_PROPERTY + ": '" + value + "' (expected: "
                + Arrays.stream(Mode.values()).map(Mode::value).collect(Collectors.joining(" | ")) + ")");
    }

    public static boolean parseStrict(String value) {
        if (value == null) {
            return false;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true": return true;
            case "false": return false;
            default: throw new IllegalArgumentException(STRICT_PROPERTY + ": '" + value + "' (expected: true | false)");
        }
    }

    @Override
    public String toString() {
        return MODE_PROPERTY + "=" + mode.value() + ", " + STRICT_PROPERTY + "=" + strict
                + (rules == null ? "" : "; " + rules);
    }
}
