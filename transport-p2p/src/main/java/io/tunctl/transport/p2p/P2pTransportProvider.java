package io.tunctl.transport.p2p;

import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.config.ConfigException;
import io.tunctl.core.config.ConfigProblems;
import io.tunctl.core.spi.TransportProvider;
import io.tunctl.core.spi.Tunnel;
import io.tunctl.core.spi.TunnelContext;
import io.tunctl.transport.p2p.config.NospoonFile;
import io.tunctl.transport.p2p.config.NospoonRules;
import io.tunctl.transport.p2p.config.P2pConfig;
import io.tunctl.transport.p2p.config.P2pSettings;
import io.tunctl.transport.p2p.vpn.NospoonLog;
import io.tunctl.transport.p2p.vpn.P2pTunnel;

import java.io.IOException;
import java.util.Optional;

/**
 * The {@code p2p} transport: a nospoon-compatible VPN over HyperDHT. Reads nospoon's own JSONC config files as they
 * are, or the same object as the {@code p2p} section of a unified tunctl config.
 */
public final class P2pTransportProvider implements TransportProvider<P2pConfig> {

    @Override
    public String name() { return "p2p"; }

    @Override
    public Class<P2pConfig> configType() { return P2pConfig.class; }

    @Override
    public void validate(P2pConfig config, ConfigProblems problems) {
        NospoonRules.check(config, problems);
    }

    @Override
    public Optional<P2pConfig> recognise(ConfigDocument document) throws ConfigException {
        return NospoonFile.recognise(document);
    }

    @Override
    public Tunnel open(P2pConfig config, TunnelContext context) throws IOException {
        P2pSettings s = config.settings();
        if (s == null) {
            ConfigProblems problems;
            try {
                problems = new ConfigProblems(ConfigDocument.parse(config.file(), config.node().toString()));
            } catch (ConfigException e) {
                throw new IOException(e.getMessage(), e);
            }
            s = NospoonRules.check(config.locatedAt("", config.file()), problems);
            if (s == null) {
                throw new IOException("invalid p2p config:\n" + String.join("\n",
                        problems.list().stream().map(p -> p.field() + ": " + p.reason()).toList()));
            }
        }
        P2pTunnel t = P2pTunnel.open(s, context, NospoonLog.standard());
        context.onClose(t);
        return t;
    }
}
