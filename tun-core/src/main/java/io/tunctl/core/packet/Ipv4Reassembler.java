package io.tunctl.core.packet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Reassembles IPv4 fragments (RFC 791 §3.2, any protocol) in bounded memory: at most {@code maxDatagrams}
 * datagrams in progress, each up to {@code maxDatagramBytes}, all in one segment sized at construction. Nothing
 * is allocated per fragment. Not thread-safe: one instance per reading thread.
 *
 * <p>Datagrams are keyed by (source, destination, protocol, identification). A fragment's payload goes straight
 * to its place in the datagram's slot; an 8-byte-block bitmap records what arrived. The rules, chosen against
 * the fragment attacks Linux hardened itself against:
 * <ul>
 *   <li>A fragment that repeats bytes already held, with the same content, is a {@link Drop#DUPLICATE}: ignored,
 *       the datagram kept (a fragment duplicated on the path is harmless). An overlap with <em>different</em>
 *       content drops the whole datagram ({@link Drop#OVERLAP}, RFC 5722's rule for IPv6, applied to IPv4 as
 *       Linux does), so no overlapping-fragment trick can choose which bytes the stack sees.</li>
 *   <li>A fragment other than the last must carry a multiple of 8 bytes, and none may be empty
 *       ({@link Drop#MALFORMED}, only that fragment dropped).</li>
 *   <li>A datagram longer than {@code maxDatagramBytes} (at most 65535) is dropped ({@link Drop#OVERSIZE}), as is
 *       one whose fragments disagree on where it ends ({@link Drop#INCONSISTENT}).</li>
 *   <li>A datagram still incomplete {@code timeoutNanos} after its first fragment is dropped
 *       ({@link Drop#TIMEOUT}, checked on every {@link #offer} and by {@link #expire}); when all slots are in use
 *       the oldest is dropped for a new one ({@link Drop#EVICTED}).</li>
 * </ul>
 *
 * <p>A completed datagram gets the header of its first fragment (options included) with MF and offset cleared,
 * its total length and a fresh header checksum; its payload, and so its transport checksum, is as sent.
 */
public final class Ipv4Reassembler {
    /** {@link #offer} results other than a completed datagram's length. */
    public static final int HELD = 0, NOT_A_FRAGMENT = -1, DROPPED = -2;

    /** Why a fragment, or the whole datagram it belonged to, was dropped. */
    public enum Drop {
        /** Not a well-formed IPv4 fragment (empty, or a non-last one not a multiple of 8 bytes); only it. */
        MALFORMED,
        /** Bytes already held with the same content; only the fragment is dropped. */
        DUPLICATE,
        /** Overlapping bytes with different content; the whole datagram. */
        OVERLAP,
        /** Fragments disagree on the end of the datagram; the whole datagram. */
        INCONSISTENT,
        /** The datagram would exceed the size limit; the whole datagram. */
        OVERSIZE,
        /** Incomplete when its time ran out; the whole datagram. */
        TIMEOUT,
        /** The oldest incomplete datagram, dropped to make room for a new one. */
        EVICTED
    }

    private static final int HEADER_ROOM = Ipv4.MAX_HEADER_LENGTH;
    private static final int DROP_KINDS = Drop.values().length;

    private final MemorySegment buf;
    private final int maxDatagrams;
    private final int maxDatagramBytes;
    private final int slotSize;
    private final int words;
    private final long timeoutNanos;

    private final boolean[] used;
    private final int[] src, dst, protoId;
    private final long[] created;
    /** Payload length once the last fragment arrived, else -1. */
    private final int[] end;
    /** Highest payload end seen in any fragment. */
    private final int[] maxEnd;
    private final int[] received;
    /** Header length of the first fragment once it arrived, else 0. */
    private final int[] headerLength;
    private final long[] blocks;
    private final long[] drops = new long[DROP_KINDS];
    private int pending;
    private long completed;

    private long completedOffset;
    private int completedLength;
    private Drop lastDrop;

    /** Bytes of buffer {@link #Ipv4Reassembler(MemorySegment, int, int, long)} needs for these limits. */
    public static long bufferSize(int maxDatagrams, int maxDatagramBytes) {
        checkLimits(maxDatagrams, maxDatagramBytes);
        return (long) maxDatagrams * slotSize(maxDatagramBytes);
    }

    /** Allocates its buffer from {@code arena} (which then owns its lifetime). */
    public Ipv4Reassembler(Arena arena, int maxDatagrams, int maxDatagramBytes, long timeoutNanos) {
        this(arena.allocate(bufferSize(maxDatagrams, maxDatagramBytes), 8), maxDatagrams, maxDatagramBytes,
                timeoutNanos);
    }

    /**
     * Works in {@code buffer}, which must hold {@link #bufferSize} bytes and is not touched by anyone else.
     *
     * @param maxDatagrams     datagrams in reassembly at once, 1..65536
     * @param maxDatagramBytes largest reassembled datagram, header included, 68..65535
     * @param timeoutNanos     how long an incomplete datagram is kept (RFC 791 suggests 15 s; Linux uses 30 s)
     */
    public Ipv4Reassembler(MemorySegment buffer, int maxDatagrams, int maxDatagramBytes, long timeoutNanos) {
        long need = bufferSize(maxDatagrams, maxDatagramBytes);
        if (buffer.byteSize() < need) {
            throw new IllegalArgumentException("reassembly buffer of " + buffer.byteSize() + " bytes, needs " + need);
        }
        if (timeoutNanos <= 0) throw new IllegalArgumentException("timeout must be positive, got " + timeoutNanos);
        this.buf = buffer;
        this.maxDatagrams = maxDatagrams;
        this.maxDatagramBytes = maxDatagramBytes;
        this.slotSize = slotSize(maxDatagramBytes);
        this.words = (((slotSize - HEADER_ROOM) >>> 3) + 63) >>> 6;
        this.timeoutNanos = timeoutNanos;
        used = new boolean[maxDatagrams];
        src = new int[maxDatagrams];
        dst = new int[maxDatagrams];
        protoId = new int[maxDatagrams];
        created = new long[maxDatagrams];
        end = new int[maxDatagrams];
        maxEnd = new int[maxDatagrams];
        received = new int[maxDatagrams];
        headerLength = new int[maxDatagrams];
        blocks = new long[maxDatagrams * words];
    }

    private static void checkLimits(int maxDatagrams, int maxDatagramBytes) {
        if (maxDatagrams < 1 || maxDatagrams > 65536) {
            throw new IllegalArgumentException("maxDatagrams " + maxDatagrams + " not in 1..65536");
        }
        if (maxDatagramBytes < IcmpReplies.MIN_MTU4 || maxDatagramBytes > 0xffff) {
            throw new IllegalArgumentException("maxDatagramBytes " + maxDatagramBytes + " not in 68..65535");
        }
    }

    /** Room for the largest header, then the payload rounded up to whole 8-byte blocks. */
    private static int slotSize(int maxDatagramBytes) {
        return HEADER_ROOM + ((maxDatagramBytes - Ipv4.MIN_HEADER_LENGTH + 7) & ~7);
    }

    /**
     * Takes the packet at {@code (seg, off, len)}: if it is an IPv4 fragment, files it (the bytes are copied; the
     * caller may reuse its buffer at once).
     *
     * @param nowNanos the caller's clock ({@link System#nanoTime()} or a test's), used for timeouts only
     * @return the length of the datagram this fragment completed, readable at {@link #completedOffset()} of
     *     {@link #completed()} until the next call; {@link #HELD} if the datagram is still incomplete;
     *     {@link #NOT_A_FRAGMENT} if the packet is not an IPv4 fragment (neither MF nor an offset: the caller uses
     *     it as it is); {@link #DROPPED} if the fragment was dropped, {@link #lastDrop()} says why
     */
    public int offer(MemorySegment seg, long off, int len, long nowNanos) {
        expire(nowNanos);
        if (len < Ipv4.MIN_HEADER_LENGTH || IpPacket.version(seg, off) != 4
                || !IpPacket.validate(seg, off, len).isValid()) {
            return drop(Drop.MALFORMED, -1);
        }
        if (!Ipv4.isFragment(seg, off)) return NOT_A_FRAGMENT;
        int ihl = Ipv4.headerLength(seg, off);
        int fragOff = Ipv4.fragmentOffset(seg, off);
        int dataLen = Ipv4.totalLength(seg, off) - ihl;
        boolean more = (Ipv4.flags(seg, off) & Ipv4.FLAG_MF) != 0;
        if (dataLen == 0 || more && (dataLen & 7) != 0) return drop(Drop.MALFORMED, -1);
        int fragEnd = fragOff + dataLen;

        int s = find(Ipv4.source(seg, off), Ipv4.destination(seg, off),
                Ipv4.protocol(seg, off) << 16 | Ipv4.identification(seg, off));
        if (Ipv4.MIN_HEADER_LENGTH + fragEnd > maxDatagramBytes) return drop(Drop.OVERSIZE, s);
        if (s < 0) s = open(seg, off, nowNanos);

        if (!more) {
            if (end[s] >= 0 && end[s] != fragEnd || maxEnd[s] > fragEnd) return drop(Drop.INCONSISTENT, s);
            end[s] = fragEnd;
        } else if (end[s] >= 0 && fragEnd > end[s]) {
            return drop(Drop.INCONSISTENT, s);
        }

        long data = off + ihl;
        long base = (long) s * slotSize + HEADER_ROOM;
        int b0 = fragOff >>> 3, b1 = (fragEnd + 7) >>> 3; // blocks [b0, b1)
        int fresh;
        if (!anySet(s, b0, b1)) {
            fresh = dataLen;
        } else {
            // some bytes are already here: they must match, and only the new blocks count
            fresh = 0;
            for (int b = b0; b < b1; b++) {
                int from = b << 3, to = Math.min(from + 8, fragEnd);
                if (isSet(s, b)) {
                    if (MemorySegment.mismatch(seg, data + from - fragOff, data + to - fragOff,
                            buf, base + from, base + to) >= 0) {
                        return drop(Drop.OVERLAP, s);
                    }
                } else {
                    fresh += to - from;
                }
            }
            if (fresh == 0) return drop(Drop.DUPLICATE, -1);
        }
        setRange(s, b0, b1);
        MemorySegment.copy(seg, data, buf, base + fragOff, dataLen);
        received[s] += fresh;
        maxEnd[s] = Math.max(maxEnd[s], fragEnd);
        if (fragOff == 0 && headerLength[s] == 0) {
            MemorySegment.copy(seg, off, buf, base - ihl, ihl);
            headerLength[s] = ihl;
        }
        if (end[s] < 0 || headerLength[s] == 0 || received[s] != end[s]) return HELD;
        return complete(s);
    }

    private int complete(int s) {
        int ihl = headerLength[s];
        int total = ihl + end[s];
        if (total > maxDatagramBytes) return drop(Drop.OVERSIZE, s);
        long h = (long) s * slotSize + HEADER_ROOM - ihl;
        Ipv4.setTotalLength(buf, h, total);
        Bytes.put16(buf, h + Ipv4.OFF_FRAG, 0);
        Checksum.fillIpv4Header(buf, h);
        close(s);
        completed++;
        completedOffset = h;
        completedLength = total;
        return total;
    }

    /** The slot of the datagram with this key, or -1. */
    private int find(int source, int destination, int key) {
        for (int i = 0; i < maxDatagrams; i++) {
            if (used[i] && protoId[i] == key && src[i] == source && dst[i] == destination) return i;
        }
        return -1;
    }

    /** A fresh slot for the fragment's datagram, evicting the oldest if all are taken. */
    private int open(MemorySegment seg, long off, long now) {
        int s = -1;
        if (pending < maxDatagrams) {
            for (int i = 0; i < maxDatagrams; i++) {
                if (!used[i]) { s = i; break; }
            }
        } else {
            s = 0;
            for (int i = 1; i < maxDatagrams; i++) if (created[i] - created[s] < 0) s = i;
            close(s);
            drops[Drop.EVICTED.ordinal()]++;
        }
        used[s] = true;
        pending++;
        src[s] = Ipv4.source(seg, off);
        dst[s] = Ipv4.destination(seg, off);
        protoId[s] = Ipv4.protocol(seg, off) << 16 | Ipv4.identification(seg, off);
        created[s] = now;
        end[s] = -1;
        maxEnd[s] = 0;
        received[s] = 0;
        headerLength[s] = 0;
        Arrays.fill(blocks, s * words, (s + 1) * words, 0L);
        return s;
    }

    private void close(int s) {
        used[s] = false;
        pending--;
    }

    /** Counts {@code why}, drops the datagram in slot {@code s} too if there is one. */
    private int drop(Drop why, int s) {
        if (s >= 0) close(s);
        drops[why.ordinal()]++;
        lastDrop = why;
        return DROPPED;
    }

    /**
     * Drops every datagram incomplete for longer than the timeout ({@link Drop#TIMEOUT}). {@link #offer} does
     * this itself; call it when no fragments arrive, to let go of memory held for nothing.
     *
     * @return how many datagrams were dropped
     */
    public int expire(long nowNanos) {
        int n = 0;
        for (int i = 0; i < maxDatagrams; i++) {
            if (used[i] && nowNanos - created[i] > timeoutNanos) {
                close(i);
                n++;
            }
        }
        drops[Drop.TIMEOUT.ordinal()] += n;
        return n;
    }

    // ---- block bitmap ----

    private boolean isSet(int s, int b) { return (blocks[s * words + (b >>> 6)] & 1L << b) != 0; }

    private boolean anySet(int s, int b0, int b1) {
        for (int w = b0 >>> 6, last = (b1 - 1) >>> 6; w <= last; w++) {
            long mask = -1L;
            if (w == b0 >>> 6) mask &= -1L << b0;
            if (w == last) mask &= -1L >>> (63 - ((b1 - 1) & 63));
            if ((blocks[s * words + w] & mask) != 0) return true;
        }
        return false;
    }

    private void setRange(int s, int b0, int b1) {
        for (int w = b0 >>> 6, last = (b1 - 1) >>> 6; w <= last; w++) {
            long mask = -1L;
            if (w == b0 >>> 6) mask &= -1L << b0;
            if (w == last) mask &= -1L >>> (63 - ((b1 - 1) & 63));
            blocks[s * words + w] |= mask;
        }
    }

    // ---- results and counters ----

    /** The segment holding the last completed datagram (this reassembler's buffer). */
    public MemorySegment completed() { return buf; }

    /** Offset in {@link #completed()} of the last completed datagram's IPv4 header. */
    public long completedOffset() { return completedOffset; }

    /** Length of the last completed datagram (what {@link #offer} returned). */
    public int completedLength() { return completedLength; }

    /** Why the last {@link #DROPPED} fragment was dropped; null before the first drop. */
    public Drop lastDrop() { return lastDrop; }

    /** Fragments (for {@link Drop#MALFORMED}, {@link Drop#DUPLICATE}) or datagrams dropped for {@code why}. */
    public long dropped(Drop why) { return drops[why.ordinal()]; }

    /** Datagrams reassembled so far. */
    public long reassembled() { return completed; }

    /** Datagrams now incomplete, holding a slot. */
    public int pending() { return pending; }
}
