package io.tunctl.cli;

import io.tunctl.transport.p2p.hyperdht.FoundPeer;
import io.tunctl.transport.p2p.hyperdht.HyperDht;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code tunctl p2p lookup KEY}: the DHT nodes holding an announce of KEY's server (a FIND_PEER walk). */
@Command(name = "lookup", description = {
        "Find the DHT nodes holding the announce of the server with public key KEY and print them,",
        "one 'peer KEY via HOST:PORT' line each; exit 1 when none does."})
final class P2pLookupCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    P2pDhtOptions dht;

    @Parameters(paramLabel = "KEY", description = "The server's public key (64 hex or 52 z32 characters).")
    String key;

    @Override
    public Integer call() throws Exception {
        byte[] publicKey = P2pKeys.publicKey(spec, "KEY", key);
        dht.options(spec);
        PrintWriter out = spec.commandLine().getOut();
        try (HyperDht node = dht.join(spec)) {
            List<FoundPeer> found = node.lookup(publicKey).get(60, TimeUnit.SECONDS);
            if (found.isEmpty()) {
                throw new IOException("peer not found: no DHT node holds an announce of " + P2pKeys.describe(
                        publicKey));
            }
            for (FoundPeer p : found) {
                out.println("peer " + io.tunctl.transport.p2p.crypto.KeyEncoding.toHex(p.publicKey()) + " via "
                        + p.node().getAddress().getHostAddress() + ":" + p.node().getPort()
                        + (p.relayAddresses().isEmpty() ? "" : " relays " + p.relayAddresses()));
            }
            out.flush();
            return ExitCodes.OK;
        }
    }
}
