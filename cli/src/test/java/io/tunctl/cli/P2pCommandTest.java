package io.tunctl.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tunctl p2p} and the argument checks of {@code tunctl p2p node} (no socket is opened by these). */
class P2pCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine(new PrintWriter(out), new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void p2pWithoutSubcommandIsAUsageError() {
        assertEquals(ExitCodes.USAGE, run("p2p"));
        assertTrue(err.toString().contains("Missing required subcommand"), err.toString());
    }

    @Test
    void nodeHelpListsItsOptions() {
        assertEquals(ExitCodes.OK, run("p2p", "node", "--help"));
        for (String o : new String[] {"--port", "--host", "--bind", "--bootstrap", "49737"}) {
            assertTrue(out.toString().contains(o), o + " missing from\n" + out);
        }
    }

    @Test
    void badArgumentsAreUsageErrorsThatSayWhy() {
        String[][] cases = {
            {"--bootstrap", "nohost", "--bootstrap: bootstrap node 'nohost'"},
            {"--bootstrap", "h:99999", "port must be 1-65535"},
            {"--host", "0.0.0.0", "--host must be an address others reach"},
            {"--host", "example.org", "--host must be an IPv4 address"},
            {"--bind", "::1", "--bind must be an IPv4 address"},
            {"--port", "70000", "--port must be 0-65535"},
        };
        for (String[] c : cases) {
            out.getBuffer().setLength(0);
            err.getBuffer().setLength(0);
            int code = c[0].equals("--host") ? run("p2p", "node", c[0], c[1])
                    : run("p2p", "node", "--host", "127.0.0.1", c[0], c[1]);
            assertEquals(ExitCodes.USAGE, code, String.join(" ", c) + ": " + err);
            assertTrue(err.toString().contains(c[2]), String.join(" ", c) + " printed: " + err);
        }
    }
    @Test
    void listenConnectLookupHelpListTheirOptions() {
        for (String cmd : new String[] {"listen", "connect", "lookup"}) {
            out.getBuffer().setLength(0);
            assertEquals(ExitCodes.OK, run("p2p", cmd, "--help"));
            for (String o : new String[] {"--bootstrap", "--bind", "--port"}) {
                assertTrue(out.toString().contains(o), cmd + ": " + o + " missing from\n" + out);
            }
        }
        out.getBuffer().setLength(0);
        run("p2p", "listen", "--help");
        assertTrue(out.toString().contains("--seed-file") && out.toString().contains("--allow"), out.toString());
    }

    @Test
    void badKeysSeedFilesAndFlagsAreUsageErrorsThatSayWhy() throws Exception {
        java.nio.file.Path badSeed = java.nio.file.Files.createTempFile("tunctl-seed", ".txt");
        java.nio.file.Files.writeString(badSeed, "not a seed");
        String key = "ab".repeat(32);
        String[][] cases = {
            {"connect", "xyz", "not a public key"},
            {"lookup", "12345", "not a public key"},
            {"connect", key, "--bind", "::1", "--bind must be an IPv4 address"},
            {"connect", key, "--port", "70000", "--port must be 0-65535"},
            {"lookup", key, "--bootstrap", "nohost", "--bootstrap: bootstrap node 'nohost'"},
            {"listen", "--seed-file", badSeed.toString(), "expected 64 hex characters"},
            {"listen", "--seed-file", badSeed.toString(), "--allow", "zz", "--allow: not a public key"},
        };
        try {
            for (String[] c : cases) {
                out.getBuffer().setLength(0);
                err.getBuffer().setLength(0);
                String[] args = new String[c.length];
                args[0] = "p2p";
                System.arraycopy(c, 0, args, 1, c.length - 1);
                assertEquals(ExitCodes.USAGE, run(args), String.join(" ", c) + ": " + err);
                assertTrue(err.toString().contains(c[c.length - 1]), String.join(" ", c) + " printed: " + err);
            }
        } finally {
            java.nio.file.Files.deleteIfExists(badSeed);
        }
    }
}
