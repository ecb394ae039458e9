package io.tunctl.core.spi;

import io.tunctl.core.config.ConfigDocument;
import io.tunctl.core.config.ConfigException;
import io.tunctl.core.config.ConfigProblems;

import java.io.IOException;
import java.util.Optional;

/**
 * A transport, found with {@link java.util.ServiceLoader}. tunctl's CLI and embedders look a provider up by
 * {@link #name()}, bind its configuration section to {@link #configType()} with Jackson, call
 * {@link #validate}, and then {@link #open} it.
 *
 * <h2>Names</h2>
 * A name is lower-case {@code [a-z][a-z0-9-]*} and unique on the class path. {@code p2p}, {@code http},
 * {@code socks} and {@code udp} are reserved for the transports shipped with tunctl. Two providers with the
 * same name are an error reported at lookup, never a silent choice.
 *
 * <h2>Failure semantics</h2>
 * {@link #validate} reports every problem it finds (it does not stop at the first) and touches no system
 * state. {@link #open} may fail with {@link IOException}; whatever it had created by then it removes before
 * throwing.
 *
 * @param <C> the configuration type, bound by Jackson from the transport's section
 */
public interface TransportProvider<C> {

    /** The transport's unique name; the key of its section in a tunctl config file. */
    String name();

    /** Jackson binds the transport's config section to this type (unknown fields are errors). */
    Class<C> configType();

    /**
     * Checks a bound config; reports problems against JSON-pointer paths relative to the config document,
     * e.g. {@code problems.at("/udp/peer").add("port 0 is not allowed")}.
     */
    default void validate(C config, ConfigProblems problems) {}

    /**
     * Recognises a config file of this transport's seed project (nospoon JSONC, tapotun JSON array, nano-tun
     * YAML) so those files work unchanged with {@code tunctl up}. Returns empty when the file is not one.
     * Implementations look only at the document's shape and throw {@link ConfigException} (with locations)
     * when it is theirs but broken.
     */
    default Optional<C> recognise(ConfigDocument document) throws ConfigException { return Optional.empty(); }

    /**
     * Opens the transport: creates its TUN device(s) through {@code context} and starts moving packets.
     * Returns once the tunnel is running (a client may still be connecting in the background).
     */
    Tunnel open(C config, TunnelContext context) throws IOException;

    /**
     * A version string for {@code tunctl --version}: the provider's module version, else its jar's
     * {@code Implementation-Version}, else {@code dev}.
     */
    default String version() {
        var fromModule = getClass().getModule().getDescriptor() == null ? null
                : getClass().getModule().getDescriptor().rawVersion().orElse(null);
        if (fromModule != null) return fromModule;
        String v = getClass().getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
