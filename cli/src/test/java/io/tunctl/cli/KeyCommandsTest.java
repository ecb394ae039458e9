package io.tunctl.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tunctl genkey} prints nospoon's two lines; {@code tunctl pubkey} derives the key from a seed on stdin. */
class KeyCommandsTest {
    /** The spec's vector, observed from nospoon genkey (libsodium crypto_sign_seed_keypair). */
    private static final String SEED = "ead2e30ed40324cfe5ac67b7dcdaec8729240889e15e867270f3d0e6ca610fe3";
    private static final String PUBLIC = "afd613261c74b231218c03a15f92c1ea3f051eb5bcd776345b6281ffc048dac8";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String stdin, String... args) {
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            CommandLine cl = Main.commandLine(new PrintWriter(out), new PrintWriter(err));
            return cl.execute(args);
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void genkeyLinesAreNospoonsForTheSpecVector() {
        assertEquals("Seed (keep secret):   " + SEED + "\nPublic key (share):   " + PUBLIC + "\n",
                GenkeyCommand.lines(HexFormat.of().parseHex(SEED)));
    }

    @Test
    void genkeyPrintsAFreshIdentityEachTime() {
        assertEquals(ExitCodes.OK, run("", "genkey"));
        String first = out.toString();
        assertTrue(first.matches("Seed \\(keep secret\\):   [0-9a-f]{64}\nPublic key \\(share\\):   [0-9a-f]{64}\n"),
                first);
        out.getBuffer().setLength(0);
        assertEquals(ExitCodes.OK, run("", "genkey"));
        assertNotEquals(first, out.toString());
        // and pubkey agrees with genkey about the public key of the seed it printed
        String seed = first.substring(22, 86);
        String pub = first.substring(first.lastIndexOf(' ') + 1).strip();
        out.getBuffer().setLength(0);
        assertEquals(ExitCodes.OK, run(seed + "\n", "pubkey"));
        assertEquals(pub + "\n", out.toString().replace("\r\n", "\n"));
    }

    @Test
    void pubkeyReadsASeedInEitherCaseOrGenkeysLine() {
        assertEquals(ExitCodes.OK, run(SEED.toUpperCase() + "\n", "pubkey"));
        assertEquals(PUBLIC, out.toString().strip());
        out.getBuffer().setLength(0);
        assertEquals(ExitCodes.OK, run(GenkeyCommand.lines(HexFormat.of().parseHex(SEED)), "pubkey"));
        assertEquals(PUBLIC, out.toString().strip());
    }

    @Test
    void pubkeyRejectsWhatIsNotASeed() {
        assertEquals(ExitCodes.USAGE, run("abc\n", "pubkey"));
        assertTrue(err.toString().contains("expected a seed of exactly 64 hex characters, got 3 characters"),
                err.toString());
        err.getBuffer().setLength(0);
        assertEquals(ExitCodes.USAGE, run(SEED.substring(1) + "g", "pubkey"));
        assertTrue(err.toString().contains("64 hex characters"), err.toString());
        assertEquals("", out.toString());
    }
}
