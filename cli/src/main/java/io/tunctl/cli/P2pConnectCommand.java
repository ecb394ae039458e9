package io.tunctl.cli;

import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.hyperdht.HyperDht;
import io.tunctl.transport.p2p.hyperdht.HyperDhtConnection;
import io.tunctl.transport.p2p.hyperdht.HyperDhtException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** {@code tunctl p2p connect KEY}: connects to a HyperDHT server by public key and pipes stdin/stdout to it. */
@Command(name = "connect", description = {
        "Connect to the HyperDHT server with public key KEY and pipe stdin/stdout through the encrypted stream.",
        "Status goes to stderr; exit 1 if the key is not found or the server does not answer."})
final class P2pConnectCommand implements Callable<Integer> {
    private static final long CONNECT_TIMEOUT_SECONDS = 60;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    P2pDhtOptions dht;

    @Parameters(paramLabel = "KEY", description = "The server's public key (64 hex or 52 z32 characters).")
    String key;

    @Option(names = "--seed-file", paramLabel = "F",
            description = "Our identity: file with a 32-byte seed as 64 hex characters (created if missing). "
                    + "Default: a random key for this run.")
    Path seedFile;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        byte[] publicKey = P2pKeys.publicKey(spec, "KEY", key);
        dht.options(spec);
        Ed25519KeyPair kp = seedFile == null ? null : P2pKeys.fromSeedFile(spec, seedFile);
        try (HyperDht node = dht.join(spec)) {
            HyperDhtConnection c;
            try {
                c = (kp == null ? node.connect(publicKey) : node.connect(publicKey, kp))
                        .get(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IllegalArgumentException bad) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "KEY: " + bad.getMessage());
                }
                if (e.getCause() instanceof HyperDhtException h) {
                    throw new IOException("cannot connect to " + P2pKeys.describe(publicKey) + ": "
                            + h.getMessage(), h);
                }
                throw e;
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IOException("cannot connect to " + P2pKeys.describe(publicKey) + ": no connection within "
                        + CONNECT_TIMEOUT_SECONDS + " s");
            }
            err.println("connected to " + P2pKeys.describe(publicKey) + " at " + c.remoteAddress().getAddress()
                    .getHostAddress() + ":" + c.remoteAddress().getPort() + " as " + P2pKeys.describe(c.publicKey()));
            err.flush();
            return P2pPipe.run(c, new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out),
                    err);
        }
    }
}
