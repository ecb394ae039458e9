package io.tunctl.cli;

import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.crypto.KeyEncoding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.concurrent.Callable;

/**
 * {@code tunctl genkey}: a fresh p2p identity, printed exactly as {@code nospoon genkey} prints it (two labelled lines,
 * lowercase hex), so scripts written for nospoon read it unchanged.
 */
@Command(name = "genkey", description = {
        "Print a new p2p identity: a random 32-byte Ed25519 seed and its public key, as nospoon genkey does.",
        "The seed goes into 'seed' (or a seedFile) of a nospoon/p2p config; the public key is what peers configure."})
final class GenkeyCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        byte[] seed = new byte[Ed25519KeyPair.SEED_BYTES];
        new SecureRandom().nextBytes(seed);
        PrintWriter out = spec.commandLine().getOut();
        out.print(lines(seed));
        out.flush();
        return ExitCodes.OK;
    }

    /** nospoon's two lines for {@code seed}: each label is followed by three spaces. */
    static String lines(byte[] seed) {
        Ed25519KeyPair kp = Ed25519KeyPair.fromSeed(seed);
        return "Seed (keep secret):   " + KeyEncoding.toHex(seed) + "\n"
                + "Public key (share):   " + KeyEncoding.toHex(kp.publicKey()) + "\n";
    }
}
