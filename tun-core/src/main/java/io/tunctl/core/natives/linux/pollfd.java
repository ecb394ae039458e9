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
 * One entry of the set {@code poll(2)} waits on. From {@code poll.h}:
 * {@snippet lang=c :
 * struct pollfd {
 *     int fd;
 *     short events;
 *     short revents;
 * };
 * }
 */
@SuppressWarnings({"unused", "checkstyle:TypeName", "checkstyle:MethodName"})
public final class pollfd {
    pollfd() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"),
            JAVA_SHORT.withName("events"),
            JAVA_SHORT.withName("revents"))
            .withName("pollfd");

    /** The layout of {@code struct pollfd}. */
    public static final GroupLayout layout() { return $LAYOUT; }

    private static final OfInt fd$LAYOUT = (OfInt) $LAYOUT.select(groupElement("fd"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * int fd
     * }
     */
    public static final OfInt fd$layout() { return fd$LAYOUT; }
    private static final long fd$OFFSET = 0;
    /**
     * Offset of field
     * {@snippet lang=c :
     * int fd
     * }
     */
    public static final long fd$offset() { return fd$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * int fd
     * }
     */
    public static int fd(MemorySegment struct) { return struct.get(fd$LAYOUT, fd$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * int fd
     * }
     */
    public static void fd(MemorySegment struct, int fieldValue) { struct.set(fd$LAYOUT, fd$OFFSET, fieldValue); }

    private static final OfShort events$LAYOUT = (OfShort) $LAYOUT.select(groupElement("events"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * short events
     * }
     */
    public static final OfShort events$layout() { return events$LAYOUT; }
    private static final long events$OFFSET = 4;
    /**
     * Offset of field
     * {@snippet lang=c :
     * short events
     * }
     */
    public static final long events$offset() { return events$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * short events
     * }
     */
    public static short events(MemorySegment struct) { return struct.get(events$LAYOUT, events$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * short events
     * }
     */
    public static void events(MemorySegment struct, short fieldValue) { struct.set(events$LAYOUT, events$OFFSET, fieldValue); }

    private static final OfShort revents$LAYOUT = (OfShort) $LAYOUT.select(groupElement("revents"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * short revents
     * }
     */
    public static final OfShort revents$layout() { return revents$LAYOUT; }
    private static final long revents$OFFSET = 6;
    /**
     * Offset of field
     * {@snippet lang=c :
     * short revents
     * }
     */
    public static final long revents$offset() { return revents$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * short revents
     * }
     */
    public static short revents(MemorySegment struct) { return struct.get(revents$LAYOUT, revents$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * short revents
     * }
     */
    public static void revents(MemorySegment struct, short fieldValue) { struct.set(revents$LAYOUT, revents$OFFSET, fieldValue); }

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
