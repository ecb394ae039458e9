package io.tunctl.cli;

import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.crypto.KeyEncoding;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Key handling of the p2p tools: seed files and public keys given on the command line. */
final class P2pKeys {
    private P2pKeys() {}

    /**
     * The key pair of a seed file: 64 hex characters (a 32-byte Ed25519 seed, the form hyperdht's
     * {@code keyPair(seed)} takes). A missing file is created with a fresh random seed, readable by its owner only.
     */
    static Ed25519KeyPair fromSeedFile(CommandSpec spec, Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] seed = new byte[Ed25519KeyPair.SEED_BYTES];
            new SecureRandom().nextBytes(seed);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, HexFormat.of().formatHex(seed) + "\n", StandardCharsets.US_ASCII);
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            spec.commandLine().getErr().println("created seed file " + file);
            return Ed25519KeyPair.fromSeed(seed);
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (!text.matches("[0-9a-fA-F]{64}")) {
            throw new ParameterException(spec.commandLine(), "--seed-file " + file + ": expected 64 hex characters "
                    + "(a 32-byte seed), found " + text.length() + " characters");
        }
        return Ed25519KeyPair.fromSeed(HexFormat.of().parseHex(text));
    }

    /** A public key as hyperdht accepts it: 64 hex or 52 z-base-32 characters. */
    static byte[] publicKey(CommandSpec spec, String what, String text) {
        try {
            return KeyEncoding.parsePublicKey(text.strip());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), what + ": not a public key (64 hex or 52 z-base-32 "
                    + "characters): '" + text + "'");
        }
    }

    static String describe(byte[] publicKey) {
        return KeyEncoding.toHex(publicKey) + " (z32 " + KeyEncoding.toZ32(publicKey) + ")";
    }
}
