package io.tunctl.core.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tunctl.core.packet.Cidr;
import io.tunctl.core.spi.DeviceStats;
import io.tunctl.core.spi.InterfaceHandle;
import io.tunctl.core.spi.PeerStatus;
import io.tunctl.core.spi.TunnelStatus;

import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The answer to a status request, one interface of a running tunnel, as JSON (format version {@value #VERSION}; fields
 * are added, never renamed, within a version). I/O-free apart from {@link #interfaceOf}, which asks the kernel for
 * the interface's addresses.
 *
 * <p>Counters follow the kernel's view of the interface, as {@code ip -s link} shows them: {@code rx} is what came
 * out of the tunnel (from peers, written into the TUN), {@code tx} what went into it (read from the TUN). A peer's
 * {@code rx} arrived from it, its {@code tx} was sent to it.
 */
public final class StatusReport {
    /** Format version of the JSON: bumped when a field changes meaning or goes. */
    public static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusReport() {}

    /**
     * An interface as the report shows it.
     *
     * @param tun the TUN device's own counters (its rx: read from the kernel; its tx: written to it)
     */
    public record InterfaceInfo(String name, int index, int mtu, List<Cidr> addresses, DeviceStats tun) {
        public InterfaceInfo {
            addresses = List.copyOf(addresses);
        }
    }

    /** The interface behind {@code h}, with the addresses it has now (the kernel's, not the config's). */
    public static InterfaceInfo interfaceOf(InterfaceHandle h) {
        List<Cidr> addresses = new ArrayList<>();
        try {
            NetworkInterface ni = NetworkInterface.getByName(h.name());
            if (ni != null) {
                for (InterfaceAddress a : ni.getInterfaceAddresses()) {
                    byte[] raw = a.getAddress().getAddress();
                    addresses.add(Cidr.parse(Cidr.addressString(raw) + "/" + a.getNetworkPrefixLength()));
                }
            }
        } catch (SocketException | RuntimeException e) {
            // shown without addresses: the counters still say something
        }
        addresses.sort(java.util.Comparator.comparing((Cidr c) -> c.addressLength()).thenComparing(Cidr::toString));
        return new InterfaceInfo(h.name(), h.index(), h.device().mtu(), addresses, h.device().stats());
    }

    /**
     * The report of one interface.
     *
     * @param transport the provider's name
     * @param status    what the tunnel said of itself (its peers of other interfaces are left out)
     * @param statusError why the tunnel could not say, or null
     * @param startedAt when the tunnel came up
     */
    public static ObjectNode json(long pid, String transport, InterfaceInfo iface, TunnelStatus status,
                                  String statusError, ProcessFootprint process, Instant startedAt, Instant now) {
        ObjectNode o = JSON.createObjectNode();
        o.put("version", VERSION);
        o.put("pid", pid);
        o.put("transport", transport);
        if (status.role() != null) o.put("role", status.role());
        ObjectNode i = o.putObject("interface");
        i.put("name", iface.name());
        i.put("index", iface.index());
        i.put("mtu", iface.mtu());
        ArrayNode addrs = i.putArray("addresses");
        iface.addresses().forEach(a -> addrs.add(a.toString()));
        DeviceStats d = iface.tun();
        i.put("rxPackets", d.txPackets()); // written into the TUN: the kernel received them
        i.put("rxBytes", d.txBytes());
        i.put("txPackets", d.rxPackets());
        i.put("txBytes", d.rxBytes());
        i.put("drops", d.drops());
        o.put("startedAt", startedAt.toString());
        o.put("uptimeSeconds", Math.max(0, Duration.between(startedAt, now).toSeconds()));
        ObjectNode p = o.putObject("process");
        p.put("residentBytes", process.residentBytes());
        p.put("threads", process.threads());
        p.put("openFds", process.openFds());
        ArrayNode peers = o.putArray("peers");
        for (PeerStatus s : status.peersOf(iface.name())) peers.add(peer(s));
        ObjectNode c = o.putObject("counters");
        for (Map.Entry<String, Long> e : status.counters().entrySet()) c.put(e.getKey(), e.getValue());
        if (statusError != null) o.put("statusError", statusError);
        return o;
    }

    static ObjectNode peer(PeerStatus s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", s.id());
        if (s.endpoint() != null) n.put("endpoint", s.endpoint());
        ArrayNode ips = n.putArray("allowedIps");
        s.allowedIps().forEach(c -> ips.add(c.toString()));
        n.put("connected", s.connected());
        if (s.lastHandshake() != null) n.put("lastHandshake", s.lastHandshake().toString());
        if (s.rtt() != null) n.put("rttMicros", s.rtt().toNanos() / 1000);
        n.put("rxPackets", s.rxPackets());
        n.put("rxBytes", s.rxBytes());
        n.put("txPackets", s.txPackets());
        n.put("txBytes", s.txBytes());
        n.put("drops", s.drops());
        if (!s.info().isEmpty()) {
            ObjectNode info = n.putObject("info");
            s.info().forEach(info::put);
        }
        return n;
    }
}
