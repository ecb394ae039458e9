package io.tunctl.transport.http.wire;

/** Constants of tapotun's stream framing (spec tapotun-wire.md §1.6, §1.7, §8). */
public final class Wire {
    private Wire() {}

    /** Request header carrying the raw client token. */
    public static final String API_KEY_HEADER = "x-api-key";
    /** Response header of the GET stream carrying the interface parameters (Base64 of {@link TunConf}). */
    public static final String TUN_CONF_HEADER = "x-tun-conf";
    /** tunctl extension: the client's IPv6 address and prefix inside the tunnel (tapotun ignores it). */
    public static final String TUN_CONF6_HEADER = "x-tunctl-conf6";

    /** Bytes of the little-endian length prefix; it counts only the IP packet. */
    public static final int LENGTH_SIZE = 2;
    /** Size of the virtio-net header on the wire: {@code struct virtio_net_hdr_mrg_rxbuf} (10 + num_buffers). */
    public static final int VNET_HDR_LEN = 12;
    /** Smallest IP packet a frame may carry. */
    public static final int MIN_PACKET = 20;
    /** Largest IP packet a frame may carry (a GSO super-packet may be this large). */
    public static final int MAX_PACKET = 65535;
    /** Largest frame including length prefix and header. */
    public static final int MAX_FRAME = LENGTH_SIZE + VNET_HDR_LEN + MAX_PACKET;

    /** IP version nibble 1 marks an in-band v2 ping frame. */
    public static final int PING_VERSION = 1;
    /** Length of the v2 ping packet (the frame's {@code len}). */
    public static final int PING_LEN = 48;
    /** Offset between 100-ns ticks since 0001-01-01 and ticks since the unix epoch (D's stdTime). */
    public static final long STD_TIME_EPOCH_TICKS = 621_355_968_000_000_000L;
    /** Idle time after which a v1 peer sends a zero-length keep-alive; the v2 ping interval. */
    public static final long KEEPALIVE_SECONDS = 55;
}
