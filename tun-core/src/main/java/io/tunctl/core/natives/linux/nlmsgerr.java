package io.tunctl.core.natives.linux;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout.OfInt;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The payload of an {@code NLMSG_ERROR} message (an ACK when {@code error} is 0). From {@code linux/netlink.h}:
 * {@snippet lang=c :
 * struct nlmsgerr {
 *     int error;
 *     struct nlmsghdr msg;
 * };
 * }
 */
@SuppressWarnings({"unused", "checkstyle:TypeName", "checkstyle:MethodName"})
public final class nlmsgerr {
    nlmsgerr() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("error"),
            nlmsghdr.layout().withName("msg"))
            .withName("nlmsgerr");

    /** The layout of {@code struct nlmsgerr}. */
    public static final GroupLayout layout() { return $LAYOUT; }

    private static final OfInt error$LAYOUT = (OfInt) $LAYOUT.select(groupElement("error"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * int error
     * }
     */
    public static final OfInt error$layout() { return error$LAYOUT; }
    private static final long error$OFFSET = 0;
    /**
     * Offset of field
     * {@snippet lang=c :
     * int error
     * }
     */
    public static final long error$offset() { return error$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * int error
     * }
     */
    public static int error(MemorySegment struct) { return struct.get(error$LAYOUT, error$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * int error
     * }
     */
    public static void error(MemorySegment struct, int fieldValue) { struct.set(error$LAYOUT, error$OFFSET, fieldValue); }

    private static final GroupLayout msg$LAYOUT = (GroupLayout) $LAYOUT.select(groupElement("msg"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * struct nlmsghdr msg
     * }
     */
    public static final GroupLayout msg$layout() { return msg$LAYOUT; }
    private static final long msg$OFFSET = 4;
    /**
     * Offset of field
     * {@snippet lang=c :
     * struct nlmsghdr msg
     * }
     */
    public static final long msg$offset() { return msg$OFFSET; }
    /**
     * Getter for field (a slice of {@code struct})
     * {@snippet lang=c :
     * struct nlmsghdr msg
     * }
     */
    public static MemorySegment msg(MemorySegment struct) { return struct.asSlice(msg$OFFSET, msg$LAYOUT.byteSize()); }
    /**
     * Setter for field (copies {@code fieldValue} in)
     * {@snippet lang=c :
     * struct nlmsghdr msg
     * }
     */
    public static void msg(MemorySegment struct, MemorySegment fieldValue) { MemorySegment.copy(fieldValue, 0L, struct, msg$OFFSET, msg$LAYOUT.byteSize()); }

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
