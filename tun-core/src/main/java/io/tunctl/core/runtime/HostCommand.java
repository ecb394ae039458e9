package io.tunctl.core.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The few host programs tunctl runs where no system call does the job ({@code nft}, {@code resolvectl}): found on
 * PATH or in the sbin directories (a root shell's PATH may lack them), run with a time bound, their output in the
 * exception when they fail.
 */
public final class HostCommand {
    private HostCommand() {}

    /** {@code program} on PATH, or in /usr/sbin, /sbin, /usr/bin, /bin; null when it is nowhere. */
    public static Path find(String program) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String d : dirs) {
            if (d.isEmpty()) continue;
            Path p = Path.of(d, program);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /**
     * Runs {@code program} with {@code args}, feeding it {@code stdin} (null: nothing); returns its output (stdout
     * and stderr together).
     *
     * @throws IOException when it is missing, fails (its output in the message) or takes over {@code timeoutSec}
     */
    public static String run(String program, String stdin, long timeoutSec, String... args) throws IOException {
        Path exe = find(program);
        if (exe == null) throw new IOException("the " + program + " program is missing");
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.addAll(List.of(args));
        String shown = program + " " + String.join(" ", args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream o = p.getInputStream()) {
                o.transferTo(out);
            }
            if (!p.waitFor(timeoutSec, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(shown + ": no answer in " + timeoutSec + " s");
            }
            String text = out.toString(StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(shown + " failed (exit " + p.exitValue() + "): " + text.strip());
            }
            return text;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + shown, e);
        }
    }
}
