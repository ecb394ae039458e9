package io.tunctl.core.natives.linux;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout.OfInt;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The value of {@code FRA_UID_RANGE}: an inclusive range of socket owner uids. From {@code linux/fib_rules.h}:
 * {@snippet lang=c :
 * struct fib_rule_uid_range {
 *     __u32 start;
 *     __u32 end;
 * };
 * }
 */
@SuppressWarnings({"unused", "checkstyle:TypeName", "checkstyle:MethodName"})
public final class fib_rule_uid_range {
    fib_rule_uid_range() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("start"),
            JAVA_INT.withName("end"))
            .withName("fib_rule_uid_range");

    /** The layout of {@code struct fib_rule_uid_range}. */
    public static final GroupLayout layout() { return $LAYOUT; }

    private static final OfInt start$LAYOUT = (OfInt) $LAYOUT.select(groupElement("start"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u32 start
     * }
     */
    public static final OfInt start$layout() { return start$LAYOUT; }
    private static final long start$OFFSET = 0;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u32 start
     * }
     */
    public static final long start$offset() { return start$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u32 start
     * }
     */
    public static int start(MemorySegment struct) { return struct.get(start$LAYOUT, start$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u32 start
     * }
     */
    public static void start(MemorySegment struct, int fieldValue) { struct.set(start$LAYOUT, start$OFFSET, fieldValue); }

    private static final OfInt end$LAYOUT = (OfInt) $LAYOUT.select(groupElement("end"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u32 end
     * }
     */
    public static final OfInt end$layout() { return end$LAYOUT; }
    private static final long end$OFFSET = 4;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u32 end
     * }
     */
    public static final long end$offset() { return end$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u32 end
     * }
     */
    public static int end(MemorySegment struct) { return struct.get(end$LAYOUT, end$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u32 end
     * }
     */
    public static void end(MemorySegment struct, int fieldValue) { struct.set(end$LAYOUT, end$OFFSET, fieldValue); }

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
