package io.tunctl.core.spi;

/**
 * Offload metadata values carried per packet in a {@link PacketBatch}. They are the values of
 * {@code struct virtio_net_hdr} (linux/virtio_net.h), so a TUN opened with {@code IFF_VNET_HDR} passes them
 * through unchanged and a stream transport (http) can put them on the wire as they are.
 */
public final class Offload {
    private Offload() {}

    /** VIRTIO_NET_HDR_F_NEEDS_CSUM: the checksum at csumStart+csumOffset still has to be computed. */
    public static final int F_NEEDS_CSUM = 1;
    /** VIRTIO_NET_HDR_F_DATA_VALID: the checksum was already verified. */
    public static final int F_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_UDP_L4 = 5;
    public static final int GSO_ECN = 0x80;

    /** Size of {@code struct virtio_net_hdr} as a TUN with IFF_VNET_HDR reads and writes it. */
    public static final int VIRTIO_NET_HDR_LEN = 10;
}
