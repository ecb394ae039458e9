package io.tunctl.transport.socks.dns;

import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Queries in flight to the upstream, by the 16-bit ID the relay gave each one. Every client picks its IDs on its
 * own, so two clients (or glibc's A and AAAA from one socket) may use the same ID; the relay sends each query
 * upstream under an ID of its own from here and puts the client's back on the answer. IDs are drawn at random
 * among the free ones, so an off-path sender cannot guess the next one. At most {@code capacity} entries: a full
 * table refuses new ones instead of growing. Not thread-safe (the relay keeps it on one event loop).
 */
final class IdTable<T> {
    private static final int IDS = 1 << 16;

    private final Object[] slots = new Object[IDS];
    private final int capacity;
    private final RandomGenerator random;
    private int size;

    /** @param capacity at most half the ID space, so a free ID is always found within a few probes */
    IdTable(int capacity, RandomGenerator random) {
        if (capacity < 1 || capacity > IDS / 2) {
            throw new IllegalArgumentException("capacity must be 1.." + IDS / 2 + ", got " + capacity);
        }
        this.capacity = capacity;
        this.random = random;
    }

    /** Stores {@code value} under a free ID and returns that ID, or -1 when {@code capacity} entries are stored. */
    int add(T value) {
        if (value == null) throw new IllegalArgumentException("null value");
        if (size >= capacity) return -1;
        int id = random.nextInt(IDS);
        while (slots[id] != null) id = (id + 1) & (IDS - 1);
        slots[id] = value;
        size++;
        return id;
    }

    /** The entry under {@code id}, or null. */
    @SuppressWarnings("unchecked")
    T get(int id) { return (T) slots[id & (IDS - 1)]; }

    /** Removes {@code id} if it holds {@code value}; returns whether it did. */
    boolean remove(int id, T value) {
        int i = id & (IDS - 1);
        if (slots[i] == null || slots[i] != value) return false;
        slots[i] = null;
        size--;
        return true;
    }

    int size() { return size; }

    int capacity() { return capacity; }

    /** Removes every entry, handing each to {@code action}. */
    @SuppressWarnings("unchecked")
    void clear(Consumer<T> action) {
        for (int i = 0; i < IDS && size > 0; i++) {
            Object v = slots[i];
            if (v != null) {
                slots[i] = null;
                size--;
                action.accept((T) v);
            }
        }
    }
}
