package io.tunctl.transport.socks.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tunctl.core.spi.InterfaceSpec;

import java.util.List;

/**
 * The {@code socks} section of a unified tunctl config, as written. {@link SettingsCompiler} checks it and turns it
 * into {@link SocksSettings}; durations are Go-style strings ({@code 5s}, {@code 1m30s}, {@code 250ms}).
 *
 * <pre>{@code
 * transport: socks
 * interface: { name: tun0, mtu: 1500, addresses: [198.18.0.1/30], routes: [{ to: 192.0.2.0/24 }], offload: true }
 * socks:
 *   proxy: socks5://user:pass@127.0.0.1:1080
 *   handshake: dial-first          # or accept-first
 *   direct: [reserved]             # destinations dialled without the proxy; [] sends everything to it
 *   timeouts: { connect: 5s, tcpIdle: 0s, udpIdle: 1m }
 *   limits: { flows: 16384, pendingDials: 512, udpSessions: 4096 }
 * }</pre>
 *
 * @param proxy     upstream proxy URL (socks5, socks5h, socks4, socks4a, http, direct, reject); required
 * @param stack     TCP engine: {@code system} (the kernel's stack through NAT; the only one so far)
 * @param handshake {@code dial-first} (the application's SYN is answered only once the upstream dial succeeded) or
 *                  {@code accept-first} (answered at once; a failed dial then resets the connection)
 * @param gateway   the virtual gateway's addresses (echo answered, source of the NAT side); default: the TUN's
 *                  host address + 1 in each family
 * @param direct    destinations that bypass the proxy: CIDRs, and the word {@code reserved} for the private,
 *                  loopback, link-local, multicast and special-purpose ranges; default {@code [reserved]}
 * @param blockPorts destination ports whose flows are refused (TCP) or dropped (UDP) whatever the address;
 *                  default NetBIOS, SMB and mDNS as nano-tun ({@code [137, 138, 139, 445, 5353]})
 * @param icmpEcho  which echo requests are answered: {@code gateway} (default) or {@code all} (every destination,
 *                  "fake ping": ICMP cannot go through a proxy)
 * @param mark      SO_MARK put on every socket tunctl opens for itself (proxy, direct and relay dials), so a
 *                  policy rule can keep them out of the tunnel; 0 for none; default 0x6e74
 * @param metrics   {@code address:port} for a Prometheus text endpoint with the engine's counters; off when absent
 * @param dns       the gateway's DNS relay
 * @param autoRoute default routes (IPv4 and IPv6) into the TUN, next to the host's own, without loops
 * @param exclude   processes whose flows go direct
 * @param log       log level and directory (nano-tun's logLevel and logDir)
 * @param tunInterface the interface a nano-tun file describes ({@link NanoTunFile}: tunName, mtu, nano-tun's
 *                  addresses); not a key of the {@code socks} section, where the unified {@code interface} section
 *                  says it. Used only when the context has no interface of its own.
 */
public record SocksConfig(
        @JsonProperty("proxy") String proxy,
        @JsonProperty("stack") String stack,
        @JsonProperty("handshake") String handshake,
        @JsonProperty("gateway") List<String> gateway,
        @JsonProperty("direct") List<String> direct,
        @JsonProperty("blockPorts") List<Integer> blockPorts,
        @JsonProperty("icmpEcho") String icmpEcho,
        @JsonProperty("mark") Long mark,
        @JsonProperty("timeouts") Timeouts timeouts,
        @JsonProperty("limits") Limits limits,
        @JsonProperty("metrics") String metrics,
        @JsonProperty("dns") Dns dns,
        @JsonProperty("autoRoute") Boolean autoRoute,
        @JsonProperty("exclude") Exclude exclude,
        @JsonProperty("log") Log log,
        @JsonIgnore InterfaceSpec tunInterface) {

    /** The config as nano-tun's fields would give it, before any DNS, route, exclusion or log settings. */
    public SocksConfig(String proxy, String stack, String handshake, List<String> gateway, List<String> direct,
                       List<Integer> blockPorts, String icmpEcho, Long mark, Timeouts timeouts, Limits limits,
                       String metrics) {
        this(proxy, stack, handshake, gateway, direct, blockPorts, icmpEcho, mark, timeouts, limits, metrics,
                null, null, null, null, null);
    }

    /** The config without an interface of its own (the unified file's {@code interface} section gives it). */
    public SocksConfig(String proxy, String stack, String handshake, List<String> gateway, List<String> direct,
                       List<Integer> blockPorts, String icmpEcho, Long mark, Timeouts timeouts, Limits limits,
                       String metrics, Dns dns, Boolean autoRoute, Exclude exclude, Log log) {
        this(proxy, stack, handshake, gateway, direct, blockPorts, icmpEcho, mark, timeouts, limits, metrics,
                dns, autoRoute, exclude, log, null);
    }

    /**
     * @param upstream the resolver the relay asks: an IP literal, {@code ip}, {@code ip:port} or {@code [v6]:port}
     *                 (default {@code 8.8.8.8:53}, as nano-tun)
     * @param via      {@code direct} (default: from tunctl's own marked socket, outside the tunnel) or {@code proxy}
     */
    public record Dns(@JsonProperty("upstream") String upstream, @JsonProperty("via") String via) {}

    /**
     * @param processes executable names (case-insensitive, a trailing {@code .exe} ignored) whose flows go direct
     * @param refresh   how often the process table is rescanned (default 15s)
     */
    public record Exclude(@JsonProperty("processes") List<String> processes, @JsonProperty("refresh") String refresh) {}

    /**
     * @param level {@code debug}, {@code info} (default), {@code warn}, {@code error} or {@code none}
     * @param dir   directory for date-named log files besides stderr; none when absent
     */
    public record Log(@JsonProperty("level") String level, @JsonProperty("dir") String dir) {}

    /**
     * @param connect TCP connect plus proxy handshake, per dial (default 5s)
     * @param tcpIdle a relayed TCP connection with no bytes either way for this long is closed; 0s: never (default)
     * @param udpIdle a UDP session with no datagram either way for this long ends (default 1m)
     */
    public record Timeouts(@JsonProperty("connect") String connect, @JsonProperty("tcpIdle") String tcpIdle,
                           @JsonProperty("udpIdle") String udpIdle) {}

    /**
     * @param flows        TCP flows (NAT entries) at once; the least recently used is evicted beyond (default 16384)
     * @param pendingDials TCP dials in progress at once; new flows beyond are refused (default 512)
     * @param udpSessions  UDP sessions at once; the least recently used is ended beyond (default 4096)
     */
    public record Limits(@JsonProperty("flows") Integer flows, @JsonProperty("pendingDials") Integer pendingDials,
                         @JsonProperty("udpSessions") Integer udpSessions) {}
}
