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
 * A netlink socket address. From {@code linux/netlink.h}:
 * {@snippet lang=c :
 * struct sockaddr_nl {
 *     __kernel_sa_family_t nl_family;
 *     unsigned short nl_pad;
 *     __u32 nl_pid;
 *     __u32 nl_groups;
 * };
 * }
 */
@SuppressWarnings({"unused", "checkstyle:TypeName", "checkstyle:MethodName"})
public final class sockaddr_nl {
    sockaddr_nl() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("nl_family"),
            JAVA_SHORT.withName("nl_pad"),
            JAVA_INT.withName("nl_pid"),
            JAVA_INT.withName("nl_groups"))
            .withName("sockaddr_nl");

    /** The layout of {@code struct sockaddr_nl}. */
    public static final GroupLayout layout() { return $LAYOUT; }

    private static final OfShort nl_family$LAYOUT = (OfShort) $LAYOUT.select(groupElement("nl_family"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __kernel_sa_family_t nl_family
     * }
     */
    public static final OfShort nl_family$layout() { return nl_family$LAYOUT; }
    private static final long nl_family$OFFSET = 0;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __kernel_sa_family_t nl_family
     * }
     */
    public static final long nl_family$offset() { return nl_family$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __kernel_sa_family_t nl_family
     * }
     */
    public static short nl_family(MemorySegment struct) { return struct.get(nl_family$LAYOUT, nl_family$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __kernel_sa_family_t nl_family
     * }
     */
    public static void nl_family(MemorySegment struct, short fieldValue) { struct.set(nl_family$LAYOUT, nl_family$OFFSET, fieldValue); }

    private static final OfShort nl_pad$LAYOUT = (OfShort) $LAYOUT.select(groupElement("nl_pad"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * unsigned short nl_pad
     * }
     */
    public static final OfShort nl_pad$layout() { return nl_pad$LAYOUT; }
    private static final long nl_pad$OFFSET = 2;
    /**
     * Offset of field
     * {@snippet lang=c :
     * unsigned short nl_pad
     * }
     */
    public static final long nl_pad$offset() { return nl_pad$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * unsigned short nl_pad
     * }
     */
    public static short nl_pad(MemorySegment struct) { return struct.get(nl_pad$LAYOUT, nl_pad$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * unsigned short nl_pad
     * }
     */
    public static void nl_pad(MemorySegment struct, short fieldValue) { struct.set(nl_pad$LAYOUT, nl_pad$OFFSET, fieldValue); }

    private static final OfInt nl_pid$LAYOUT = (OfInt) $LAYOUT.select(groupElement("nl_pid"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u32 nl_pid
     * }
     */
    public static final OfInt nl_pid$layout() { return nl_pid$LAYOUT; }
    private static final long nl_pid$OFFSET = 4;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u32 nl_pid
     * }
     */
    public static final long nl_pid$offset() { return nl_pid$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u32 nl_pid
     * }
     */
    public static int nl_pid(MemorySegment struct) { return struct.get(nl_pid$LAYOUT, nl_pid$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u32 nl_pid
     * }
     */
    public static void nl_pid(MemorySegment struct, int fieldValue) { struct.set(nl_pid$LAYOUT, nl_pid$OFFSET, fieldValue); }

    private static final OfInt nl_groups$LAYOUT = (OfInt) $LAYOUT.select(groupElement("nl_groups"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u32 nl_groups
     * }
     */
    public static final OfInt nl_groups$layout() { return nl_groups$LAYOUT; }
    private static final long nl_groups$OFFSET = 8;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u32 nl_groups
     * }
     */
    public static final long nl_groups$offset() { return nl_groups$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u32 nl_groups
     * }
     */
    public static int nl_groups(MemorySegment struct) { return struct.get(nl_groups$LAYOUT, nl_groups$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u32 nl_groups
     * }
     */
    public static void nl_groups(MemorySegment struct, int fieldValue) { struct.set(nl_groups$LAYOUT, nl_groups$OFFSET, fieldValue); }

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
