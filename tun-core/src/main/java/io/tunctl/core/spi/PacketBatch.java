package io.tunctl.core.spi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A reusable batch of packet buffers: the unit every {@link PacketDevice} reads into and writes from.
 *
 * <p>One off-heap slab is cut into {@code capacity} slots of {@code bufferSize} bytes each. Slot {@code i}
 * holds one whole IP packet (no TUN packet-info prefix, no virtio header) of {@link #length(int)} bytes,
 * plus its offload metadata ({@link #gsoType(int)} and friends, mirroring {@code struct virtio_net_hdr}).
 * A packet whose {@code gsoType} is not {@link Offload#GSO_NONE} is a GSO super-packet that the receiver
 * (or the kernel) splits into segments of {@code gsoSize} payload bytes.
 *
 * <p>A slot may instead <em>refer</em> to a packet in memory the caller owns ({@link #addRef}): a transport's
 * receive buffer, so the packet reaches a TUN write without being copied. Readers that honour this use
 * {@link #memory(int)} and {@link #offset(int)} (or {@link #address(int)}); {@link #buffer(int)} first copies
 * such a packet into its slot, so every other reader still sees the packet in the slot.
 *
 * <p>Nothing here allocates per packet: the slot slices and the metadata arrays are made once.
 * A batch is not thread-safe; each pumping thread owns its own.
 */
public final class PacketBatch {
    private final MemorySegment[] slots;
    private final int bufferSize;
    private final int[] length;
    private final byte[] flags;
    private final byte[] gsoType;
    private final short[] hdrLen;
    private final short[] gsoSize;
    private final short[] csumStart;
    private final short[] csumOffset;
    /** Native address of a packet slot {@code i} refers to ({@link #addRef}), or 0 when it is in the slot. */
    private final long[] ref;
    /** Made by {@link #references}: slots have no memory of their own. */
    private final boolean refsOnly;
    private int size;

    private PacketBatch(MemorySegment slab, int capacity, int bufferSize) {
        this.bufferSize = bufferSize;
        this.refsOnly = slab == null;
        this.slots = new MemorySegment[capacity];
        for (int i = 0; i < capacity; i++) {
            slots[i] = refsOnly ? MemorySegment.NULL : slab.asSlice((long) i * bufferSize, bufferSize);
        }
        this.length = new int[capacity];
        this.flags = new byte[capacity];
        this.gsoType = new byte[capacity];
        this.hdrLen = new short[capacity];
        this.gsoSize = new short[capacity];
        this.csumStart = new short[capacity];
        this.csumOffset = new short[capacity];
        this.ref = new long[capacity];
    }

    /**
     * Allocates a batch in {@code arena}; the batch lives exactly as long as the arena.
     *
     * @param capacity   packets per batch (at least 1)
     * @param bufferSize bytes per slot: the largest packet this batch carries (MTU, or 65535 with GSO)
     */
    public static PacketBatch allocate(Arena arena, int capacity, int bufferSize) {
        Objects.requireNonNull(arena, "arena");
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        if (bufferSize < 68 || bufferSize > 65535 + 64) {
            throw new IllegalArgumentException("bufferSize out of range [68, 65599]: " + bufferSize);
        }
        MemorySegment slab = arena.allocate((long) capacity * bufferSize, 64);
        return new PacketBatch(slab, capacity, bufferSize);
    }

    /**
     * Like {@link #allocate}, but the slab is fresh anonymous memory ({@code mmap}) that the kernel backs page by page
     * as packets are written into it, where {@code allocate} zeroes (so makes resident) every byte at once: a batch of
     * 64 KiB GSO slots then costs nothing until packets arrive, and a 1,400-byte packet one page of its slot. The
     * memory is unmapped when {@code arena} closes. Falls back to {@link #allocate} if the mapping fails.
     */
    public static PacketBatch allocateLazily(Arena arena, int capacity, int bufferSize) {
        Objects.requireNonNull(arena, "arena");
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        if (bufferSize < 68 || bufferSize > 65535 + 64) {
            throw new IllegalArgumentException("bufferSize out of range [68, 65599]: " + bufferSize);
        }
        MemorySegment slab = AnonymousMemory.map((long) capacity * bufferSize, arena);
        return slab == null ? allocate(arena, capacity, bufferSize) : new PacketBatch(slab, capacity, bufferSize);
    }

    /** mmap(2)/munmap(2) of private anonymous memory, bound on first use. */
    private static final class AnonymousMemory {
        private static final int PROT_READ_WRITE = 0x1 | 0x2;
        private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
        private static final java.lang.invoke.MethodHandle MMAP;
        private static final java.lang.invoke.MethodHandle MUNMAP;

        static {
            java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
            var libc = linker.defaultLookup();
            java.lang.foreign.ValueLayout.OfLong size = java.lang.foreign.ValueLayout.JAVA_LONG;
            java.lang.foreign.ValueLayout.OfInt i32 = java.lang.foreign.ValueLayout.JAVA_INT;
            MMAP = libc.find("mmap").map(a -> linker.downcallHandle(a, java.lang.foreign.FunctionDescriptor.of(
                    java.lang.foreign.ValueLayout.ADDRESS, java.lang.foreign.ValueLayout.ADDRESS, size, i32, i32, i32,
                    size))).orElse(null);
            MUNMAP = libc.find("munmap").map(a -> linker.downcallHandle(a, java.lang.foreign.FunctionDescriptor.of(
                    i32, java.lang.foreign.ValueLayout.ADDRESS, size))).orElse(null);
        }

        /** A mapping of {@code size} bytes living as long as {@code arena}, or null if it cannot be made. */
        static MemorySegment map(long size, Arena arena) {
            if (MMAP == null || MUNMAP == null) return null;
            try {
                MemorySegment at = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, size, PROT_READ_WRITE,
                        MAP_PRIVATE_ANONYMOUS, -1, 0L);
                if (at.address() == 0 || at.address() == -1L) return null; // MAP_FAILED
                return at.reinterpret(size, arena, AnonymousMemory::unmap);
            } catch (Throwable e) {
                return null;
            }
        }

        private static void unmap(MemorySegment s) {
            try {
                int ignored = (int) MUNMAP.invokeExact(s, s.byteSize());
            } catch (Throwable e) {
                // nothing to do: the mapping stays until the process ends
            }
        }
    }

    public int capacity() { return slots.length; }

    public int bufferSize() { return bufferSize; }

    /**
     * A batch of {@link #addRef references} only, with no slot memory: for a device that passes on some packets of
     * a batch it was given (rewritten in place) without copying them. {@link #buffer}, {@link #add} and the other
     * copying methods throw {@link IllegalStateException} on it.
     *
     * @param maxLength the longest packet it may refer to (65535 with GSO)
     */
    public static PacketBatch references(int capacity, int maxLength) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        if (maxLength < 68 || maxLength > 65535 + 64) {
            throw new IllegalArgumentException("maxLength out of range [68, 65599]: " + maxLength);
        }
        return new PacketBatch(null, capacity, maxLength);
    }

    /** Number of packets currently in the batch (slots {@code 0 .. size-1}). */
    public int size() { return size; }

    public boolean isEmpty() { return size == 0; }

    public boolean isFull() { return size == slots.length; }

    /** Empties the batch; buffers keep their bytes but are no longer counted, and referred packets are let go. */
    public void clear() {
        for (int i = 0; i < size; i++) ref[i] = 0;
        size = 0;
    }

    /** Sets the packet count after a device filled slots {@code 0 .. n-1} directly. */
    public void size(int n) {
        if (n < 0 || n > slots.length) throw new IndexOutOfBoundsException("size " + n + " of " + slots.length);
        for (int i = n; i < size; i++) ref[i] = 0;
        size = n;
    }

    /**
     * The whole slot {@code i} ({@link #bufferSize()} bytes), for a device to fill or read. A packet the slot only
     * referred to ({@link #addRef}) is copied into the slot first.
     */
    public MemorySegment buffer(int i) {
        if (refsOnly) throw new IllegalStateException("a batch of references has no slot memory");
        long a = ref[i];
        if (a != 0) {
            MemorySegment.copy(Native.ALL, a, slots[i], 0, length[i]);
            ref[i] = 0;
        }
        return slots[i];
    }

    /** The packet in slot {@code i}: a view of its first {@link #length(int)} bytes. Allocates a slice. */
    public MemorySegment packet(int i) { return buffer(i).asSlice(0, length[i]); }

    /**
     * Packet {@code i}'s bytes where they lie, starting at offset 0 of the returned segment: its slot (no copy, no
     * allocation), or, for a referred packet, a view of the memory it refers to (a small allocation). Unlike
     * {@link #buffer} it never copies, so it also works on a batch of {@link #references}.
     */
    public MemorySegment view(int i) {
        long a = ref[i];
        return a == 0 ? slots[i] : Native.ALL.asSlice(a, length[i]);
    }

    /** Memory holding packet {@code i}, at {@link #offset(int)}: its slot, or all memory for a referred packet. */
    public MemorySegment memory(int i) { return ref[i] != 0 ? Native.ALL : slots[i]; }

    /** Where packet {@code i} starts in {@link #memory(int)}. */
    public long offset(int i) { return ref[i]; }

    /** Native address of packet {@code i}'s first byte, for a system call's iovec. */
    public long address(int i) {
        long a = ref[i];
        return a != 0 ? a : slots[i].address();
    }

    /**
     * Appends a slot that refers to {@code len} bytes at native address {@code address}, without copying them, with
     * no offload. The caller keeps that memory valid and unchanged until the batch is cleared (a receive buffer
     * handed to a sink and released after {@code accept} returns).
     */
    public int addRef(long address, int len) {
        if (address == 0) throw new IllegalArgumentException("null address");
        if (len > bufferSize) throw new IllegalArgumentException("packet of " + len + " B > buffer " + bufferSize);
        int i = commit(len);
        ref[i] = address;
        return i;
    }

    /**
     * Appends a reference to packet {@code i} of {@code src} (where it lies, in its slot or the memory it refers
     * to) with its offload metadata; {@code src} must keep it unchanged until this batch is cleared.
     */
    public int addRef(PacketBatch src, int i) {
        int j = addRef(src.address(i), src.length[i]);
        setOffload(j, src.flags[i], src.gsoType[i], src.hdrLen[i], src.gsoSize[i], src.csumStart[i], src.csumOffset[i]);
        return j;
    }

    public int length(int i) { return length[i]; }

    /** Sets slot {@code i}'s packet length and clears its offload metadata. */
    public void length(int i, int len) {
        if (len < 0 || len > bufferSize) throw new IndexOutOfBoundsException("length " + len + " > " + bufferSize);
        length[i] = len;
        ref[i] = 0;
        flags[i] = 0;
        gsoType[i] = Offload.GSO_NONE;
        hdrLen[i] = 0;
        gsoSize[i] = 0;
        csumStart[i] = 0;
        csumOffset[i] = 0;
    }

    /**
     * Appends a packet of {@code len} bytes already written into {@code buffer(size())}, with no offload.
     * @return the slot index used
     */
    public int commit(int len) {
        if (size == slots.length) throw new IllegalStateException("batch full");
        length(size, len);
        return size++;
    }

    /** Copies {@code src} into the next free slot. */
    public int add(MemorySegment src) {
        if (refsOnly) throw new IllegalStateException("a batch of references has no slot memory");
        long n = src.byteSize();
        if (n > bufferSize) throw new IllegalArgumentException("packet of " + n + " B > buffer " + bufferSize);
        MemorySegment.copy(src, 0, slots[size], 0, n);
        return commit((int) n);
    }

    /** Copies bytes into the next free slot. */
    public int add(byte[] src, int off, int len) {
        if (refsOnly) throw new IllegalStateException("a batch of references has no slot memory");
        if (len > bufferSize) throw new IllegalArgumentException("packet of " + len + " B > buffer " + bufferSize);
        MemorySegment.copy(src, off, slots[size], java.lang.foreign.ValueLayout.JAVA_BYTE, 0, len);
        return commit(len);
    }

    /**
     * Copies {@code len} bytes from native memory at {@code address} into the next free slot, with no offload; for
     * transports whose receive buffers are off-heap (a Netty direct buffer's {@code memoryAddress()}), so the copy
     * needs no segment object per packet. The caller vouches that the address range is readable.
     */
    public int addFrom(long address, int len) {
        if (refsOnly) throw new IllegalStateException("a batch of references has no slot memory");
        if (len > bufferSize) throw new IllegalArgumentException("packet of " + len + " B > buffer " + bufferSize);
        MemorySegment.copy(Native.ALL, address, slots[size], 0, len);
        return commit(len);
    }

    /** Copies packet {@code i} to native memory at {@code address} (an off-heap send buffer); see {@link #addFrom}. */
    public void copyTo(int i, long address) {
        MemorySegment.copy(memory(i), offset(i), Native.ALL, address, length[i]);
    }

    /** The whole address space as one segment, made once on first use (it needs native access). */
    private static final class Native {
        static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    }

    /** Copies packet {@code i} with its offload metadata into the next free slot of {@code dst}. */
    public void copyTo(int i, PacketBatch dst) {
        int j = dst.size;
        if (dst.refsOnly) throw new IllegalStateException("a batch of references has no slot memory");
        if (j == dst.slots.length) throw new IllegalStateException("destination batch full");
        if (length[i] > dst.bufferSize) throw new IllegalArgumentException("packet too large for destination");
        MemorySegment.copy(memory(i), offset(i), dst.slots[j], 0, length[i]);
        dst.length[j] = length[i];
        dst.ref[j] = 0;
        dst.setOffload(j, flags[i], gsoType[i], hdrLen[i], gsoSize[i], csumStart[i], csumOffset[i]);
        dst.size = j + 1;
    }

    /** Copies packet {@code i} out as a new byte array (tests and slow paths only). */
    public byte[] toArray(int i) {
        return packet(i).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    // ---- offload metadata (struct virtio_net_hdr fields, host byte order) ----

    public void setOffload(int i, int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        this.flags[i] = (byte) flags;
        this.gsoType[i] = (byte) gsoType;
        this.hdrLen[i] = (short) hdrLen;
        this.gsoSize[i] = (short) gsoSize;
        this.csumStart[i] = (short) csumStart;
        this.csumOffset[i] = (short) csumOffset;
    }

    /** {@link Offload#F_NEEDS_CSUM} and friends. */
    public int flags(int i) { return flags[i] & 0xff; }

    /** {@link Offload#GSO_NONE}, {@link Offload#GSO_TCPV4}, ... with {@link Offload#GSO_ECN} or'ed in. */
    public int gsoType(int i) { return gsoType[i] & 0xff; }

    public int hdrLen(int i) { return hdrLen[i] & 0xffff; }

    public int gsoSize(int i) { return gsoSize[i] & 0xffff; }

    public int csumStart(int i) { return csumStart[i] & 0xffff; }

    public int csumOffset(int i) { return csumOffset[i] & 0xffff; }

    /** True when packet {@code i} needs segmentation or a checksum filled in before it goes on a wire. */
    public boolean hasOffload(int i) {
        return gsoType[i] != Offload.GSO_NONE || (flags[i] & Offload.F_NEEDS_CSUM) != 0;
    }
}
