package io.tunctl.core.natives.linux;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout.OfByte;
import java.lang.foreign.ValueLayout.OfShort;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The offload header a TUN opened with {@code IFF_VNET_HDR} puts before every packet (native byte order on a little-endian host, see {@code TUNSETVNETLE}). From {@code linux/virtio_net.h}:
 * {@snippet lang=c :
 * struct virtio_net_hdr {
 *     __u8 flags;
 *     __u8 gso_type;
 *     __virtio16 hdr_len;
 *     __virtio16 gso_size;
 *     __virtio16 csum_start;
 *     __virtio16 csum_offset;
 * };
 * }
 */
@SuppressWarnings({"unused", "checkstyle:TypeName", "checkstyle:MethodName"})
public final class virtio_net_hdr {
    virtio_net_hdr() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("flags"),
            JAVA_BYTE.withName("gso_type"),
            JAVA_SHORT.withName("hdr_len"),
            JAVA_SHORT.withName("gso_size"),
            JAVA_SHORT.withName("csum_start"),
            JAVA_SHORT.withName("csum_offset"))
            .withName("virtio_net_hdr");

    /** The layout of {@code struct virtio_net_hdr}. */
    public static final GroupLayout layout() { return $LAYOUT; }

    private static final OfByte flags$LAYOUT = (OfByte) $LAYOUT.select(groupElement("flags"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u8 flags
     * }
     */
    public static final OfByte flags$layout() { return flags$LAYOUT; }
    private static final long flags$OFFSET = 0;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u8 flags
     * }
     */
    public static final long flags$offset() { return flags$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u8 flags
     * }
     */
    public static byte flags(MemorySegment struct) { return struct.get(flags$LAYOUT, flags$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u8 flags
     * }
     */
    public static void flags(MemorySegment struct, byte fieldValue) { struct.set(flags$LAYOUT, flags$OFFSET, fieldValue); }

    private static final OfByte gso_type$LAYOUT = (OfByte) $LAYOUT.select(groupElement("gso_type"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u8 gso_type
     * }
     */
    public static final OfByte gso_type$layout() { return gso_type$LAYOUT; }
    private static final long gso_type$OFFSET = 1;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u8 gso_type
     * }
     */
    public static final long gso_type$offset() { return gso_type$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u8 gso_type
     * }
     */
    public static byte gso_type(MemorySegment struct) { return struct.get(gso_type$LAYOUT, gso_type$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u8 gso_type
     * }
     */
    public static void gso_type(MemorySegment struct, byte fieldValue) { struct.set(gso_type$LAYOUT, gso_type$OFFSET, fieldValue); }

    private static final OfShort hdr_len$LAYOUT = (OfShort) $LAYOUT.select(groupElement("hdr_len"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __virtio16 hdr_len
     * }
     */
    public static final OfShort hdr_len$layout() { return hdr_len$LAYOUT; }
    private static final long hdr_len$OFFSET = 2;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __virtio16 hdr_len
     * }
     */
    public static final long hdr_len$offset() { return hdr_len$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __virtio16 hdr_len
     * }
     */
    public static short hdr_len(MemorySegment struct) { return struct.get(hdr_len$LAYOUT, hdr_len$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __virtio16 hdr_len
     * }
     */
    public static void hdr_len(MemorySegment struct, short fieldValue) { struct.set(hdr_len$LAYOUT, hdr_len$OFFSET, fieldValue); }

    private static final OfShort gso_size$LAYOUT = (OfShort) $LAYOUT.select(groupElement("gso_size"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __virtio16 gso_size
     * }
     */
    public static final OfShort gso_size$layout() { return gso_size$LAYOUT; }
    private static final long gso_size$OFFSET = 4;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __virtio16 gso_size
     * }
     */
    public static final long gso_size$offset() { return gso_size$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __virtio16 gso_size
     * }
     */
    public static short gso_size(MemorySegment struct) { return struct.get(gso_size$LAYOUT, gso_size$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __virtio16 gso_size
     * }
     */
    public static void gso_size(MemorySegment struct, short fieldValue) { struct.set(gso_size$LAYOUT, gso_size$OFFSET, fieldValue); }

    private static final OfShort csum_start$LAYOUT = (OfShort) $LAYOUT.select(groupElement("csum_start"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __virtio16 csum_start
     * }
     */
    public static final OfShort csum_start$layout() { return csum_start$LAYOUT; }
    private static final long csum_start$OFFSET = 6;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __virtio16 csum_start
     * }
     */
    public static final long csum_start$offset() { return csum_start$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __virtio16 csum_start
     * }
     */
    public static short csum_start(MemorySegment struct) { return struct.get(csum_start$LAYOUT, csum_start$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __virtio16 csum_start
     * }
     */
    public static void csum_start(MemorySegment struct, short fieldValue) { struct.set(csum_start$LAYOUT, csum_start$OFFSET, fieldValue); }

    private static final OfShort csum_offset$LAYOUT = (OfShort) $LAYOUT.select(groupElement("csum_offset"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __virtio16 csum_offset
     * }
     */
    public static final OfShort csum_offset$layout() { return csum_offset$LAYOUT; }
    private static final long csum_offset$OFFSET = 8;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __virtio16 csum_offset
     * }
     */
    public static final long csum_offset$offset() { return csum_offset$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __virtio16 csum_offset
     * }
     */
    public static short csum_offset(MemorySegment struct) { return struct.get(csum_offset$LAYOUT, csum_offset$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __virtio16 csum_offset
     * }
     */
    public static void csum_offset(MemorySegment struct, short fieldValue) { struct.set(csum_offset$LAYOUT, csum_offset$OFFSET, fieldValue); }

    /** {@return the size of this struct in bytes} */
    public static long sizeof() { return layout().byteSize(); }
    /** Allocates one zeroed struct. */
    public static MemorySegment allocate(SegmentAllocator allocator) { return allocator.allocate(layout()); }
    /** Allocates an array of {@code elementCount} zeroed structs. */
    public static MemorySegment allocateArray(long elementCount, SegmentAllocator allocator) {
        return allocator.allocate(MemoryLayout.sequenceLayout(elementCount, layout()));
    }
    /** The {@code index}-th struct of an array. */
    public static MemorySegment asSlice(MemorySegment array, long index) {
        return array.asSlice(layout().byteSize() * index, layout().byteSize());
    }
}
