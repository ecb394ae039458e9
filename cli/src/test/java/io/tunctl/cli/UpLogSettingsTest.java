package io.tunctl.cli;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.tunctl.core.runtime.Transports;
import io.tunctl.core.spi.TransportProvider;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code up} reads a transport config's {@code log} member only when {@link UpCommand#mayHaveLog} says there can be
 * one: for every installed transport that answer must cover every config Jackson would write a {@code log} for.
 */
class UpLogSettingsTest {

    @Test
    void everyConfigJacksonWritesALogForIsLookedAt() {
        ObjectMapper mapper = new ObjectMapper();
        int withLog = 0;
        for (TransportProvider<?> p : Transports.load().all()) {
            JavaType type = mapper.constructType(p.configType());
            boolean jacksonWritesLog = mapper.getSerializationConfig().introspect(type).findProperties().stream()
                    .filter(BeanPropertyDefinition::couldSerialize).anyMatch(d -> d.getName().equals("log"));
            if (jacksonWritesLog) {
                withLog++;
                assertTrue(UpCommand.mayHaveLog(p.configType()), p.name() + ": its config has a log member");
            }
        }
        assertEquals(1, withLog, "socks (nano-tun's logLevel and logDir) is the transport with a log member");
    }

    @Test
    void aConfigWithoutLogIsNotWritten() {
        record Plain(String listen, String peer) {}
        record Logged(String listen, Object log) {}
        assertFalse(UpCommand.mayHaveLog(Plain.class));
        assertTrue(UpCommand.mayHaveLog(Logged.class));
    }
}
