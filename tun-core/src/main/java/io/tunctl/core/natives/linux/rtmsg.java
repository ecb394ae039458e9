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
 * The fixed part of {@code RTM_NEWROUTE}/{@code RTM_DELROUTE}/{@code RTM_GETROUTE} messages. From {@code linux/rtnetlink.h}:
 * {@snippet lang=c :
 * struct rtmsg {
 *     unsigned char rtm_family;
 *     unsigned char rtm_dst_len;
 *     unsigned char rtm_src_len;
 *     unsigned char rtm_tos;
 *     unsigned char rtm_table;
 *     unsigned char rtm_protocol;
 *     unsigned char rtm_scope;
 *     unsigned char rtm_type;
 *     unsigned rtm_flags;
 * };
 * }
 */
@SuppressWarnings({"unused", "checkstyle:TypeName", "checkstyle:MethodName"})
public final class rtmsg {
    rtmsg() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("rtm_family"),
            JAVA_BYTE.withName("rtm_dst_len"),
            JAVA_BYTE.withName("rtm_src_len"),
            JAVA_BYTE.withName("rtm_tos"),
            JAVA_BYTE.withName("rtm_table"),
            JAVA_BYTE.withName("rtm_protocol"),
            JAVA_BYTE.withName("rtm_scope"),
            JAVA_BYTE.withName("rtm_type"),
            JAVA_INT.withName("rtm_flags"))
            .withName("rtmsg");

    /** The layout of {@code struct rtmsg}. */
    public static final GroupLayout layout() { return $LAYOUT; }

    private static final OfByte rtm_family$LAYOUT = (OfByte) $LAYOUT.select(groupElement("rtm_family"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * unsigned char rtm_family
     * }
     */
    public static final OfByte rtm_family$layout() { return rtm_family$LAYOUT; }
    private static final long rtm_family$OFFSET = 0;
    /**
     * Offset of field
     * {@snippet lang=c :
     * unsigned char rtm_family
     * }
     */
    public static final long rtm_family$offset() { return rtm_family$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * unsigned char rtm_family
     * }
     */
    public static byte rtm_family(MemorySegment struct) { return struct.get(rtm_family$LAYOUT, rtm_family$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * unsigned char rtm_family
     * }
     */
    public static void rtm_family(MemorySegment struct, byte fieldValue) { struct.set(rtm_family$LAYOUT, rtm_family$OFFSET, fieldValue); }

    private static final OfByte rtm_dst_len$LAYOUT = (OfByte) $LAYOUT.select(groupElement("rtm_dst_len"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * unsigned char rtm_dst_len
     * }
     */
    public static final OfByte rtm_dst_len$layout() { return rtm_dst_len$LAYOUT; }
    private static final long rtm_dst_len$OFFSET = 1;
    /**
     * Offset of field
     * {@snippet lang=c :
     * unsigned char rtm_dst_len
     * }
     */
    public static final long rtm_dst_len$offset() { return rtm_dst_len$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * unsigned char rtm_dst_len
     * }
     */
    public static byte rtm_dst_len(MemorySegment struct) { return struct.get(rtm_dst_len$LAYOUT, rtm_dst_len$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * unsigned char rtm_dst_len
     * }
     */
    public static void rtm_dst_len(MemorySegment struct, byte fieldValue) { struct.set(rtm_dst_len$LAYOUT, rtm_dst_len$OFFSET, fieldValue); }

    private static final OfByte rtm_src_len$LAYOUT = (OfByte) $LAYOUT.select(groupElement("rtm_src_len"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * unsigned char rtm_src_len
     * }
     */
    public static final OfByte rtm_src_len$layout() { return rtm_src_len$LAYOUT; }
    private static final long rtm_src_len$OFFSET = 2;
    /**
     * Offset of field
     * {@snippet lang=c :
     * unsigned char rtm_src_len
     * }
     */
    public static final long rtm_src_len$offset() { return rtm_src_len$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * unsigned char rtm_src_len
     * }
     */
    public static byte rtm_src_len(MemorySegment struct) { return struct.get(rtm_src_len$LAYOUT, rtm_src_len$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * unsigned char rtm_src_len
     * }
     */
    public static void rtm_src_len(MemorySegment struct, byte fieldValue) { struct.set(rtm_src_len$LAYOUT, rtm_src_len$OFFSET, fieldValue); }

    private static final OfByte rtm_tos$LAYOUT = (OfByte) $LAYOUT.select(groupElement("rtm_tos"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * unsigned char rtm_tos
     * }
     */
    public static final OfByte rtm_tos$layout() { return rtm_tos$LAYOUT; }
    private static final long rtm_tos$OFFSET = 3;
    /**
     * Offset of field
     * {@snippet lang=c :
     * unsigned char rtm_tos
     * }
     */
    public static final long rtm_tos$offset() { return rtm_tos$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * unsigned char rtm_tos
     * }
     */
    public static byte rtm_tos(MemorySegment struct) { return struct.get(rtm_tos$LAYOUT, rtm_tos$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * unsigned char rtm_tos
     * }
     */
    public static void rtm_tos(MemorySegment struct, byte fieldValue) { struct.set(rtm_tos$LAYOUT, rtm_tos$OFFSET, fieldValue); }

    private static final OfByte rtm_table$LAYOUT = (OfByte) $LAYOUT.select(groupElement("rtm_table"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * unsigned char rtm_table
     * }
     */
    public static final OfByte rtm_table$layout() { return rtm_table$LAYOUT; }
    private static final long rtm_table$OFFSET = 4;
    /**
     * Offset of field
     * {@snippet lang=c :
     * unsigned char rtm_table
     * }
     */
    public static final long rtm_table$offset() { return rtm_table$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * unsigned char rtm_table
     * }
     */
    public static byte rtm_table(MemorySegment struct) { return struct.get(rtm_table$LAYOUT, rtm_table$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * unsigned char rtm_table
     * }
     */
    public static void rtm_table(MemorySegment struct, byte fieldValue) { struct.set(rtm_table$LAYOUT, rtm_table$OFFSET, fieldValue); }

    private static final OfByte rtm_protocol$LAYOUT = (OfByte) $LAYOUT.select(groupElement("rtm_protocol"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * unsigned char rtm_protocol
     * }
     */
    public static final OfByte rtm_protocol$layout() { return rtm_protocol$LAYOUT; }
    private static final long rtm_protocol$OFFSET = 5;
    /**
     * Offset of field
     * {@snippet lang=c :
     * unsigned char rtm_protocol
     * }
     */
    public static final long rtm_protocol$offset() { return rtm_protocol$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * unsigned char rtm_protocol
     * }
     */
    public static byte rtm_protocol(MemorySegment struct) { return struct.get(rtm_protocol$LAYOUT, rtm_protocol$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * unsigned char rtm_protocol
     * }
     */
    public static void rtm_protocol(MemorySegment struct, byte fieldValue) { struct.set(rtm_protocol$LAYOUT, rtm_protocol$OFFSET, fieldValue); }

    private static final OfByte rtm_scope$LAYOUT = (OfByte) $LAYOUT.select(groupElement("rtm_scope"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * unsigned char rtm_scope
     * }
     */
    public static final OfByte rtm_scope$layout() { return rtm_scope$LAYOUT; }
    private static final long rtm_scope$OFFSET = 6;
    /**
     * Offset of field
     * {@snippet lang=c :
     * unsigned char rtm_scope
     * }
     */
    public static final long rtm_scope$offset() { return rtm_scope$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * unsigned char rtm_scope
     * }
     */
    public static byte rtm_scope(MemorySegment struct) { return struct.get(rtm_scope$LAYOUT, rtm_scope$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * unsigned char rtm_scope
     * }
     */
    public static void rtm_scope(MemorySegment struct, byte fieldValue) { struct.set(rtm_scope$LAYOUT, rtm_scope$OFFSET, fieldValue); }

    private static final OfByte rtm_type$LAYOUT = (OfByte) $LAYOUT.select(groupElement("rtm_type"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * unsigned char rtm_type
     * }
     */
    public static final OfByte rtm_type$layout() { return rtm_type$LAYOUT; }
    private static final long rtm_type$OFFSET = 7;
    /**
     * Offset of field
     * {@snippet lang=c :
     * unsigned char rtm_type
     * }
     */
    public static final long rtm_type$offset() { return rtm_type$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * unsigned char rtm_type
     * }
     */
    public static byte rtm_type(MemorySegment struct) { return struct.get(rtm_type$LAYOUT, rtm_type$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * unsigned char rtm_type
     * }
     */
    public static void rtm_type(MemorySegment struct, byte fieldValue) { struct.set(rtm_type$LAYOUT, rtm_type$OFFSET, fieldValue); }

    private static final OfInt rtm_flags$LAYOUT = (OfInt) $LAYOUT.select(groupElement("rtm_flags"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * unsigned rtm_flags
     * }
     */
    public static final OfInt rtm_flags$layout() { return rtm_flags$LAYOUT; }
    private static final long rtm_flags$OFFSET = 8;
    /**
     * Offset of field
     * {@snippet lang=c :
     * unsigned rtm_flags
     * }
     */
    public static final long rtm_flags$offset() { return rtm_flags$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * unsigned rtm_flags
     * }
     */
    public static int rtm_flags(MemorySegment struct) { return struct.get(rtm_flags$LAYOUT, rtm_flags$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * unsigned rtm_flags
     * }
     */
    public static void rtm_flags(MemorySegment struct, int fieldValue) { struct.set(rtm_flags$LAYOUT, rtm_flags$OFFSET, fieldValue); }

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
