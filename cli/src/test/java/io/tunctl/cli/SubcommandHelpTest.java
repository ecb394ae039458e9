package io.tunctl.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tunctl <command> --help} works for every command (it was "Unknown option" before). */
class SubcommandHelpTest {

    @Test
    void everySubcommandTakesHelp() {
        CommandLine probe = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        for (String name : probe.getSubcommands().keySet()) {
            StringWriter out = new StringWriter(), err = new StringWriter();
            CommandLine cl = Main.commandLine(new PrintWriter(out), new PrintWriter(err));
            int code = cl.execute(name, "--help");
            assertEquals(0, code, name + " --help: " + err);
            assertTrue(out.toString().contains("Usage: tunctl " + name), name + " --help printed:\n" + out);
        }
    }
}
