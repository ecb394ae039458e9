package io.tunctl.core.natives.linux;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout.OfShort;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The header of a route netlink attribute (same shape as {@code struct nlattr}). From {@code linux/rtnetlink.h}:
 * {@snippet lang=c :
 * struct rtattr {
 *     unsigned short rta_len;
 *     unsigned short rta_type;
 * };
 * }
 */
@SuppressWarnings({"unused", "checkstyle:TypeName", "checkstyle:MethodName"})
public final class rtattr {
    rtattr() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("rta_len"),
            JAVA_SHORT.withName("rta_type"))
            .withName("rtattr");

    /** The layout of {@code struct rtattr}. */
    public static final GroupLayout layout() { return $LAYOUT; }

    private static final OfShort rta_len$LAYOUT = (OfShort) $LAYOUT.select(groupElement("rta_len"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * unsigned short rta_len
     * }
     */
    public static final OfShort rta_len$layout() { return rta_len$LAYOUT; }
    private static final long rta_len$OFFSET = 0;
    /**
     * Offset of field
     * {@snippet lang=c :
     * unsigned short rta_len
     * }
     */
    public static final long rta_len$offset() { return rta_len$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * unsigned short rta_len
     * }
     */
    public static short rta_len(MemorySegment struct) { return struct.get(rta_len$LAYOUT, rta_len$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * unsigned short rta_len
     * }
     */
    public static void rta_len(MemorySegment struct, short fieldValue) { struct.set(rta_len$LAYOUT, rta_len$OFFSET, fieldValue); }

    private static final OfShort rta_type$LAYOUT = (OfShort) $LAYOUT.select(groupElement("rta_type"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * unsigned short rta_type
     * }
     */
    public static final OfShort rta_type$layout() { return rta_type$LAYOUT; }
    private static final long rta_type$OFFSET = 2;
    /**
     * Offset of field
     * {@snippet lang=c :
     * unsigned short rta_type
     * }
     */
    public static final long rta_type$offset() { return rta_type$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * unsigned short rta_type
     * }
     */
    public static short rta_type(MemorySegment struct) { return struct.get(rta_type$LAYOUT, rta_type$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * unsigned short rta_type
     * }
     */
    public static void rta_type(MemorySegment struct, short fieldValue) { struct.set(rta_type$LAYOUT, rta_type$OFFSET, fieldValue); }

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
