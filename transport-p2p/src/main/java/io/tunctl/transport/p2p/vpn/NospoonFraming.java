package io.tunctl.transport.p2p.vpn;

import java.util.Arrays;

/**
 * nospoon's framing inside the encrypted stream (nospoon-compat spec §4): {@code uint32 big-endian length N} then
 * exactly one raw IP packet; {@code N = 0} is a keep-alive. I/O-free.
 *
 * <p>The decoder follows nospoon's receiver: frames may be split or merged across messages; a length above 65535 is
 * corruption, and the reassembly buffer with the rest of that message is discarded; so is a buffer that grows
 * beyond 256 KiB. A frame wholly inside one message (the usual case: nospoon writes one frame per message, tunctl a
 * few whole frames) is lent to the consumer where it lies, without a copy.
 */
public final class NospoonFraming {
    public static final int HEADER = 4;
    public static final int MAX_PACKET = 65535;
    static final int MAX_BUFFERED = 256 * 1024;

    private NospoonFraming() {}

    /** Receives decoded packets, lent: {@code buf[off, off+len)} is valid only during the call. */
    @FunctionalInterface
    public interface Packets {
        void packet(byte[] buf, int off, int len);
    }

    /** Writes the 4-byte header for a {@code len}-byte packet at {@code buf[off]}. */
    public static void header(byte[] buf, int off, int len) {
        buf[off] = (byte) (len >>> 24);
        buf[off + 1] = (byte) (len >>> 16);
        buf[off + 2] = (byte) (len >>> 8);
        buf[off + 3] = (byte) len;
    }

    /** One stream's reassembly state. Used on one thread. */
    public static final class Decoder {
        private final int maxFrame;
        private byte[] pending = new byte[0];
        private int pendingLen;
        private long keepAlives;
        private long corrupt;

        /** nospoon's decoder: a length above 65535 is corruption. */
        public Decoder() {
            this(MAX_PACKET);
        }

        /** A decoder that takes frames of up to {@code maxFrame} bytes ({@link WholeGso#MAX_FRAME} once negotiated). */
        public Decoder(int maxFrame) {
            if (maxFrame < MAX_PACKET || maxFrame > WholeGso.MAX_FRAME) {
                throw new IllegalArgumentException("maxFrame out of range [" + MAX_PACKET + ", " + WholeGso.MAX_FRAME
                        + "]: " + maxFrame);
            }
            this.maxFrame = maxFrame;
        }

        /** Feeds one received message; hands every complete packet to {@code out}, in order. */
        public void feed(byte[] buf, int off, int len, Packets out) {
            if (pendingLen == 0) {
                int used = drain(buf, off, len, out);
                if (used >= 0 && used < len) keep(buf, off + used, len - used);
                return;
            }
            if ((long) pendingLen + len > MAX_BUFFERED) {
                pendingLen = 0; // nospoon drops the buffer it can no longer grow
                corrupt++;
                return;
            }
            keep(buf, off, len);
            int used = drain(pending, 0, pendingLen, out);
            if (used < 0) {
                pendingLen = 0;
            } else if (used > 0) {
                System.arraycopy(pending, used, pending, 0, pendingLen - used);
                pendingLen -= used;
            }
        }

        /** Delivers the complete frames at the start of {@code buf[off, off+len)}; returns bytes used, -1 on corruption. */
        private int drain(byte[] buf, int off, int len, Packets out) {
            int p = off;
            int end = off + len;
            while (end - p >= HEADER) {
                long n = ((buf[p] & 0xffL) << 24) | ((buf[p + 1] & 0xff) << 16) | ((buf[p + 2] & 0xff) << 8)
                        | (buf[p + 3] & 0xff);
                if (n > maxFrame) {
                    corrupt++;
                    return -1;
                }
                if (end - p - HEADER < n) break;
                if (n == 0) keepAlives++;
                else out.packet(buf, p + HEADER, (int) n);
                p += HEADER + (int) n;
            }
            return p - off;
        }

        private void keep(byte[] buf, int off, int len) {
            if (pendingLen + len > pending.length) {
                pending = Arrays.copyOf(pending, Math.max(pendingLen + len, Math.min(MAX_BUFFERED, pending.length * 2
                        + 2048)));
            }
            System.arraycopy(buf, off, pending, pendingLen, len);
            pendingLen += len;
        }

        /** Bytes of an incomplete frame waiting for the next message. */
        public int buffered() { return pendingLen; }

        public long keepAlives() { return keepAlives; }

        /** Messages (or buffers) discarded as corrupt: a length above the maximum, or more than 256 KiB buffered. */
        public long corrupt() { return corrupt; }
    }
}
