package io.tunctl.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * docs/cli/tunctl.adoc is generated from the picocli model, so the CLI reference cannot drift from the code.
 * After changing a command: {@code ./build.sh -q -pl cli test -Dtest=ManPageTest -Dtunctl.updateDocs=true}.
 */
class ManPageTest {
    private static final Path DOC = Path.of(System.getProperty("tunctl.repo",
            Path.of("").toAbsolutePath().getParent().toString())).resolve("docs/cli/tunctl.adoc");

    @Test
    void cliReferenceIsCurrent() throws Exception {
        StringWriter sw = new StringWriter();
        CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        try (PrintWriter pw = new PrintWriter(sw)) {
            ManPageGenerator.writeSingleManPage(pw, cl.getCommandSpec());
            writeSubcommands(pw, cl);
        }
        // the header carries the version line, which names this machine's JVM; keep the file stable
        String generated = sw.toString().replaceAll("(?m)^:(revnumber|mansource): .*$", ":$1: tunctl");
        if (Boolean.getBoolean("tunctl.updateDocs")) {
            Files.createDirectories(DOC.getParent());
            Files.writeString(DOC, generated);
        }
        assertEquals(generated, Files.exists(DOC) ? Files.readString(DOC) : "",
                DOC + " is stale: regenerate with -Dtunctl.updateDocs=true (see this test's Javadoc)");
    }

    /** Every visible subcommand, and theirs ({@code tunctl p2p node}), depth first. */
    private static void writeSubcommands(PrintWriter pw, CommandLine cl) throws java.io.IOException {
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (sub.getCommandSpec().usageMessage().hidden()) continue;
            pw.println();
            ManPageGenerator.writeSingleManPage(pw, sub.getCommandSpec());
            writeSubcommands(pw, sub);
        }
    }
}
