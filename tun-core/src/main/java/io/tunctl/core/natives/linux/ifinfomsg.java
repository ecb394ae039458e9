package io.tunctl.core.natives.linux;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout.OfByte;
import java.lang.foreign.ValueLayout.OfInt;
import java.lang.foreign.ValueLayout.OfShort;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The fixed part of {@code RTM_NEWLINK}/{@code RTM_GETLINK} messages. From {@code linux/rtnetlink.h}:
 * {@snippet lang=c :
 * struct ifinfomsg {
 *     unsigned char ifi_family;
 *     unsigned char __ifi_pad;
 *     unsigned short ifi_type;
 *     int ifi_index;
 *     unsigned ifi_flags;
 *     unsigned ifi_change;
 * };
 * }
 */
@SuppressWarnings({"unused", "checkstyle:TypeName", "checkstyle:MethodName"})
public final class ifinfomsg {
    ifinfomsg() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("ifi_family"),
            JAVA_BYTE.withName("__ifi_pad"),
            JAVA_SHORT.withName("ifi_type"),
            JAVA_INT.withName("ifi_index"),
            JAVA_INT.withName("ifi_flags"),
            JAVA_INT.withName("ifi_change"))
            .withName("ifinfomsg");

    /** The layout of {@code struct ifinfomsg}. */
    public static final GroupLayout layout() { return $LAYOUT; }

    private static final OfByte ifi_family$LAYOUT = (OfByte) $LAYOUT.select(groupElement("ifi_family"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * unsigned char ifi_family
     * }
     */
    public static final OfByte ifi_family$layout() { return ifi_family$LAYOUT; }
    private static final long ifi_family$OFFSET = 0;
    /**
     * Offset of field
     * {@snippet lang=c :
     * unsigned char ifi_family
     * }
     */
    public static final long ifi_family$offset() { return ifi_family$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * unsigned char ifi_family
     * }
     */
    public static byte ifi_family(MemorySegment struct) { return struct.get(ifi_family$LAYOUT, ifi_family$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * unsigned char ifi_family
     * }
     */
    public static void ifi_family(MemorySegment struct, byte fieldValue) { struct.set(ifi_family$LAYOUT, ifi_family$OFFSET, fieldValue); }

    private static final OfByte __ifi_pad$LAYOUT = (OfByte) $LAYOUT.select(groupElement("__ifi_pad"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * unsigned char __ifi_pad
     * }
     */
    public static final OfByte __ifi_pad$layout() { return __ifi_pad$LAYOUT; }
    private static final long __ifi_pad$OFFSET = 1;
    /**
     * Offset of field
     * {@snippet lang=c :
     * unsigned char __ifi_pad
     * }
     */
    public static final long __ifi_pad$offset() { return __ifi_pad$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * unsigned char __ifi_pad
     * }
     */
    public static byte __ifi_pad(MemorySegment struct) { return struct.get(__ifi_pad$LAYOUT, __ifi_pad$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * unsigned char __ifi_pad
     * }
     */
    public static void __ifi_pad(MemorySegment struct, byte fieldValue) { struct.set(__ifi_pad$LAYOUT, __ifi_pad$OFFSET, fieldValue); }

    private static final OfShort ifi_type$LAYOUT = (OfShort) $LAYOUT.select(groupElement("ifi_type"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * unsigned short ifi_type
     * }
     */
    public static final OfShort ifi_type$layout() { return ifi_type$LAYOUT; }
    private static final long ifi_type$OFFSET = 2;
    /**
     * Offset of field
     * {@snippet lang=c :
     * unsigned short ifi_type
     * }
     */
    public static final long ifi_type$offset() { return ifi_type$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * unsigned short ifi_type
     * }
     */
    public static short ifi_type(MemorySegment struct) { return struct.get(ifi_type$LAYOUT, ifi_type$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * unsigned short ifi_type
     * }
     */
    public static void ifi_type(MemorySegment struct, short fieldValue) { struct.set(ifi_type$LAYOUT, ifi_type$OFFSET, fieldValue); }

    private static final OfInt ifi_index$LAYOUT = (OfInt) $LAYOUT.select(groupElement("ifi_index"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * int ifi_index
     * }
     */
    public static final OfInt ifi_index$layout() { return ifi_index$LAYOUT; }
    private static final long ifi_index$OFFSET = 4;
    /**
     * Offset of field
     * {@snippet lang=c :
     * int ifi_index
     * }
     */
    public static final long ifi_index$offset() { return ifi_index$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * int ifi_index
     * }
     */
    public static int ifi_index(MemorySegment struct) { return struct.get(ifi_index$LAYOUT, ifi_index$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * int ifi_index
     * }
     */
    public static void ifi_index(MemorySegment struct, int fieldValue) { struct.set(ifi_index$LAYOUT, ifi_index$OFFSET, fieldValue); }

    private static final OfInt ifi_flags$LAYOUT = (OfInt) $LAYOUT.select(groupElement("ifi_flags"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * unsigned ifi_flags
     * }
     */
    public static final OfInt ifi_flags$layout() { return ifi_flags$LAYOUT; }
    private static final long ifi_flags$OFFSET = 8;
    /**
     * Offset of field
     * {@snippet lang=c :
     * unsigned ifi_flags
     * }
     */
    public static final long ifi_flags$offset() { return ifi_flags$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * unsigned ifi_flags
     * }
     */
    public static int ifi_flags(MemorySegment struct) { return struct.get(ifi_flags$LAYOUT, ifi_flags$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * unsigned ifi_flags
     * }
     */
    public static void ifi_flags(MemorySegment struct, int fieldValue) { struct.set(ifi_flags$LAYOUT, ifi_flags$OFFSET, fieldValue); }

    private static final OfInt ifi_change$LAYOUT = (OfInt) $LAYOUT.select(groupElement("ifi_change"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * unsigned ifi_change
     * }
     */
    public static final OfInt ifi_change$layout() { return ifi_change$LAYOUT; }
    private static final long ifi_change$OFFSET = 12;
    /**
     * Offset of field
     * {@snippet lang=c :
     * unsigned ifi_change
     * }
     */
    public static final long ifi_change$offset() { return ifi_change$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * unsigned ifi_change
     * }
     */
    public static int ifi_change(MemorySegment struct) { return struct.get(ifi_change$LAYOUT, ifi_change$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * unsigned ifi_change
     * }
     */
    public static void ifi_change(MemorySegment struct, int fieldValue) { struct.set(ifi_change$LAYOUT, ifi_change$OFFSET, fieldValue); }

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
