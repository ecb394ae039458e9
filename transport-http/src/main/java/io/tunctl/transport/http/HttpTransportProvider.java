package io.tunctl.transport.http;

import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.config.ConfigException;
import io.tunctl.core.config.ConfigProblems;
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
public final class HttpTransportProvider implements TransportProvider<HttpConfig> {

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
