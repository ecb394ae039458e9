package io.tunctl.core.natives.linux;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout.OfInt;
import java.lang.foreign.ValueLayout.OfShort;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The header of every netlink message. From {@code linux/netlink.h}:
 * {@snippet lang=c :
 * struct nlmsghdr {
 *     __u32 nlmsg_len;
 *     __u16 nlmsg_type;
 *     __u16 nlmsg_flags;
 *     __u32 nlmsg_seq;
 *     __u32 nlmsg_pid;
 * };
 * }
 */
@SuppressWarnings({"unused", "checkstyle:TypeName", "checkstyle:MethodName"})
public final class nlmsghdr {
    nlmsghdr() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("nlmsg_len"),
            JAVA_SHORT.withName("nlmsg_type"),
            JAVA_SHORT.withName("nlmsg_flags"),
            JAVA_INT.withName("nlmsg_seq"),
            JAVA_INT.withName("nlmsg_pid"))
            .withName("nlmsghdr");

    /** The layout of {@code struct nlmsghdr}. */
    public static final GroupLayout layout() { return $LAYOUT; }

    private static final OfInt nlmsg_len$LAYOUT = (OfInt) $LAYOUT.select(groupElement("nlmsg_len"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u32 nlmsg_len
     * }
     */
    public static final OfInt nlmsg_len$layout() { return nlmsg_len$LAYOUT; }
    private static final long nlmsg_len$OFFSET = 0;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u32 nlmsg_len
     * }
     */
    public static final long nlmsg_len$offset() { return nlmsg_len$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u32 nlmsg_len
     * }
     */
    public static int nlmsg_len(MemorySegment struct) { return struct.get(nlmsg_len$LAYOUT, nlmsg_len$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u32 nlmsg_len
     * }
     */
    public static void nlmsg_len(MemorySegment struct, int fieldValue) { struct.set(nlmsg_len$LAYOUT, nlmsg_len$OFFSET, fieldValue); }

    private static final OfShort nlmsg_type$LAYOUT = (OfShort) $LAYOUT.select(groupElement("nlmsg_type"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u16 nlmsg_type
     * }
     */
    public static final OfShort nlmsg_type$layout() { return nlmsg_type$LAYOUT; }
    private static final long nlmsg_type$OFFSET = 4;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u16 nlmsg_type
     * }
     */
    public static final long nlmsg_type$offset() { return nlmsg_type$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u16 nlmsg_type
     * }
     */
    public static short nlmsg_type(MemorySegment struct) { return struct.get(nlmsg_type$LAYOUT, nlmsg_type$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u16 nlmsg_type
     * }
     */
    public static void nlmsg_type(MemorySegment struct, short fieldValue) { struct.set(nlmsg_type$LAYOUT, nlmsg_type$OFFSET, fieldValue); }

    private static final OfShort nlmsg_flags$LAYOUT = (OfShort) $LAYOUT.select(groupElement("nlmsg_flags"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u16 nlmsg_flags
     * }
     */
    public static final OfShort nlmsg_flags$layout() { return nlmsg_flags$LAYOUT; }
    private static final long nlmsg_flags$OFFSET = 6;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u16 nlmsg_flags
     * }
     */
    public static final long nlmsg_flags$offset() { return nlmsg_flags$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u16 nlmsg_flags
     * }
     */
    public static short nlmsg_flags(MemorySegment struct) { return struct.get(nlmsg_flags$LAYOUT, nlmsg_flags$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u16 nlmsg_flags
     * }
     */
    public static void nlmsg_flags(MemorySegment struct, short fieldValue) { struct.set(nlmsg_flags$LAYOUT, nlmsg_flags$OFFSET, fieldValue); }

    private static final OfInt nlmsg_seq$LAYOUT = (OfInt) $LAYOUT.select(groupElement("nlmsg_seq"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u32 nlmsg_seq
     * }
     */
    public static final OfInt nlmsg_seq$layout() { return nlmsg_seq$LAYOUT; }
    private static final long nlmsg_seq$OFFSET = 8;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u32 nlmsg_seq
     * }
     */
    public static final long nlmsg_seq$offset() { return nlmsg_seq$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u32 nlmsg_seq
     * }
     */
    public static int nlmsg_seq(MemorySegment struct) { return struct.get(nlmsg_seq$LAYOUT, nlmsg_seq$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u32 nlmsg_seq
     * }
     */
    public static void nlmsg_seq(MemorySegment struct, int fieldValue) { struct.set(nlmsg_seq$LAYOUT, nlmsg_seq$OFFSET, fieldValue); }

    private static final OfInt nlmsg_pid$LAYOUT = (OfInt) $LAYOUT.select(groupElement("nlmsg_pid"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u32 nlmsg_pid
     * }
     */
    public static final OfInt nlmsg_pid$layout() { return nlmsg_pid$LAYOUT; }
    private static final long nlmsg_pid$OFFSET = 12;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u32 nlmsg_pid
     * }
     */
    public static final long nlmsg_pid$offset() { return nlmsg_pid$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u32 nlmsg_pid
     * }
     */
    public static int nlmsg_pid(MemorySegment struct) { return struct.get(nlmsg_pid$LAYOUT, nlmsg_pid$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u32 nlmsg_pid
     * }
     */
    public static void nlmsg_pid(MemorySegment struct, int fieldValue) { struct.set(nlmsg_pid$LAYOUT, nlmsg_pid$OFFSET, fieldValue); }

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
