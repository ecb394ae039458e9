package io.tunctl.transport.http.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * One object of a tapotun config array, as written: a server when {@code port} is present, a client when
 * {@code server} is present. Field names are tapotun's (README, v1); the ones marked "tunctl" are extensions
 * tapotun does not know.
 *
 * @param name    TUN interface name (1..15 characters)
 * @param mark    fwmark policy routing: traffic marked {@code value} is looked up in {@code table}
 * @param server  client: the server URL ({@code http://} or {@code https://})
 * @param token   client: the raw token sent in {@code x-api-key}
 * @param ca      client, tunctl: a PEM file of CA certificates trusted in addition to the system trust store
 * @param port    server: the HTTP port
 * @param net     server: the server's TUN address and the tunnel prefix, {@code a.b.c.d/p}
 * @param mtu     server: TUN MTU, also handed to clients (68..9000, default 1500)
 * @param ips     server: extra addresses of the server TUN (with the {@code net} prefix)
 * @param routes  server: networks treated as local by the source-pinning rule
 * @param clients server: the allowed clients
 * @param net6    server, tunctl: the server's IPv6 address and prefix inside the tunnel
 * @param listen  server, tunctl: address to bind (default {@code 0.0.0.0}, as tapotun)
 * @param admin   server, tunctl: {@code host:port} of the health and Prometheus metrics endpoint
 * @param offload tunctl: open the TUN with virtio-net headers and TSO so GSO super-packets pass (default true)
 * @param network v2 server: the tunnel prefix (present only in tapotun v2 files)
 * @param nodes   v2 server: node definitions
 * @param acl     v2 server: reachability
 * @param exitNodes v2 server: default gateways
 */
public record InterfaceConfig(
        @JsonProperty("name") String name,
        @JsonProperty("mark") Mark mark,
        @JsonProperty("server") String server,
        @JsonProperty("token") String token,
        @JsonProperty("ca") String ca,
        @JsonProperty("port") Integer port,
        @JsonProperty("net") String net,
        @JsonProperty("mtu") Integer mtu,
        @JsonProperty("ips") List<String> ips,
        @JsonProperty("routes") List<String> routes,
        @JsonProperty("clients") List<ClientEntry> clients,
        @JsonProperty("net6") String net6,
        @JsonProperty("listen") String listen,
        @JsonProperty("admin") String admin,
        @JsonProperty("offload") Boolean offload,
        @JsonProperty("network") String network,
        @JsonProperty("nodes") com.fasterxml.jackson.databind.JsonNode nodes,
        @JsonProperty("acl") com.fasterxml.jackson.databind.JsonNode acl,
        @JsonProperty("exit_nodes") com.fasterxml.jackson.databind.JsonNode exitNodes) {

    public boolean isServer() { return port != null; }

    public boolean isClient() { return port == null && server != null; }

    /** A tapotun v2 server object (nodes/acl/exit_nodes instead of net/clients). */
    public boolean isV2Server() { return nodes != null || network != null || acl != null || exitNodes != null; }

    /**
     * tapotun's policy routing mark.
     *
     * @param value the fwmark (u32); 0 disables the rule
     * @param table the routing table (u32)
     */
    public record Mark(@JsonProperty("value") Long value, @JsonProperty("table") Long table) {}

    /**
     * One allowed client of a server.
     *
     * @param token   SHA-1 of the client's raw token, 40 lower-case hex digits
     * @param ip      the client's address inside the tunnel
     * @param routes  networks forwarded to this client
     * @param sources source addresses pinned to this client
     * @param ip6     tunctl: the client's IPv6 address inside the tunnel
     */
    public record ClientEntry(
            @JsonProperty("token") String token,
            @JsonProperty("ip") String ip,
            @JsonProperty("routes") List<String> routes,
            @JsonProperty("sources") List<String> sources,
            @JsonProperty("ip6") String ip6) {}
}
