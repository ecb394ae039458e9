package io.tunctl.core.packet;

/** Outcome of {@link IpPacket#validate}: {@link #VALID} or the first reason a packet is malformed. */
public enum PacketValidity {
    VALID("valid"),
    EMPTY("empty packet"),
    BAD_VERSION("IP version is neither 4 nor 6"),
    TRUNCATED_IP_HEADER("packet shorter than its IP header"),
    BAD_IHL("IPv4 header length (IHL) below 5 words"),
    BAD_TOTAL_LENGTH("IPv4 total length smaller than its header"),
    LENGTH_EXCEEDS_BUFFER("IP total/payload length larger than the bytes received"),
    BAD_EXTENSION_HEADERS("IPv6 extension header chain runs past the packet or is too long"),
    TRUNCATED_TRANSPORT_HEADER("packet shorter than its TCP/UDP/ICMP header"),
    BAD_TCP_DATA_OFFSET("TCP data offset below 5 words"),
    BAD_UDP_LENGTH("UDP length below 8 or beyond the IP payload");

    private final String description;

    PacketValidity(String description) { this.description = description; }

    public boolean isValid() { return this == VALID; }

    /** A short human-readable reason, for logs and error messages. */
    public String description() { return description; }
}
