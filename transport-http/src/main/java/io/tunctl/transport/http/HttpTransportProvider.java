package io.tunctl.transport.http;

import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.config.ConfigException;
import io.tunctl.core.config.ConfigProblems;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.Benchmarkable;
import io.tunctl.core.spi.TransportProvider;
import io.tunctl.core.spi.Tunnel;
import io.tunctl.core.spi.TunnelContext;
import io.tunctl.transport.http.config.ConfigCompiler;
import io.tunctl.transport.http.config.Endpoints;
import io.tunctl.transport.http.config.HttpConfig;
import io.tunctl.transport.http.config.TapotunFile;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The {@code http} transport: tapotun-compatible IP over two long-lived HTTP(S) streams. Reads tapotun's own
 * config files (a JSON array of server and client objects) as they are, or the same array as the {@code http}
 * section of a unified tunctl config.
 */
public final class HttpTransportProvider implements TransportProvider<HttpConfig>, Benchmarkable {

    @Override
    public String name() { return "http"; }

    @Override
    public Class<HttpConfig> configType() { return HttpConfig.class; }

    @Override
    public void validate(HttpConfig config, ConfigProblems problems) {
        ConfigCompiler.compile(config, problems);
    }

    @Override
    public Optional<HttpConfig> recognise(ConfigDocument document) throws ConfigException {
        return TapotunFile.recognise(document);
    }

    @Override
    public Tunnel open(HttpConfig config, TunnelContext context) throws IOException {
        List<Endpoints.Endpoint> endpoints = compile(config);
        HttpTunnel t = HttpTunnel.open(endpoints, context, config.source());
        context.onClose(t);
        return t;
    }

    /**
     * Row {@code http}: the server in B (its TUN gets tunnelB), the client in A (it gets tunnelA from the server),
     * plain HTTP over the underlay, TSO on. Row {@code http-tls} needs nginx in B and is run by {@code bench/http.sh}.
     */
    @Override
    public List<Setup> benchSetups(Network net) {
        String b = Cidr.addressString(net.underlayB());
        String host = net.underlayB() instanceof java.net.Inet6Address ? "[" + b + "]" : b;
        // (no text blocks in main sources: a source scanner in the build chokes on them)
        String server = String.format("[ { \"name\": \"tnbh0\", \"port\": %d, \"net\": \"%s\", \"mtu\": %d,%n"
                        + "    \"clients\": [ { \"token\": \"%s\", \"ip\": \"%s\" } ] } ]%n",
                net.port(), net.tunnelB(), Math.min(net.mtu(), 9000),
                io.tunctl.transport.http.wire.Tokens.sha1Hex("bench"), Cidr.addressString(net.tunnelA().addressBytes()));
        String client = String.format("[ { \"name\": \"tnbh0\", \"server\": \"http://%s:%d/ip\", \"token\": \"bench\" } ]%n",
                host, net.port());
        return List.of(new Setup("http", client, server));
    }

    /** Compiles a config that was validated already; throws if it was not valid after all. */
    static List<Endpoints.Endpoint> compile(HttpConfig config) throws IOException {
        ConfigDocument doc;
        try {
            doc = ConfigDocument.parse(config.source(), "[]");
        } catch (ConfigException e) {
            throw new IOException(e.getMessage(), e);
        }
        ConfigProblems problems = new ConfigProblems(doc);
        List<Endpoints.Endpoint> eps = ConfigCompiler.compile(config, problems);
        if (eps == null) {
            throw new IOException("invalid http config:\n" + String.join("\n",
                    problems.list().stream().map(p -> p.field() + ": " + p.reason()).toList()));
        }
        return eps;
    }
}
