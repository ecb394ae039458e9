package io.tunctl.cli;

import io.tunctl.transport.p2p.crypto.Ed25519KeyPair;
import io.tunctl.transport.p2p.crypto.KeyEncoding;
import io.tunctl.transport.p2p.hyperdht.ConnectionFirewall;
import io.tunctl.transport.p2p.hyperdht.HyperDht;
import io.tunctl.transport.p2p.hyperdht.HyperDhtConnection;
import io.tunctl.transport.p2p.hyperdht.HyperDhtServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code tunctl p2p listen}: a HyperDHT server on the key pair of a seed file. It announces the key, prints it (on
 * stderr: stdout is the data), and pipes the first client's connection to stdin/stdout; later clients are turned
 * away. With {@code --allow}, other keys get no answer at all (the server logs them).
 */
@Command(name = "listen", description = {
        "Listen on the DHT under the key of --seed-file and pipe the first connection to stdin/stdout.",
        "Prints the public key (hex and z32) on stderr; clients connect with 'tunctl p2p connect KEY' or any",
        "HyperDHT client (hyperdht's connect(KEY))."})
final class P2pListenCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    P2pDhtOptions dht;

    @Option(names = "--seed-file", paramLabel = "F", required = true,
            description = "File with the 32-byte key seed as 64 hex characters; created with a random seed if "
                    + "missing.")
    Path seedFile;

    @Option(names = "--allow", paramLabel = "KEY",
            description = "Accept only clients with this public key (hex or z32); repeatable. Default: anyone.")
    List<String> allow = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        List<byte[]> allowed = new ArrayList<>();
        for (String a : allow) {
            allowed.add(P2pKeys.publicKey(spec, "--allow", a));
        }
        dht.options(spec); // usage errors before anything is created
        Ed25519KeyPair kp = P2pKeys.fromSeedFile(spec, seedFile);
        try (HyperDht node = dht.join(spec)) {
            CompletableFuture<HyperDhtConnection> first = new CompletableFuture<>();
            HyperDhtServer server = node.createServer(kp, allowed.isEmpty() ? null
                    : ConnectionFirewall.allowOnly(allowed), new HyperDhtServer.Listener() {
                        @Override
                        public void onConnection(HyperDhtConnection c) {
                            if (!first.complete(c)) {
                                err.println("tunctl: turned away a second client " + KeyEncoding.toHex(
                                        c.remotePublicKey()) + " (only the first connection is piped)");
                                err.flush();
                                c.destroy();
                            }
                        }

                        @Override
                        public void onRejected(byte[] remotePublicKey, InetSocketAddress from) {
                            err.println("tunctl: rejected client " + KeyEncoding.toHex(remotePublicKey) + " at "
                                    + from.getAddress().getHostAddress() + ":" + from.getPort()
                                    + " (not allowed by --allow): no reply");
                            err.flush();
                        }
                    });
            int relays = server.listen().get(60, TimeUnit.SECONDS);
            err.println("listening on " + P2pKeys.describe(kp.publicKey()));
            err.println("announced to " + relays + " DHT node" + (relays == 1 ? "" : "s") + "; socket "
                    + node.localAddress().getAddress().getHostAddress() + ":" + node.localAddress().getPort());
            if (relays == 0) {
                err.println("tunctl: warning: no DHT node stored the announce; clients will not find this key");
            }
            err.flush();
            HyperDhtConnection c = first.get();
            err.println("connection from " + P2pKeys.describe(c.remotePublicKey()));
            err.flush();
            int code = P2pPipe.run(c, new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out),
                    err);
            server.close().get(10, TimeUnit.SECONDS);
            return code;
        }
    }
}
