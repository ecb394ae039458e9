package io.tunctl.core.bridge;

import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;

import java.io.IOException;

/** Turns GSO super-packets into plain packets for a device that does not accept GSO. */
final class GsoAdapter {
    private final int mtu;

    GsoAdapter(int mtu) {
        this.mtu = mtu;
    }

    /**
     * Appends packet {@code i} of {@code src} to {@code dst} as one or more plain packets, flushing {@code dst}
     * to {@code to} when it fills. Returns false when the packet had to be dropped.
     */
    boolean append(PacketBatch src, int i, PacketBatch dst, PacketDevice to) throws IOException {
        if (src.hasOffload(i) || src.length(i) > mtu) {
            return false; // segmentation arrives with io.tunctl.core.packet.GsoSegmenter
        }
        if (dst.isFull()) {
            to.write(dst);
            dst.clear();
        }
        src.copyTo(i, dst);
        dst.setOffload(dst.size() - 1, 0, 0, 0, 0, 0, 0);
        return true;
    }
}
