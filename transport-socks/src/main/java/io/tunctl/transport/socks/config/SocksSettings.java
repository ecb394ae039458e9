package io.tunctl.transport.socks.config;

import io.tunctl.core.packet.Cidr;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A checked socks configuration, ready to run ({@link SettingsCompiler} makes it from {@link SocksConfig}).
 *
 * @param proxy        the upstream proxy URL as written (parsed by the proxy package)
 * @param acceptFirst  answer the application's SYN before the upstream dial is done
 * @param gateway      the virtual gateway's addresses (IPv4 and/or IPv6), one per family at most
 * @param direct       destinations dialled without the proxy
 * @param blockPorts   destination ports refused (TCP) or dropped (UDP)
 * @param echoAll      answer ICMP echo for every destination, not only the gateway
 * @param mark         SO_MARK for tunctl's own sockets, 0 for none
 * @param metrics      where to serve counters ({@code host:port}), or null
 * @param dnsUpstream  the resolver the gateway's DNS relay asks
 * @param dnsViaProxy  ask it through the proxy instead of from tunctl's own marked socket
 * @param autoRoute    default routes into the TUN, without loops
 * @param excludeProcesses executable names (normalised: lower case, no {@code .exe}) whose flows go direct
 * @param excludeRefresh   how often the process table is rescanned
 * @param logLevel     {@code debug|info|warn|error|none}
 * @param logDir       directory for log files, or null
 */
public record SocksSettings(
        String proxy,
        boolean acceptFirst,
        List<InetAddress> gateway,
        List<Cidr> direct,
        Set<Integer> blockPorts,
        boolean echoAll,
        long mark,
        Duration connectTimeout,
        Duration tcpIdle,
        Duration udpIdle,
        int maxFlows,
        int maxPendingDials,
        int maxUdpSessions,
        String metrics,
        java.net.InetSocketAddress dnsUpstream,
        boolean dnsViaProxy,
        boolean autoRoute,
        List<String> excludeProcesses,
        Duration excludeRefresh,
        String logLevel,
        String logDir) {

    public static final Duration DEFAULT_CONNECT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_UDP_IDLE = Duration.ofMinutes(1);
    public static final int DEFAULT_FLOWS = 16384;
    public static final int DEFAULT_PENDING_DIALS = 512;
    public static final int DEFAULT_UDP_SESSIONS = 4096;
    public static final long DEFAULT_MARK = 0x6e74;
    public static final java.net.InetSocketAddress DEFAULT_DNS = new java.net.InetSocketAddress(
            java.net.InetAddress.ofLiteral("8.8.8.8"), 53);
    public static final Duration DEFAULT_EXCLUDE_REFRESH = Duration.ofSeconds(15);
    public static final List<Integer> DEFAULT_BLOCK_PORTS = List.of(137, 138, 139, 445, 5353);

    /**
     * Special-purpose destinations that never go to the proxy (the word {@code reserved} in {@code direct}): nano-tun's
     * list (loopback, private, shared, link-local, multicast, benchmarking, documentation and other special-purpose
     * ranges) with its one mistake fixed: it meant to keep {@code 2001:db8::/32} direct but listed only
     * {@code 2001::/23}, which does not contain it; here both are listed. Tests that use documentation ranges as
     * proxied destinations set {@code direct: []}.
     */
    public static final List<Cidr> RESERVED = List.of(
            Cidr.parse("0.0.0.0/8"), Cidr.parse("10.0.0.0/8"), Cidr.parse("100.64.0.0/10"), Cidr.parse("127.0.0.0/8"),
            Cidr.parse("169.254.0.0/16"), Cidr.parse("172.16.0.0/12"), Cidr.parse("192.0.0.0/24"),
            Cidr.parse("192.0.2.0/24"), Cidr.parse("192.168.0.0/16"), Cidr.parse("198.18.0.0/15"),
            Cidr.parse("198.51.100.0/24"), Cidr.parse("203.0.113.0/24"), Cidr.parse("224.0.0.0/4"),
            Cidr.parse("240.0.0.0/4"), Cidr.parse("255.255.255.255/32"),
            Cidr.parse("::/128"), Cidr.parse("::1/128"), Cidr.parse("::ffff:0:0/96"), Cidr.parse("64:ff9b::/96"),
            Cidr.parse("100::/64"), Cidr.parse("2001::/23"), Cidr.parse("2001:db8::/32"), Cidr.parse("2002::/16"),
            Cidr.parse("fc00::/7"), Cidr.parse("fe80::/10"), Cidr.parse("ff00::/8"));
}
