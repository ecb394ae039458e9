package io.tunctl.core.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.config.ConfigException;
import io.tunctl.core.config.ConfigProblems;
import io.tunctl.core.spi.InterfaceSpec;
import io.tunctl.core.spi.RouteSpec;
import io.tunctl.core.spi.TransportProvider;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * A loaded, validated tunnel configuration: which provider, its bound config, and the optional interface.
 *
 * <p>The unified tunctl format is an object with {@code transport: <name>}, an optional {@code interface}
 * section ({@link InterfaceSpec}) and the transport's own section under its name:
 * <pre>{@code
 * transport: udp
 * interface: { name: tun0, mtu: 1420, addresses: [198.51.100.1/24] }
 * udp: { listen: 192.0.2.1:51820, peer: 192.0.2.2:51820 }
 * }</pre>
 * Any other file is offered to each provider's {@link TransportProvider#recognise}: nospoon, tapotun and
 * nano-tun files work as they are.
 */
public record TunnelConfig(ConfigDocument document, TransportProvider<?> provider, Object config,
                           InterfaceSpec interfaceSpec) {

    public static TunnelConfig load(Path file, Transports transports) throws ConfigException {
        return of(ConfigDocument.read(file), transports);
    }

    public static TunnelConfig of(ConfigDocument doc, Transports transports) throws ConfigException {
        JsonNode root = doc.root();
        if (root.isObject() && root.has("transport")) return unified(doc, transports);
        List<TunnelConfig> matches = new ArrayList<>();
        for (TransportProvider<?> p : transports.all()) {
            Optional<?> c = p.recognise(doc);
            if (c.isPresent()) matches.add(validated(doc, p, c.get(), null));
        }
        if (matches.size() == 1) return matches.getFirst();
        ConfigProblems problems = new ConfigProblems(doc);
        if (matches.isEmpty()) {
            problems.add("not a tunctl config (no 'transport' field) and no installed transport ("
                    + String.join(", ", transports.names()) + ") recognises it");
        } else {
            problems.add("ambiguous: several transports recognise this file: "
                    + matches.stream().map(m -> m.provider().name()).toList());
        }
        throw new ConfigException(problems.list());
    }

    private static TunnelConfig unified(ConfigDocument doc, Transports transports) throws ConfigException {
        JsonNode root = doc.root();
        ConfigProblems problems = new ConfigProblems(doc);
        JsonNode t = root.get("transport");
        if (!t.isTextual()) {
            problems.add("/transport", "must be a transport name, one of " + transports.names());
            problems.throwIfAny();
        }
        String name = t.asText();
        TransportProvider<?> provider = transports.find(name).orElse(null);
        if (provider == null) {
            problems.add("/transport", "unknown transport '" + name + "'; installed: " + transports.names());
            problems.throwIfAny();
        }
        List<io.tunctl.core.config.ConfigProblem> sink = new ArrayList<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("transport") && !f.equals("interface") && !f.equals(name)) {
                sink.add(doc.problemAtKey("/" + f.replace("~", "~0").replace("/", "~1"),
                        "unknown section '" + f + "' (want 'transport', 'interface' and '" + name + "')"));
            }
        }
        if (!sink.isEmpty()) throw new ConfigException(sink);
        InterfaceSpec spec = root.has("interface") ? doc.bind("/interface", InterfaceSpec.class) : null;
        if (spec != null) validateInterface(spec, problems.at("/interface"));
        Object config = root.has(name) ? doc.bind("/" + name, provider.configType()) : emptyConfig(doc, provider);
        problems.throwIfAny();
        return validated(doc, provider, config, spec);
    }

    private static Object emptyConfig(ConfigDocument doc, TransportProvider<?> provider) throws ConfigException {
        ConfigDocument empty = ConfigDocument.parse(doc.file(), "{}");
        return empty.bind("", provider.configType());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static TunnelConfig validated(ConfigDocument doc, TransportProvider provider, Object config,
                                          InterfaceSpec spec) throws ConfigException {
        ConfigProblems problems = new ConfigProblems(doc);
        provider.validate(config, problems);
        problems.throwIfAny();
        return new TunnelConfig(doc, provider, config, spec);
    }

    /**
     * Checks the generic interface section: MTU range, name length, routes. Rules check themselves as they are
     * bound (each {@code RuleSpec} is valid once made).
     */
    public static void validateInterface(InterfaceSpec spec, ConfigProblems at) {
        if (spec.name() != null && (spec.name().isEmpty() || spec.name().length() > 15
                || !spec.name().matches("[A-Za-z0-9_.%-]+"))) {
            at.add("/name", "interface name must be 1-15 characters of [A-Za-z0-9_.-] (may contain %d)");
        }
        if (spec.mtu() < 68 || spec.mtu() > 65535) at.add("/mtu", "MTU " + spec.mtu() + " out of range 68..65535");
        boolean v6 = spec.addresses().stream().anyMatch(c -> c.isIpv6());
        if (v6 && spec.mtu() < 1280) at.add("/mtu", "IPv6 needs an MTU of at least 1280, not " + spec.mtu());
        if (spec.queues() < 1 || spec.queues() > 256) at.add("/queues", "queues must be 1..256");
        if (spec.io() != null && !List.of("poll", "uring", "auto").contains(spec.io())) {
            at.add("/io", "io must be poll, uring or auto, not '" + spec.io() + "'");
        }
        for (int i = 0; i < spec.routes().size(); i++) {
            RouteSpec r = spec.routes().get(i);
            if (r.destination() == null) at.add("/routes/" + i, "route needs 'to'");
        }
    }
}
