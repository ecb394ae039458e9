package io.tunctl.cli.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** {@link Exec#run}: both pipes read while the command runs, the timeout enforced, the process tree killed. */
// a separate thread: a reader stuck on a pipe ignores interrupts, and the test must still fail
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ExecTest {
    @TempDir
    Path dir;

    @Test
    void aCommandWritingMuchToStderrBeforeStdoutCompletes() throws IOException {
        // 1 MB to stderr first: a reader that drains stdout before stderr would wait forever on a full stderr pipe
        String out = new Exec(dir).run(20, "sh", "-c",
                "head -c 1000000 /dev/zero | tr '\\0' e >&2; head -c 1000000 /dev/zero | tr '\\0' o");
        assertEquals(1_000_000, out.length());
        assertTrue(out.chars().allMatch(c -> c == 'o'));
    }

    @Test
    void aCommandThatNeverStopsWritingToBothPipesIsKilledAtItsTimeout() {
        long t0 = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> new Exec(dir).run(1, "sh", "-c",
                "while :; do echo out; echo err >&2; done"));
        double secs = (System.nanoTime() - t0) / 1e9;
        assertTrue(secs < 10, "took " + secs + " s");
        assertTrue(e.getMessage().startsWith("sh -c while :; do echo out; echo err >&2; done: timed out after 1 s"),
                e.getMessage());
        assertTrue(e.getMessage().contains("err"), "stderr tail is part of the message: " + e.getMessage());
    }

    @Test
    void aHangingCommandIsKilledWithItsDescendants() throws Exception {
        Path pids = dir.resolve("pids");
        long t0 = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> new Exec(dir).run(1, "sh", "-c",
                "sleep 300 & echo $! > " + pids + "; echo $$ >> " + pids + "; sleep 301"));
        double secs = (System.nanoTime() - t0) / 1e9;
        assertTrue(secs < 10, "took " + secs + " s");
        assertTrue(e.getMessage().matches("sh -c sleep 300 .*: timed out after 1 s; killed PID \\d+ and 2 descendant\\(s\\)"),
                e.getMessage());
        var lines = Files.readAllLines(pids);
        assertEquals(2, lines.size(), lines.toString());
        for (String pid : lines) assertTrue(gone(Long.parseLong(pid.strip())), "process " + pid + " still runs");
    }

    @Test
    void aFailingCommandNamesItselfItsStatusAndItsStderr() {
        IOException e = assertThrows(IOException.class, () -> new Exec(dir).run(5, "sh", "-c", "echo nope >&2; exit 3"));
        assertEquals("sh -c echo nope >&2; exit 3: exit 3: nope", e.getMessage());
    }

    @Test
    void aMissingProgramIsNamed() {
        IOException e = assertThrows(IOException.class, () -> new Exec(dir).run(5, "no-such-program-tunctl"));
        assertTrue(e.getMessage().startsWith("cannot run no-such-program-tunctl: "), e.getMessage());
    }

    /** Dead or a zombie (PID 1 of a container may never reap what it inherits), within 5 s. */
    private static boolean gone(long pid) throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                if (stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z")) return true;
            } catch (IOException noSuchProcess) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }
}
