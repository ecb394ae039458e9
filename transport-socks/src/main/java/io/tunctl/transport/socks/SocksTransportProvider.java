package io.tunctl.transport.socks;

import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.config.ConfigException;
import io.tunctl.core.config.ConfigProblems;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.TransportProvider;
import io.tunctl.core.spi.Tunnel;
import io.tunctl.core.spi.TunnelContext;
import io.tunctl.transport.socks.config.NanoTunFile;
import io.tunctl.transport.socks.config.SettingsCompiler;
import io.tunctl.transport.socks.config.SocksConfig;
import io.tunctl.transport.socks.config.SocksSettings;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The {@code socks} transport (tun2socks): every flow that enters the TUN goes out through an upstream proxy. A
 * unified config has {@code transport: socks}, an optional {@code interface} section (default: nano-tun's
 * addresses 198.18.0.1/30 and fdfe:dcba:9876::1/126, MTU 1500, offload on) and the {@link SocksConfig} section.
 * A nano-tun YAML file is recognised as it is ({@link NanoTunFile}); it carries its own interface (tunName, mtu).
 */
public final class SocksTransportProvider implements TransportProvider<SocksConfig> {

    /** The interface when the config has none. */
    public static final InterfaceSpec DEFAULT_INTERFACE =
            new InterfaceSpec("socks%d", 1500, SettingsCompiler.DEFAULT_ADDRESSES, List.of(), List.of(), true, 1);

    @Override
    public String name() { return "socks"; }

    @Override
    public Class<SocksConfig> configType() { return SocksConfig.class; }

    @Override
    public void validate(SocksConfig config, ConfigProblems problems) {
        SettingsCompiler.compile(config, addresses(config, problems), problems.at("/socks"));
    }

    /** A nano-tun file (its YAML as it is): see {@link NanoTunFile}. */
    @Override
    public Optional<SocksConfig> recognise(ConfigDocument document) throws ConfigException {
        return NanoTunFile.recognise(document);
    }

    /** The TUN's addresses as the document's interface section gives them (defaults without one, or without any). */
    private static List<Cidr> addresses(SocksConfig config, ConfigProblems problems) {
        var root = problems.document().root();
        if (root == null || !root.has("interface")) {
            return config != null && config.tunInterface() != null ? config.tunInterface().addresses()
                    : DEFAULT_INTERFACE.addresses();
        }
        try {
            List<Cidr> given = problems.document().bind("/interface", InterfaceSpec.class).addresses();
            return given.isEmpty() ? DEFAULT_INTERFACE.addresses() : given;
        } catch (ConfigException e) {
            return List.of(); // reported where the interface section is checked
        }
    }

    /**
     * The interface to open: the context's (a unified file's {@code interface} section), else the one a nano-tun
     * file described, else the default. A section that names no address gets the default addresses, so that
     * {@code --tun} or {@code --mtu} alone on a unified file keeps them.
     */
    static InterfaceSpec interfaceFor(SocksConfig config, TunnelContext context) {
        InterfaceSpec spec = context.interfaceSpec()
                .or(() -> Optional.ofNullable(config.tunInterface())).orElse(DEFAULT_INTERFACE);
        if (!spec.addresses().isEmpty()) return spec;
        return new InterfaceSpec(spec.name(), spec.mtu(), DEFAULT_INTERFACE.addresses(), spec.routes(), spec.rules(),
                spec.vnetHdr(), spec.queues(), spec.io());
    }

    @Override
    public Tunnel open(SocksConfig config, TunnelContext context) throws IOException {
        InterfaceSpec spec = interfaceFor(config, context);
        ConfigProblems problems;
        try {
            problems = new ConfigProblems(io.tunctl.core.config.ConfigDocument.parse(null, "{}"));
        } catch (ConfigException e) {
            throw new IOException(e.getMessage(), e);
        }
        SocksSettings settings = SettingsCompiler.compile(config, spec.addresses(), problems);
        if (settings == null) {
            throw new IOException("invalid socks config: " + String.join("; ",
                    problems.list().stream().map(p -> p.field() + ": " + p.reason()).toList()));
        }
        SocksTunnel t = SocksTunnel.open(settings, spec, context);
        context.onClose(t);
        return t;
    }
}
