package io.tunctl.transport.p2p.dht.rpc;

/**
 * Our public address as others report it (the {@code to} field of their messages), voted over the last 16 samples
 * the way the npm {@code nat-sampler} 1.0.1 does: the most common host and port wins once its hits reach a threshold
 * that relaxes as samples accumulate; if only the host is consistent the port is reported as 0 (a NAT that
 * randomizes ports).
 */
final class NatSampler {
    private static final int SLOTS = 32; // 16 samples, each a (host, port) and a (host, 0) entry

    private static final class Sample {
        final String host;
        final int port;
        int hits = 1;

        Sample(String host, int port) {
            this.host = host;
            this.port = port;
        }
    }

    private String host;
    private int port;
    private int size;
    private Sample a;
    private Sample b;
    private int threshold;
    private int top;
    private final Sample[] samples = new Sample[SLOTS];
    private int count;

    /** The voted host, or null while no host has enough votes. */
    String host() {
        return host;
    }

    /** The voted port, 0 when unknown or inconsistent. */
    int port() {
        return port;
    }

    /** Number of samples taken (stops growing at 16). */
    int size() {
        return size;
    }

    /** Adds one observation; returns the hits of its (host, port) entry. */
    int add(String sampleHost, int samplePort) {
        Sample sa = bump(sampleHost, samplePort, 2);
        Sample sb = bump(sampleHost, 0, 1);
        if (count < SLOTS) {
            size++;
            threshold = size - (size < 4 ? 0 : size < 8 ? 1 : size < 12 ? 2 : 3);
            samples[count++] = sa;
            samples[count++] = sb;
            top += 2;
        } else {
            if (top == SLOTS) {
                top = 0;
            }
            samples[top].hits--;
            samples[top++] = sa;
            samples[top].hits--;
            samples[top++] = sb;
        }
        if (a == null || a.hits < sa.hits) {
            a = sa;
        }
        if (b == null || b.hits < sb.hits) {
            b = sb;
        }
        if (a.hits >= threshold) {
            host = a.host;
            port = a.port;
        } else if (b.hits >= threshold) {
            host = b.host;
            port = 0;
        } else {
            host = null;
            port = 0;
        }
        return sa.hits;
    }

    /** Finds the same entry among the last four samples of its kind and counts a hit, else a fresh entry. */
    private Sample bump(String sampleHost, int samplePort, int inc) {
        for (int i = 0; i < 4; i++) {
            int j = (top - inc - 2 * i) & (SLOTS - 1);
            if (j >= count) {
                return new Sample(sampleHost, samplePort);
            }
            Sample s = samples[j];
            if (s.port == samplePort && s.host.equals(sampleHost)) {
                s.hits++;
                return s;
            }
        }
        return new Sample(sampleHost, samplePort);
    }
}
