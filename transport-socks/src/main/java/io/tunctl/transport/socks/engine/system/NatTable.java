package io.tunctl.transport.socks.engine.system;

import java.util.Arrays;

/**
 * The TCP NAT table of the system engine: one entry per application flow (its address and port, the destination
 * it wanted), found by that 4-tuple for packets from the application and by its NAT port for the kernel
 * listener's replies. Bounded: at most {@code capacity} entries, the least recently used one is evicted for a new
 * flow. Nothing is allocated after construction: entries are rows of parallel arrays, chained in a hash table and
 * in an LRU list by index. IPv4 addresses are kept as {@code (0, address)}, IPv6 as {@code (hi, lo)}.
 *
 * <p>NAT ports are handed out first-in first-out from 1024..65535, so a port comes back only after every other
 * free one was used: the listener's socket of the port's previous flow may still sit in TIME_WAIT.
 *
 * <p>Not thread-safe: the engine holds its lock around every call.
 */
final class NatTable {
    /** Flow states. */
    static final byte FREE = 0, PENDING = 1, OPEN = 2, CLOSING = 3;
    /** {@link #fins} bits: FIN seen from the application, from the listener. */
    static final int FIN_APP = 1, FIN_LISTENER = 2;

    static final int FIRST_PORT = 1024, PORTS = 65536 - FIRST_PORT;

    private final int capacity;
    final byte[] family;
    final long[] appHi, appLo, dstHi, dstLo;
    final int[] appPort, dstPort, natPort;
    final byte[] state;
    final byte[] fins;
    final long[] lastSeen;
    /** Per-entry object the engine keeps (its pending accept), or null. */
    final Object[] owner;
    private final int[] lruPrev, lruNext;
    private int lruHead = -1, lruTail = -1;
    private final int[] buckets;
    private final int[] chain;
    private final int[] freeEntries;
    private int freeEntryCount;
    private final int[] portOwner = new int[65536];
    private final int[] freePorts = new int[PORTS];
    private int freePortHead, freePortCount;
    private int size;

    NatTable(int capacity) {
        if (capacity < 1 || capacity > PORTS) throw new IllegalArgumentException("capacity 1.." + PORTS + ": " + capacity);
        this.capacity = capacity;
        family = new byte[capacity];
        appHi = new long[capacity];
        appLo = new long[capacity];
        dstHi = new long[capacity];
        dstLo = new long[capacity];
        appPort = new int[capacity];
        dstPort = new int[capacity];
        natPort = new int[capacity];
        state = new byte[capacity];
        fins = new byte[capacity];
        lastSeen = new long[capacity];
        owner = new Object[capacity];
        lruPrev = new int[capacity];
        lruNext = new int[capacity];
        buckets = new int[Integer.highestOneBit(capacity * 2 - 1) << 1];
        Arrays.fill(buckets, -1);
        chain = new int[capacity];
        freeEntries = new int[capacity];
        for (int i = 0; i < capacity; i++) freeEntries[i] = capacity - 1 - i;
        freeEntryCount = capacity;
        Arrays.fill(portOwner, -1);
        for (int i = 0; i < PORTS; i++) freePorts[i] = FIRST_PORT + i;
        freePortCount = PORTS;
    }

    int size() { return size; }

    int capacity() { return capacity; }

    boolean isFull() { return size == capacity; }

    /** The entry for this application flow, or -1. */
    int find(int fam, long aHi, long aLo, int aPort, long dHi, long dLo, int dPort) {
        for (int i = buckets[hash(aHi, aLo, aPort, dHi, dLo, dPort)]; i >= 0; i = chain[i]) {
            if (appLo[i] == aLo && appPort[i] == aPort && dstLo[i] == dLo && dstPort[i] == dPort
                    && appHi[i] == aHi && dstHi[i] == dHi && family[i] == fam) {
                return i;
            }
        }
        return -1;
    }

    /** The entry holding NAT port {@code port}, or -1. */
    int byNatPort(int port) {
        return port < 0 || port > 65535 ? -1 : portOwner[port];
    }

    /**
     * Adds a flow in state {@link #PENDING} with a fresh NAT port; the caller has made room ({@link #isFull} false,
     * else {@link #lruOldest} is evicted first).
     */
    int add(int fam, long aHi, long aLo, int aPort, long dHi, long dLo, int dPort, long now) {
        if (freeEntryCount == 0) throw new IllegalStateException("NAT table full");
        int i = freeEntries[--freeEntryCount];
        int port = freePorts[freePortHead];
        freePortHead = (freePortHead + 1) % PORTS;
        freePortCount--;
        portOwner[port] = i;
        family[i] = (byte) fam;
        appHi[i] = aHi;
        appLo[i] = aLo;
        appPort[i] = aPort;
        dstHi[i] = dHi;
        dstLo[i] = dLo;
        dstPort[i] = dPort;
        natPort[i] = port;
        state[i] = PENDING;
        fins[i] = 0;
        lastSeen[i] = now;
        owner[i] = null;
        int b = hash(aHi, aLo, aPort, dHi, dLo, dPort);
        chain[i] = buckets[b];
        buckets[b] = i;
        linkHead(i);
        size++;
        return i;
    }

    /** Marks entry {@code i} used now (moves it to the young end of the LRU list). */
    void touch(int i, long now) {
        lastSeen[i] = now;
        if (lruHead == i) return;
        unlink(i);
        linkHead(i);
    }

    /** The least recently used entry, or -1 when empty. */
    int lruOldest() { return lruTail; }

    /** The entry used just before {@code i} in LRU order (towards the young end), or -1. */
    int younger(int i) { return lruPrev[i]; }

    /** Removes entry {@code i}; its NAT port goes to the back of the free queue. */
    void remove(int i) {
        if (state[i] == FREE) return;
        int b = hash(appHi[i], appLo[i], appPort[i], dstHi[i], dstLo[i], dstPort[i]);
        if (buckets[b] == i) {
            buckets[b] = chain[i];
        } else {
            for (int j = buckets[b]; j >= 0; j = chain[j]) {
                if (chain[j] == i) {
                    chain[j] = chain[i];
                    break;
                }
            }
        }
        unlink(i);
        int port = natPort[i];
        portOwner[port] = -1;
        freePorts[(freePortHead + freePortCount) % PORTS] = port;
        freePortCount++;
        state[i] = FREE;
        owner[i] = null;
        freeEntries[freeEntryCount++] = i;
        size--;
    }

    private void linkHead(int i) {
        lruPrev[i] = -1;
        lruNext[i] = lruHead;
        if (lruHead >= 0) lruPrev[lruHead] = i;
        lruHead = i;
        if (lruTail < 0) lruTail = i;
    }

    private void unlink(int i) {
        int p = lruPrev[i], n = lruNext[i];
        if (p >= 0) lruNext[p] = n; else lruHead = n;
        if (n >= 0) lruPrev[n] = p; else lruTail = p;
        lruPrev[i] = lruNext[i] = -1;
    }

    private int hash(long aHi, long aLo, int aPort, long dHi, long dLo, int dPort) {
        long h = aLo * 0x9E3779B97F4A7C15L + dLo;
        h = h * 0x9E3779B97F4A7C15L + aHi;
        h = h * 0x9E3779B97F4A7C15L + dHi;
        h = h * 0x9E3779B97F4A7C15L + ((long) aPort << 16 | dPort);
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return (int) h & (buckets.length - 1);
    }
}
