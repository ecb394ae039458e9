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
 * The fixed part of {@code RTM_NEWRULE}/{@code RTM_DELRULE}/{@code RTM_GETRULE} messages. From {@code linux/fib_rules.h}:
 * {@snippet lang=c :
 * struct fib_rule_hdr {
 *     __u8 family;
 *     __u8 dst_len;
 *     __u8 src_len;
 *     __u8 tos;
 *     __u8 table;
 *     __u8 res1;
 *     __u8 res2;
 *     __u8 action;
 *     __u32 flags;
 * };
 * }
 */
@SuppressWarnings({"unused", "checkstyle:TypeName", "checkstyle:MethodName"})
public final class fib_rule_hdr {
    fib_rule_hdr() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("family"),
            JAVA_BYTE.withName("dst_len"),
            JAVA_BYTE.withName("src_len"),
            JAVA_BYTE.withName("tos"),
            JAVA_BYTE.withName("table"),
            JAVA_BYTE.withName("res1"),
            JAVA_BYTE.withName("res2"),
            JAVA_BYTE.withName("action"),
            JAVA_INT.withName("flags"))
            .withName("fib_rule_hdr");

    /** The layout of {@code struct fib_rule_hdr}. */
    public static final GroupLayout layout() { return $LAYOUT; }

    private static final OfByte family$LAYOUT = (OfByte) $LAYOUT.select(groupElement("family"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u8 family
     * }
     */
    public static final OfByte family$layout() { return family$LAYOUT; }
    private static final long family$OFFSET = 0;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u8 family
     * }
     */
    public static final long family$offset() { return family$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u8 family
     * }
     */
    public static byte family(MemorySegment struct) { return struct.get(family$LAYOUT, family$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u8 family
     * }
     */
    public static void family(MemorySegment struct, byte fieldValue) { struct.set(family$LAYOUT, family$OFFSET, fieldValue); }

    private static final OfByte dst_len$LAYOUT = (OfByte) $LAYOUT.select(groupElement("dst_len"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u8 dst_len
     * }
     */
    public static final OfByte dst_len$layout() { return dst_len$LAYOUT; }
    private static final long dst_len$OFFSET = 1;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u8 dst_len
     * }
     */
    public static final long dst_len$offset() { return dst_len$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u8 dst_len
     * }
     */
    public static byte dst_len(MemorySegment struct) { return struct.get(dst_len$LAYOUT, dst_len$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u8 dst_len
     * }
     */
    public static void dst_len(MemorySegment struct, byte fieldValue) { struct.set(dst_len$LAYOUT, dst_len$OFFSET, fieldValue); }

    private static final OfByte src_len$LAYOUT = (OfByte) $LAYOUT.select(groupElement("src_len"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u8 src_len
     * }
     */
    public static final OfByte src_len$layout() { return src_len$LAYOUT; }
    private static final long src_len$OFFSET = 2;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u8 src_len
     * }
     */
    public static final long src_len$offset() { return src_len$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u8 src_len
     * }
     */
    public static byte src_len(MemorySegment struct) { return struct.get(src_len$LAYOUT, src_len$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u8 src_len
     * }
     */
    public static void src_len(MemorySegment struct, byte fieldValue) { struct.set(src_len$LAYOUT, src_len$OFFSET, fieldValue); }

    private static final OfByte tos$LAYOUT = (OfByte) $LAYOUT.select(groupElement("tos"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u8 tos
     * }
     */
    public static final OfByte tos$layout() { return tos$LAYOUT; }
    private static final long tos$OFFSET = 3;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u8 tos
     * }
     */
    public static final long tos$offset() { return tos$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u8 tos
     * }
     */
    public static byte tos(MemorySegment struct) { return struct.get(tos$LAYOUT, tos$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u8 tos
     * }
     */
    public static void tos(MemorySegment struct, byte fieldValue) { struct.set(tos$LAYOUT, tos$OFFSET, fieldValue); }

    private static final OfByte table$LAYOUT = (OfByte) $LAYOUT.select(groupElement("table"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u8 table
     * }
     */
    public static final OfByte table$layout() { return table$LAYOUT; }
    private static final long table$OFFSET = 4;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u8 table
     * }
     */
    public static final long table$offset() { return table$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u8 table
     * }
     */
    public static byte table(MemorySegment struct) { return struct.get(table$LAYOUT, table$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u8 table
     * }
     */
    public static void table(MemorySegment struct, byte fieldValue) { struct.set(table$LAYOUT, table$OFFSET, fieldValue); }

    private static final OfByte res1$LAYOUT = (OfByte) $LAYOUT.select(groupElement("res1"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u8 res1
     * }
     */
    public static final OfByte res1$layout() { return res1$LAYOUT; }
    private static final long res1$OFFSET = 5;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u8 res1
     * }
     */
    public static final long res1$offset() { return res1$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u8 res1
     * }
     */
    public static byte res1(MemorySegment struct) { return struct.get(res1$LAYOUT, res1$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u8 res1
     * }
     */
    public static void res1(MemorySegment struct, byte fieldValue) { struct.set(res1$LAYOUT, res1$OFFSET, fieldValue); }

    private static final OfByte res2$LAYOUT = (OfByte) $LAYOUT.select(groupElement("res2"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u8 res2
     * }
     */
    public static final OfByte res2$layout() { return res2$LAYOUT; }
    private static final long res2$OFFSET = 6;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u8 res2
     * }
     */
    public static final long res2$offset() { return res2$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u8 res2
     * }
     */
    public static byte res2(MemorySegment struct) { return struct.get(res2$LAYOUT, res2$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u8 res2
     * }
     */
    public static void res2(MemorySegment struct, byte fieldValue) { struct.set(res2$LAYOUT, res2$OFFSET, fieldValue); }

    private static final OfByte action$LAYOUT = (OfByte) $LAYOUT.select(groupElement("action"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u8 action
     * }
     */
    public static final OfByte action$layout() { return action$LAYOUT; }
    private static final long action$OFFSET = 7;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u8 action
     * }
     */
    public static final long action$offset() { return action$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u8 action
     * }
     */
    public static byte action(MemorySegment struct) { return struct.get(action$LAYOUT, action$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u8 action
     * }
     */
    public static void action(MemorySegment struct, byte fieldValue) { struct.set(action$LAYOUT, action$OFFSET, fieldValue); }

    private static final OfInt flags$LAYOUT = (OfInt) $LAYOUT.select(groupElement("flags"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u32 flags
     * }
     */
    public static final OfInt flags$layout() { return flags$LAYOUT; }
    private static final long flags$OFFSET = 8;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u32 flags
     * }
     */
    public static final long flags$offset() { return flags$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u32 flags
     * }
     */
    public static int flags(MemorySegment struct) { return struct.get(flags$LAYOUT, flags$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u32 flags
     * }
     */
    public static void flags(MemorySegment struct, int fieldValue) { struct.set(flags$LAYOUT, flags$OFFSET, fieldValue); }

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
