package io.tunctl.core.natives.linux;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout.OfLong;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One buffer of a {@code readv(2)}/{@code writev(2)} vector. From {@code sys/uio.h (bits/types/struct_iovec.h)}:
 * {@snippet lang=c :
 * struct iovec {
 *     void *iov_base;
 *     size_t iov_len;
 * };
 * }
 */
@SuppressWarnings({"unused", "checkstyle:TypeName", "checkstyle:MethodName"})
public final class iovec {
    iovec() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            ADDRESS.withName("iov_base"),
            JAVA_LONG.withName("iov_len"))
            .withName("iovec");

    /** The layout of {@code struct iovec}. */
    public static final GroupLayout layout() { return $LAYOUT; }

    private static final AddressLayout iov_base$LAYOUT = (AddressLayout) $LAYOUT.select(groupElement("iov_base"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * void *iov_base
     * }
     */
    public static final AddressLayout iov_base$layout() { return iov_base$LAYOUT; }
    private static final long iov_base$OFFSET = 0;
    /**
     * Offset of field
     * {@snippet lang=c :
     * void *iov_base
     * }
     */
    public static final long iov_base$offset() { return iov_base$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * void *iov_base
     * }
     */
    public static MemorySegment iov_base(MemorySegment struct) { return struct.get(iov_base$LAYOUT, iov_base$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * void *iov_base
     * }
     */
    public static void iov_base(MemorySegment struct, MemorySegment fieldValue) { struct.set(iov_base$LAYOUT, iov_base$OFFSET, fieldValue); }

    private static final OfLong iov_len$LAYOUT = (OfLong) $LAYOUT.select(groupElement("iov_len"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * size_t iov_len
     * }
     */
    public static final OfLong iov_len$layout() { return iov_len$LAYOUT; }
    private static final long iov_len$OFFSET = 8;
    /**
     * Offset of field
     * {@snippet lang=c :
     * size_t iov_len
     * }
     */
    public static final long iov_len$offset() { return iov_len$OFFSET; }
    /**
     * Getter for field
     * {@snippet lang=c :
     * size_t iov_len
     * }
     */
    public static long iov_len(MemorySegment struct) { return struct.get(iov_len$LAYOUT, iov_len$OFFSET); }
    /**
     * Setter for field
     * {@snippet lang=c :
     * size_t iov_len
     * }
     */
    public static void iov_len(MemorySegment struct, long fieldValue) { struct.set(iov_len$LAYOUT, iov_len$OFFSET, fieldValue); }

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
