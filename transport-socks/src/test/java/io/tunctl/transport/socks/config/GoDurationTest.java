package io.tunctl.transport.socks.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GoDurationTest {

    @Test
    void parsesGoSpellings() {
        assertEquals(Duration.ofSeconds(30), GoDuration.parse("30s"));
        assertEquals(Duration.ofSeconds(90), GoDuration.parse("1m30s"));
        assertEquals(Duration.ofMillis(250), GoDuration.parse("250ms"));
        assertEquals(Duration.ofMinutes(90), GoDuration.parse("1.5h"));
        assertEquals(Duration.ofNanos(1500), GoDuration.parse("1us500ns"));
        assertEquals(Duration.ofNanos(2000), GoDuration.parse("2µs"));
        assertEquals(Duration.ZERO, GoDuration.parse("0"));
        assertEquals(Duration.ZERO, GoDuration.parse("0s"));
    }

    @Test
    void saysWhatIsWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("30")).getMessage().contains("missing unit"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("5d")).getMessage().contains("unknown unit 'd'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("-5s")).getMessage().contains("negative"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("s")).getMessage().contains("bad duration"));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(""));
    }

    @Test
    void formatsLikeGo() {
        assertEquals("1m30s", GoDuration.format(Duration.ofSeconds(90)));
        assertEquals("250ms", GoDuration.format(Duration.ofMillis(250)));
        assertEquals("0s", GoDuration.format(Duration.ZERO));
        assertEquals("1h0m0s", GoDuration.format(Duration.ofHours(1)));
    }
}
