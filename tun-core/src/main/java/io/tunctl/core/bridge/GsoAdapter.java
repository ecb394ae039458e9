package io.tunctl.core.bridge;

import io.tunctl.core.packet.GsoSegmenter;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;

import java.io.IOException;

/**
 * Turns GSO super-packets (and packets whose checksum is still partial) into plain, complete packets for a
 * device that does not accept offload, flushing the destination batch whenever it fills.
 */
final class GsoAdapter {
    private final int mtu;

    GsoAdapter(int mtu) {
        this.mtu = mtu;
    }

    /** Appends packet {@code i} of {@code src} to {@code dst} as plain packets; false when it had to be dropped. */
    boolean append(PacketBatch src, int i, PacketBatch dst, PacketDevice to) throws IOException {
        int total;
        try {
            total = GsoSegmenter.segmentCount(src, i);
        } catch (IllegalArgumentException malformed) {
            return false;
        }
        if (total > PacketBridge.MAX_SEGMENTS) return false;
        if (!src.hasOffload(i) && src.length(i) > mtu) return false;
        for (int done = 0; done < total; ) {
            if (dst.isFull()) {
                to.write(dst);
                dst.clear();
            }
            try {
                done += GsoSegmenter.segment(src, i, dst, done);
            } catch (IllegalArgumentException tooLarge) {
                return false;
            }
        }
        return true;
    }
}
