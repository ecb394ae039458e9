package io.tunctl.core.natives.linux;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout.OfByte;
import java.lang.foreign.ValueLayout.OfInt;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The fixed part of {@code RTM_NEWADDR}/{@code RTM_DELADDR}/{@code RTM_GETADDR} messages. From {@code linux/if_addr.h}:
 * {@snippet lang=c :
 * struct ifaddrmsg {
 *     __u8 ifa_family;
 *     __u8 ifa_prefixlen;
 *     __u8 ifa_flags;
 *     __u8 ifa_scope;
 *     __u32 ifa_index;
 * };
 * }
 */
@SuppressWarnings({"unused", "checkstyle:TypeName", "checkstyle:MethodName"})
public final class ifaddrmsg {
    ifaddrmsg() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("ifa_family"),
            JAVA_BYTE.withName("ifa_prefixlen"),
            JAVA_BYTE.withName("ifa_flags"),
            JAVA_BYTE.withName("ifa_scope"),
            JAVA_INT.withName("ifa_index"))
            .withName("ifaddrmsg");

    /** The layout of {@code struct ifaddrmsg}. */
    public static final GroupLayout layout() { return $LAYOUT; }

    private static final OfByte ifa_family$LAYOUT = (OfByte) $LAYOUT.select(groupElement("ifa_family"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u8 ifa_family
     * }
     */
    public static final OfByte ifa_family$layout() { return ifa_family$LAYOUT; }
    private static final long ifa_family$OFFSET = 0;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u8 ifa_family
     * }
     */
    public static final long ifa_family$offset() { return ifa_family$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u8 ifa_family
     * }
     */
    public static byte ifa_family(MemorySegment struct) { return struct.get(ifa_family$LAYOUT, ifa_family$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u8 ifa_family
     * }
     */
    public static void ifa_family(MemorySegment struct, byte fieldValue) { struct.set(ifa_family$LAYOUT, ifa_family$OFFSET, fieldValue); }

    private static final OfByte ifa_prefixlen$LAYOUT = (OfByte) $LAYOUT.select(groupElement("ifa_prefixlen"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u8 ifa_prefixlen
     * }
     */
    public static final OfByte ifa_prefixlen$layout() { return ifa_prefixlen$LAYOUT; }
    private static final long ifa_prefixlen$OFFSET = 1;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u8 ifa_prefixlen
     * }
     */
    public static final long ifa_prefixlen$offset() { return ifa_prefixlen$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u8 ifa_prefixlen
     * }
     */
    public static byte ifa_prefixlen(MemorySegment struct) { return struct.get(ifa_prefixlen$LAYOUT, ifa_prefixlen$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u8 ifa_prefixlen
     * }
     */
    public static void ifa_prefixlen(MemorySegment struct, byte fieldValue) { struct.set(ifa_prefixlen$LAYOUT, ifa_prefixlen$OFFSET, fieldValue); }

    private static final OfByte ifa_flags$LAYOUT = (OfByte) $LAYOUT.select(groupElement("ifa_flags"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u8 ifa_flags
     * }
     */
    public static final OfByte ifa_flags$layout() { return ifa_flags$LAYOUT; }
    private static final long ifa_flags$OFFSET = 2;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u8 ifa_flags
     * }
     */
    public static final long ifa_flags$offset() { return ifa_flags$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u8 ifa_flags
     * }
     */
    public static byte ifa_flags(MemorySegment struct) { return struct.get(ifa_flags$LAYOUT, ifa_flags$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u8 ifa_flags
     * }
     */
    public static void ifa_flags(MemorySegment struct, byte fieldValue) { struct.set(ifa_flags$LAYOUT, ifa_flags$OFFSET, fieldValue); }

    private static final OfByte ifa_scope$LAYOUT = (OfByte) $LAYOUT.select(groupElement("ifa_scope"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u8 ifa_scope
     * }
     */
    public static final OfByte ifa_scope$layout() { return ifa_scope$LAYOUT; }
    private static final long ifa_scope$OFFSET = 3;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u8 ifa_scope
     * }
     */
    public static final long ifa_scope$offset() { return ifa_scope$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u8 ifa_scope
     * }
     */
    public static byte ifa_scope(MemorySegment struct) { return struct.get(ifa_scope$LAYOUT, ifa_scope$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u8 ifa_scope
     * }
     */
    public static void ifa_scope(MemorySegment struct, byte fieldValue) { struct.set(ifa_scope$LAYOUT, ifa_scope$OFFSET, fieldValue); }

    private static final OfInt ifa_index$LAYOUT = (OfInt) $LAYOUT.select(groupElement("ifa_index"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u32 ifa_index
     * }
     */
    public static final OfInt ifa_index$layout() { return ifa_index$LAYOUT; }
    private static final long ifa_index$OFFSET = 4;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u32 ifa_index
     * }
     */
    public static final long ifa_index$offset() { return ifa_index$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u32 ifa_index
     * }
     */
    public static int ifa_index(MemorySegment struct) { return struct.get(ifa_index$LAYOUT, ifa_index$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u32 ifa_index
     * }
     */
    public static void ifa_index(MemorySegment struct, int fieldValue) { struct.set(ifa_index$LAYOUT, ifa_index$OFFSET, fieldValue); }

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
