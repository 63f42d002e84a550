package io.github.mptcpnio.internal;

import io.github.mptcpnio.internal.Settings.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {

    @Test
    void defaultsAreBothAndNotStrict() {
        Settings s = Settings.parse(null, null);
        assertEquals(Mode.BOTH, s.mode());
        assertFalse(s.strict());
    }

    @ParameterizedTest
    @CsvSource({"both,BOTH", "server,SERVER", "client,CLIENT", "off,OFF", " Server ,SERVER", "OFF,OFF"})
    void acceptsEveryModeCaseInsensitively(String value, Mode expected) {
        assertEquals(expected, Settings.parseMode(value));
    }

    @Test
    void modesCoverTheRightRoles() {
        assertTrue(Mode.BOTH.covers(true) && Mode.BOTH.covers(false));
        assertTrue(Mode.SERVER.covers(true) && !Mode.SERVER.covers(false));
        assertTrue(!Mode.CLIENT.covers(true) && Mode.CLIENT.covers(false));
        assertTrue(!Mode.OFF.covers(true) && !Mode.OFF.covers(false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "yes", "listeners", "bothh"})
    void rejectsInvalidModeNamingPropertyValueAndAllowedValues(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Settings.parseMode(value));
        assertEquals("mptcp.nio.mode: '" + value + "' (expected: both | server | client | off)", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "yes", "on", "TRUE!"})
    void rejectsInvalidStrict(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Settings.parseStrict(value));
        assertEquals("mptcp.nio.strict: '" + value + "' (expected: true | false)", e.getMessage());
    }

    @Test
    void parsesStrict() {
        assertTrue(Settings.parseStrict("true"));
        assertTrue(Settings.parseStrict("TRUE"));
        assertFalse(Settings.parseStrict("false"));
    }
}
