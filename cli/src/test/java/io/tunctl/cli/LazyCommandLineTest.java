package io.tunctl.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Main#commandLine(PrintWriter, PrintWriter, String...)}, the tree a start builds for its arguments, behaves as
 * the full tree for them (exit code, out and err alike) while holding only the invoked command's model.
 */
class LazyCommandLineTest {

    record Result(int code, String out, String err) {}

    private static Result run(boolean lazy, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        PrintWriter o = new PrintWriter(out, true), e = new PrintWriter(err, true);
        CommandLine cl = lazy ? Main.commandLine(o, e, args) : Main.commandLine(o, e);
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private static void assertSame(String... args) {
        Result full = run(false, args), lazy = run(true, args);
        assertEquals(full, lazy, "tunctl " + String.join(" ", args));
    }

    private static String resource(String name) {
        try {
            return Path.of(LazyCommandLineTest.class.getResource("/configs/" + name).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /** The names of the subcommands a tree holds, and of those of its {@code p2p} if it has one. */
    private static List<String> names(String... args) {
        PrintWriter nowhere = new PrintWriter(new StringWriter());
        CommandLine cl = Main.commandLine(nowhere, nowhere, args);
        List<String> names = new ArrayList<>(cl.getSubcommands().keySet());
        CommandLine p2p = cl.getSubcommands().get("p2p");
        if (p2p != null) p2p.getSubcommands().keySet().forEach(t -> names.add("p2p " + t));
        return names;
    }

    @Test
    void listsMatchTheCommandsNames() {
        PrintWriter nowhere = new PrintWriter(new StringWriter());
        CommandLine full = Main.commandLine(nowhere, nowhere);
        assertEquals(TunctlCommand.COMMANDS, List.copyOf(full.getSubcommands().keySet()));
        full.getSubcommands().forEach((name, sub) -> assertEquals(name, sub.getCommandSpec().name()));
        CommandLine p2p = full.getSubcommands().get("p2p");
        assertEquals(P2pCommand.COMMANDS, List.copyOf(p2p.getSubcommands().keySet()));
        p2p.getSubcommands().forEach((name, sub) -> assertEquals(name, sub.getCommandSpec().name()));
    }

    @Test
    void buildsOnlyWhatTheArgumentsName() {
        assertEquals(List.of(), names("--version"));
        assertEquals(List.of(), names("-v", "-V"));
        assertEquals(List.of("up"), names("up", "tunctl.yaml"));
        assertEquals(List.of("up"), names("-v", "--version", "up"));
        assertEquals(List.of("validate"), names("validate", "up"));
        assertEquals(List.of("p2p", "p2p node"), names("p2p", "node", "--port", "1"));
        assertEquals(List.of("p2p", "p2p lookup"), names("-v", "p2p", "-v", "lookup"));
        List<String> all = new ArrayList<>(TunctlCommand.COMMANDS);
        P2pCommand.COMMANDS.forEach(t -> all.add("p2p " + t));
        for (String[] args : new String[][] {{}, {"-v"}, {"--help"}, {"-h", "up"}, {"-vh"}, {"--", "up"}, {"@up"},
                {"upp"}, {"--verbose=true", "up"}}) {
            assertEquals(all, names(args), String.join(" ", args));
        }
        List<String> p2pAll = new ArrayList<>(List.of("p2p"));
        P2pCommand.COMMANDS.forEach(t -> p2pAll.add("p2p " + t));
        for (String[] args : new String[][] {{"p2p"}, {"p2p", "--help"}, {"p2p", "nod"}, {"p2p", "--", "node"}}) {
            assertEquals(p2pAll, names(args), String.join(" ", args));
        }
    }

    @Test
    void rootUsageVersionAndErrorsAreTheFullTrees() {
        assertSame();
        assertSame("--version");
        assertSame("-V");
        assertSame("--help");
        assertSame("upp");
        assertSame("--bogus");
        assertSame("--", "up");
        assertSame("--version", "up", "--bogus");
    }

    @Test
    void everyCommandsHelpAndUsageErrorsAreTheFullTrees() {
        for (String name : TunctlCommand.COMMANDS) {
            assertSame(name, "--help");
            assertSame(name, "--no-such-option");
        }
        assertSame("p2p");
        assertSame("p2p", "nod");
        for (String tool : P2pCommand.COMMANDS) {
            assertSame("p2p", tool, "--help");
            assertSame("p2p", tool, "--no-such-option");
        }
        assertSame("p2p", "node", "--port", "70000");
        assertSame("genkey", "extra");
        assertSame("up", "--transport");
    }

    @Test
    void validateRunsAsInTheFullTree() {
        for (String file : List.of("ok-udp.yaml", "bad-syntax.json", "unknown-field.yaml", "nospoon-bad-peer.jsonc")) {
            assertSame("validate", resource(file));
        }
        assertSame("validate", "/nonexistent/tunctl.yaml");
        Result bad = run(true, "validate", resource("bad-port.yaml"));
        assertEquals(ExitCodes.USAGE, bad.code());
        assertEquals(resource("bad-port.yaml") + ":6:9: udp.peer: port 70000 out of range 0..65535",
                bad.err().lines().findFirst().orElse(""));
    }
}
