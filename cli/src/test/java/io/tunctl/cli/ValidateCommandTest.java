package io.tunctl.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tunctl validate}: one resource file per failure reason, each located at file:line:col: field. */
class ValidateCommandTest {

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    static String resource(String name) {
        try {
            return Path.of(ValidateCommandTest.class.getResource("/configs/" + name).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @CsvSource({"ok-udp.yaml", "ok-udp.jsonc", "nospoon-server.jsonc", "nospoon-client.jsonc", "p2p-unified.yaml"})
    void validConfigsPrintOk(String file) {
        Result r = run("validate", resource(file));
        assertEquals("ok", r.out().strip(), r.err());
        assertEquals(0, r.code());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "bad-syntax.json        | 3:35: (document): syntax error",
            "unknown-transport.yaml | 1:12: transport: unknown transport 'carrier-pigeon'",
            "unknown-field.yaml     | 6:3: udp.peer_address: unknown field 'peer_address'",
            "bad-cidr.yaml          | 5:7: interface.addresses[1]: not an IPv4 address",
            "bad-port.yaml          | 6:9: udp.peer: port 70000 out of range",
            "missing-listen.yaml    | 5:3: udp: missing 'listen'",
            "mtu-range.yaml         | 3:8: interface.mtu: MTU 20 out of range 68..65535",
            "unknown-section.yaml   | 6:1: extra: unknown section 'extra'",
            "not-a-config.json      | 1:1: (document): not a tunctl config",
            "nospoon-bad-peer.jsonc | 4:73: peers.afd613261c74b231218c03a15f92c1ea3f051eb5bcd776345b6281ffc048dac8: "
                    + "Peer afd61326... IP 10.0.1.2 is not in server subnet"})
    void brokenConfigsNameFileLineColumnAndField(String file, String expected) {
        Result r = run("validate", resource(file));
        assertEquals(2, r.code(), r.err());
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith(resource(file) + ":" + expected), "got: " + r.err());
    }

    @org.junit.jupiter.api.Test
    void missingFileIsAConfigError() {
        Result r = run("validate", "/nonexistent/tunctl.yaml");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("/nonexistent/tunctl.yaml:0:0: (document): no such file"), r.err());
    }

    @org.junit.jupiter.api.Test
    void unknownCommandIsUsageError() {
        Result r = run("frobnicate");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Unmatched argument"), r.err());
    }

    @org.junit.jupiter.api.Test
    void versionListsTheUdpPlugin() {
        Result r = run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("tunctl "), r.out());
        assertTrue(r.out().contains("transport udp"), r.out());
    }
}
