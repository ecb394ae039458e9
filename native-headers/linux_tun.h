/*
 * The TUN driver interface tunctl binds (io.tunctl.core.natives.linux.if_tun_h, virtio_net_h, ifreq,
 * virtio_net_hdr): struct ifreq from <net/if.h>, the TUNSET* ioctls and IFF_* flags from <linux/if_tun.h>, and
 * struct virtio_net_hdr from <linux/virtio_net.h>.
 *
 * Values newer than the oldest kernel headers we build against are defined here when the system headers lack
 * them; they are uapi and never change once released.
 */
#ifndef TUNCTL_TUN_H
#define TUNCTL_TUN_H

#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>

/* Linux 6.2 (uapi/linux/if_tun.h): UDP segmentation offload */
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif
/* Linux 6.2 (uapi/linux/virtio_net.h) */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

#endif
