package io.tunctl.core.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Writes fuzz seeds into a target's corpus directory under a module's test resources
 * ({@code src/test/resources/<package>/<Class>Inputs/fuzz/}), each named by its content hash as libFuzzer names
 * corpus files, so writing the same seeds twice changes nothing. Each module has a {@code FuzzSeeds} main that
 * builds its seeds from the same builders its unit tests use; run it from the module directory.
 */
public final class SeedWriter {
    private final Path resources;

    public SeedWriter(Path resources) {
        this.resources = resources;
    }

    public void write(Class<?> target, byte[]... seeds) {
        Path dir = resources.resolve(target.getPackageName().replace('.', '/'))
                .resolve(target.getSimpleName() + "Inputs").resolve("fuzz");
        try {
            Files.createDirectories(dir);
            for (byte[] s : seeds) Files.write(dir.resolve(sha1(s)), s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void write(Class<?> target, java.util.List<byte[]> seeds) {
        write(target, seeds.toArray(byte[][]::new));
    }

    private static String sha1(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
