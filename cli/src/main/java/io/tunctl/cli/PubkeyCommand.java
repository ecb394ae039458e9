package io.tunctl.cli;

import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.crypto.KeyEncoding;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.Callable;

/**
 * {@code tunctl pubkey}: reads a seed on stdin and prints its public key, as {@code wg pubkey} does for WireGuard
 * keys ({@code tunctl genkey}'s seed line, or a seed file's content).
 */
@Command(name = "pubkey", description = {
        "Read a p2p seed (64 hex characters) on stdin and print its public key (64 lowercase hex characters).",
        "Accepts a seed file's content or the 'Seed (keep secret):' line of tunctl/nospoon genkey."})
final class PubkeyCommand implements Callable<Integer> {
    /** A seed is 64 characters; anything much longer on stdin is not one (and is not read to the end). */
    private static final int MAX_INPUT = 4096;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    InputStream in = System.in;

    @Override
    public Integer call() throws IOException {
        byte[] bytes = in.readNBytes(MAX_INPUT + 1);
        if (bytes.length > MAX_INPUT) {
            throw new ParameterException(spec.commandLine(), "stdin: expected a seed (64 hex characters), got more "
                    + "than " + MAX_INPUT + " bytes");
        }
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        if (text.startsWith("Seed (keep secret):")) {
            text = text.substring("Seed (keep secret):".length()).lines().findFirst().orElse("").strip();
        }
        if (!text.matches("[0-9a-fA-F]{64}")) {
            throw new ParameterException(spec.commandLine(), "stdin: expected a seed of exactly 64 hex characters, "
                    + "got " + text.length() + " characters");
        }
        var out = spec.commandLine().getOut();
        out.println(KeyEncoding.toHex(Ed25519KeyPair.fromSeed(HexFormat.of().parseHex(text)).publicKey()));
        out.flush();
        return ExitCodes.OK;
    }
}
