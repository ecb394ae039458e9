package io.tunctl.core.runtime;

import io.tunctl.core.spi.TransportProvider;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The transports found on the module path and class path through {@link ServiceLoader}. Names are checked:
 * an invalid or duplicate name is an error naming both providers' classes, never a silent pick.
 */
public final class Transports {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    private final Map<String, TransportProvider<?>> byName;

    private Transports(Map<String, TransportProvider<?>> byName) {
        this.byName = byName;
    }

    /** Loads every provider visible to {@code loader} (the context class loader when null). */
    @SuppressWarnings("rawtypes")
    public static Transports load(ClassLoader loader) {
        List<TransportProvider<?>> found = new ArrayList<>();
        ServiceLoader<TransportProvider> sl = loader == null
                ? ServiceLoader.load(TransportProvider.class)
                : ServiceLoader.load(TransportProvider.class, loader);
        try {
            for (TransportProvider<?> p : sl) found.add(p);
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("a transport plugin failed to load: " + e.getMessage(), e);
        }
        return of(found);
    }

    public static Transports load() {
        return load(Thread.currentThread().getContextClassLoader());
    }

    /** A registry of the given providers (for embedders that do not use ServiceLoader). */
    public static Transports of(List<? extends TransportProvider<?>> providers) {
        Map<String, TransportProvider<?>> m = new TreeMap<>();
        for (TransportProvider<?> p : providers) {
            String n = p.name();
            if (n == null || !NAME.matcher(n).matches()) {
                throw new IllegalStateException("transport " + p.getClass().getName() + " has an invalid name '" + n
                        + "' (want lower-case [a-z][a-z0-9-]*)");
            }
            TransportProvider<?> prev = m.get(n);
            if (prev != null && prev.getClass() != p.getClass()) {
                throw new IllegalStateException("two transports are named '" + n + "': " + prev.getClass().getName()
                        + " and " + p.getClass().getName());
            }
            m.put(n, p);
        }
        return new Transports(Collections.unmodifiableMap(m));
    }

    public Optional<TransportProvider<?>> find(String name) { return Optional.ofNullable(byName.get(name)); }

    public List<TransportProvider<?>> all() { return List.copyOf(byName.values()); }

    public List<String> names() { return List.copyOf(byName.keySet()); }
}
