package io.tunctl.core.natives.linux;

/**
 * Constants of {@code <linux/virtio_net.h>}: the values of {@link virtio_net_hdr}'s {@code flags} and
 * {@code gso_type}. Declarations: {@code native-headers/linux/tun.h}.
 */
@SuppressWarnings({"unused", "checkstyle:TypeName", "checkstyle:MethodName"})
public final class virtio_net_h {
    private virtio_net_h() {}

    /** {@snippet lang=c : #define VIRTIO_NET_HDR_F_NEEDS_CSUM 1 } from linux/virtio_net.h */
    public static int VIRTIO_NET_HDR_F_NEEDS_CSUM() { return 1; }
    /** {@snippet lang=c : #define VIRTIO_NET_HDR_F_DATA_VALID 2 } from linux/virtio_net.h */
    public static int VIRTIO_NET_HDR_F_DATA_VALID() { return 2; }
    /** {@snippet lang=c : #define VIRTIO_NET_HDR_GSO_NONE 0 } from linux/virtio_net.h */
    public static int VIRTIO_NET_HDR_GSO_NONE() { return 0; }
    /** {@snippet lang=c : #define VIRTIO_NET_HDR_GSO_TCPV4 1 } from linux/virtio_net.h */
    public static int VIRTIO_NET_HDR_GSO_TCPV4() { return 1; }
    /** {@snippet lang=c : #define VIRTIO_NET_HDR_GSO_UDP 3 } from linux/virtio_net.h */
    public static int VIRTIO_NET_HDR_GSO_UDP() { return 3; }
    /** {@snippet lang=c : #define VIRTIO_NET_HDR_GSO_TCPV6 4 } from linux/virtio_net.h */
    public static int VIRTIO_NET_HDR_GSO_TCPV6() { return 4; }
    /** {@snippet lang=c : #define VIRTIO_NET_HDR_GSO_UDP_L4 5 // Linux >= 6.2 uapi } from linux/virtio_net.h */
    public static int VIRTIO_NET_HDR_GSO_UDP_L4() { return 5; }
    /** {@snippet lang=c : #define VIRTIO_NET_HDR_GSO_ECN 0x80 } from linux/virtio_net.h */
    public static int VIRTIO_NET_HDR_GSO_ECN() { return 0x80; }
}
