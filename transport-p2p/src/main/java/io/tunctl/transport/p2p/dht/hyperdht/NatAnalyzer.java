package io.tunctl.transport.p2p.dht.hyperdht;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * hyperdht's NAT classification of one (puncher) socket ({@code lib/nat.js}, hyperdht-wire.md §6.5), without I/O.
 * The glue PINGs a few DHT nodes from that socket ({@link #pickSampleNodes}, {@code retry: false}) and feeds each
 * reply's {@code to} (our address as that node saw it) with {@link #add}. One sample counts per responder.
 *
 * <ul>
 *   <li>the DHT is not firewalled: OPEN;</li>
 *   <li>fewer than 3 samples: no change (UNKNOWN);</li>
 *   <li>the most common (host, port) seen 3+ times: CONSISTENT; only once: RANDOM;</li>
 *   <li>seen twice: RANDOM if one host and 4+ samples; CONSISTENT if 2+ hosts and the second (host, port) also
 *       twice; else RANDOM once there are 5+ samples.</li>
 * </ul>
 * Advertised addresses: CONSISTENT lists the top two (host, port) and any other seen twice; RANDOM lists the top host
 * with port 0; UNKNOWN lists none. {@link #isSettled} tells when the glue may stop waiting (Node's
 * {@code analyzing} promise): CONSISTENT or OPEN, or 4 samples (also after the sample pings ran out: call
 * {@link #giveUp}).
 */
public final class NatAnalyzer {
    /** Samples Node waits for. */
    public static final int MIN_SAMPLES = 4;

    /** One observed address with how many responders reported it. */
    private static final class Sample {
        final InetAddress host;
        final int port;
        int hits = 1;

        Sample(InetAddress host, int port) {
            this.host = host;
            this.port = port;
        }
    }

    private final boolean dhtFirewalled;
    private final List<Sample> hosts = new ArrayList<>();
    private final List<Sample> full = new ArrayList<>();
    private final Set<String> sampledFrom = new HashSet<>();
    private int sampled;
    private FirewallType firewall;
    private List<InetSocketAddress> addresses;
    private boolean frozen;
    private boolean gaveUp;

    /** @param dhtFirewalled whether the DHT believes it is firewalled (false: OPEN from the start) */
    public NatAnalyzer(boolean dhtFirewalled) {
        this.dhtFirewalled = dhtFirewalled;
        this.firewall = dhtFirewalled ? FirewallType.UNKNOWN : FirewallType.OPEN;
    }

    /**
     * The nodes to ping for samples, as Node's {@code autoSample} picks them: walking {@code nodesLatestFirst},
     * skipping the first 5 when 8 or more are known, up to {@code MIN_SAMPLES} not asked before.
     */
    public List<InetSocketAddress> pickSampleNodes(List<InetSocketAddress> nodesLatestFirst, Set<String> alreadyAsked) {
        int skip = nodesLatestFirst.size() >= 8 ? 5 : 0;
        List<InetSocketAddress> out = new ArrayList<>();
        for (InetSocketAddress n : nodesLatestFirst) {
            if (sampled + out.size() >= MIN_SAMPLES) {
                break;
            }
            if (skip > 0) {
                skip--;
                continue;
            }
            if (alreadyAsked.add(Ipv4.key(n))) {
                out.add(n);
            }
        }
        return out;
    }

    /** A PING reply from {@code from} saw us as {@code seenAs}; a second sample from the same node is ignored. */
    public void add(InetSocketAddress seenAs, InetSocketAddress from) {
        if (!sampledFrom.add(Ipv4.key(from))) {
            return;
        }
        addSample(hosts, seenAs.getAddress(), 0);
        addSample(full, seenAs.getAddress(), seenAs.getPort());
        if ((++sampled >= 3 || !dhtFirewalled) && !frozen) {
            update();
        }
    }

    /** No more samples will come (the pings ran out): settle with what there is. */
    public void giveUp() {
        gaveUp = true;
    }

    public boolean isSettled() {
        return firewall == FirewallType.CONSISTENT || firewall == FirewallType.OPEN || sampled >= MIN_SAMPLES || gaveUp;
    }

    /** Stops updating: the view was told to the peer and must not change under it. */
    public void freeze() {
        frozen = true;
    }

    public void unfreeze() {
        frozen = false;
        updateFirewall();
        updateAddresses();
    }

    public FirewallType firewall() {
        return firewall;
    }

    /** What we advertise in holepunch payloads; null when UNKNOWN (or OPEN: Node never lists addresses then). */
    public List<InetSocketAddress> addresses() {
        return addresses;
    }

    public int sampled() {
        return sampled;
    }

    private void update() {
        if (dhtFirewalled && firewall == FirewallType.OPEN) {
            firewall = FirewallType.UNKNOWN;
        }
        updateFirewall();
        updateAddresses();
    }

    private void updateFirewall() {
        if (!dhtFirewalled) {
            firewall = FirewallType.OPEN;
            return;
        }
        if (sampled < 3) {
            return;
        }
        int max = full.get(0).hits;
        if (max >= 3) {
            firewall = FirewallType.CONSISTENT;
        } else if (max == 1) {
            firewall = FirewallType.RANDOM;
        } else if (hosts.size() == 1 && sampled > 3) {
            firewall = FirewallType.RANDOM; // one host, two hits, others differ in port: a port-randomising NAT
        } else if (hosts.size() > 1 && full.get(1).hits > 1) {
            firewall = FirewallType.CONSISTENT; // two hosts each seen twice: multi-homed but consistent
        } else if (sampled > 4) {
            firewall = FirewallType.RANDOM;
        }
    }

    private void updateAddresses() {
        switch (firewall) {
            case UNKNOWN -> addresses = null;
            case RANDOM -> addresses = List.of(new InetSocketAddress(hosts.get(0).host, 0));
            case CONSISTENT -> {
                List<InetSocketAddress> out = new ArrayList<>();
                for (Sample s : full) {
                    if (s.hits >= 2 || out.size() < 2) {
                        out.add(new InetSocketAddress(s.host, s.port));
                    }
                }
                addresses = List.copyOf(out);
            }
            default -> { } // OPEN keeps whatever it had (Node does not touch it)
        }
    }

    /** Counts a sample, keeping the list sorted by hits (most first; ties by first seen), as Node's insertion does. */
    private static void addSample(List<Sample> samples, InetAddress host, int port) {
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            if (s.port != port || !s.host.equals(host)) {
                continue;
            }
            s.hits++;
            for (; i > 0; i--) {
                Sample prev = samples.get(i - 1);
                if (prev.hits >= s.hits) {
                    return;
                }
                samples.set(i - 1, s);
                samples.set(i, prev);
            }
            return;
        }
        samples.add(new Sample(host, port));
    }

    /** For diagnostics: hits per "host:port". */
    public Map<String, Integer> histogram() {
        Map<String, Integer> m = new HashMap<>();
        for (Sample s : full) {
            m.put(s.host.getHostAddress() + ":" + s.port, s.hits);
        }
        return m;
    }
}
