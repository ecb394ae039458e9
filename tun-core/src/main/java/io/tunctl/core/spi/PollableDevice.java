package io.tunctl.core.spi;

import java.io.Closeable;
import java.io.IOException;

/**
 * A pull device that an event loop can read instead of a thread of its own: it has a file descriptor that polls
 * readable while packets wait, and a read that never blocks and puts each packet straight into memory the caller
 * owns. The TUN is one. A push device that sends from an event loop (the http client's PUT stream) can then read the
 * TUN on that loop, into its own send buffer, and put the bytes on the wire without a copy or a hand-off between
 * threads: see {@link PacketDevice#drive}.
 */
public interface PollableDevice extends PacketDevice {

    /**
     * Opens a reader for one event loop. While it is open, nobody else may {@link #read} this device (the bridge
     * starts no pumping thread for a driven direction). Close it on the thread that reads with it.
     */
    DirectReader openDirectReader() throws IOException;

    /** One event loop's way into a {@link PollableDevice}. Used by one thread at a time; nothing here allocates. */
    interface DirectReader extends Closeable {

        /**
         * A descriptor of the reader's own (a duplicate, so closing the device never leaves a stale number in an
         * epoll set): level-triggered readable while {@link #read} would return a packet. Closed by {@link #close}.
         */
        int fd();

        /**
         * Bytes {@link #read} writes to {@code header} before each packet: {@link Offload#VIRTIO_NET_HDR_LEN} (a
         * {@code struct virtio_net_hdr}, host byte order) when the device reads with offload, 0 otherwise.
         */
        int headerLength();

        /**
         * Reads one packet without blocking: its offload header (if {@link #headerLength()} &gt; 0) to native
         * address {@code header}, the packet to {@code packet}, at most {@code capacity} bytes. The caller vouches that
         * both ranges are writable memory it owns.
         *
         * @return the packet's length; 0 when none is ready; -1 once the device is closed
         */
        int read(long header, long packet, int capacity) throws IOException;

        /** Closes the reader's descriptor (never the device's); idempotent. */
        @Override
        void close();
    }
}
