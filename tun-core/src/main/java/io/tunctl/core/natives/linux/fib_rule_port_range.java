package io.tunctl.core.natives.linux;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout.OfShort;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The value of {@code FRA_SPORT_RANGE}/{@code FRA_DPORT_RANGE}: an inclusive port range in host byte order. From {@code linux/fib_rules.h}:
 * {@snippet lang=c :
 * struct fib_rule_port_range {
 *     __u16 start;
 *     __u16 end;
 * };
 * }
 */
@SuppressWarnings({"unused", "checkstyle:TypeName", "checkstyle:MethodName"})
public final class fib_rule_port_range {
    fib_rule_port_range() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("start"),
            JAVA_SHORT.withName("end"))
            .withName("fib_rule_port_range");

    /** The layout of {@code struct fib_rule_port_range}. */
    public static final GroupLayout layout() { return $LAYOUT; }

    private static final OfShort start$LAYOUT = (OfShort) $LAYOUT.select(groupElement("start"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u16 start
     * }
     */
    public static final OfShort start$layout() { return start$LAYOUT; }
    private static final long start$OFFSET = 0;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u16 start
     * }
     */
    public static final long start$offset() { return start$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u16 start
     * }
     */
    public static short start(MemorySegment struct) { return struct.get(start$LAYOUT, start$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u16 start
     * }
     */
    public static void start(MemorySegment struct, short fieldValue) { struct.set(start$LAYOUT, start$OFFSET, fieldValue); }

    private static final OfShort end$LAYOUT = (OfShort) $LAYOUT.select(groupElement("end"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * __u16 end
     * }
     */
    public static final OfShort end$layout() { return end$LAYOUT; }
    private static final long end$OFFSET = 2;
    /**
     * Offset of field
     * {@snippet lang=c :
     * __u16 end
     * }
     */
    public static final long end$offset() { return end$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * __u16 end
     * }
     */
    public static short end(MemorySegment struct) { return struct.get(end$LAYOUT, end$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * __u16 end
     * }
     */
    public static void end(MemorySegment struct, short fieldValue) { struct.set(end$LAYOUT, end$OFFSET, fieldValue); }

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
