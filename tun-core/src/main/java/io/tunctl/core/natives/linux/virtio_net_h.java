package io.tunctl.core.natives.linux;

/**
 * Constants of {@code <linux/virtio_net.h>}: the values of {@link virtio_net_hdr}'s {@code flags} and
 * {@code gso_type}. Declarations: {@code native-headers/linux_tun.h}.
 */
@SuppressWarnings({"unused", "checkstyle:TypeName", "checkstyle:MethodName"})
public final class virtio_net_h {
    private virtio_net_h() {}

    /**
     * From {@code linux/virtio_net.h}:
     * {@snippet lang=c :
     * #define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
     * }
     */
    public static int VIRTIO_NET_HDR_F_NEEDS_CSUM() { return 1; }
    /**
     * From {@code linux/virtio_net.h}:
     * {@snippet lang=c :
     * #define VIRTIO_NET_HDR_F_DATA_VALID 2
     * }
     */
    public static int VIRTIO_NET_HDR_F_DATA_VALID() { return 2; }
    /**
     * From {@code linux/virtio_net.h}:
     * {@snippet lang=c :
     * #define VIRTIO_NET_HDR_GSO_NONE 0
     * }
     */
    public static int VIRTIO_NET_HDR_GSO_NONE() { return 0; }
    /**
     * From {@code linux/virtio_net.h}:
     * {@snippet lang=c :
     * #define VIRTIO_NET_HDR_GSO_TCPV4 1
     * }
     */
    public static int VIRTIO_NET_HDR_GSO_TCPV4() { return 1; }
    /**
     * From {@code linux/virtio_net.h}:
     * {@snippet lang=c :
     * #define VIRTIO_NET_HDR_GSO_UDP 3
     * }
     */
    public static int VIRTIO_NET_HDR_GSO_UDP() { return 3; }
    /**
     * From {@code linux/virtio_net.h}:
     * {@snippet lang=c :
     * #define VIRTIO_NET_HDR_GSO_TCPV6 4
     * }
     */
    public static int VIRTIO_NET_HDR_GSO_TCPV6() { return 4; }
    /**
     * From {@code linux/virtio_net.h}:
     * {@snippet lang=c :
     * #define VIRTIO_NET_HDR_GSO_UDP_L4 5 // Linux >= 6.2 uapi
     * }
     */
    public static int VIRTIO_NET_HDR_GSO_UDP_L4() { return 5; }
    /**
     * From {@code linux/virtio_net.h}:
     * {@snippet lang=c :
     * #define VIRTIO_NET_HDR_GSO_ECN 0x80
     * }
     */
    public static int VIRTIO_NET_HDR_GSO_ECN() { return 0x80; }
}
