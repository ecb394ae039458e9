package io.tunctl.core.natives.linux;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.ValueLayout.OfInt;
import java.lang.foreign.ValueLayout.OfShort;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The interface request {@code TUNSETIFF}, {@code TUNGETIFF} and {@code TUNSETQUEUE} take. From {@code net/if.h}:
 * {@snippet lang=c :
 * struct ifreq {
 *     char ifr_name[IFNAMSIZ]; // IFNAMSIZ == 16
 *     union {
 *         struct sockaddr ifru_addr; // ...
 *         short ifru_flags;
 *         int ifru_ivalue;
 *         int ifru_mtu;
 *         struct ifmap ifru_map;
 *         char ifru_newname[IFNAMSIZ];
 *         __caddr_t ifru_data;
 *     } ifr_ifru;
 * };
 * }
 */
@SuppressWarnings({"unused", "checkstyle:TypeName", "checkstyle:MethodName"})
public final class ifreq {
    ifreq() {}

    private static final GroupLayout $LAYOUT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("ifr_name"),
            ifr_ifru.layout())
            .withName("ifreq");

    /** The layout of {@code struct ifreq}. */
    public static final GroupLayout layout() { return $LAYOUT; }

    private static final SequenceLayout ifr_name$LAYOUT = (SequenceLayout) $LAYOUT.select(groupElement("ifr_name"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * char ifr_name[IFNAMSIZ]
     * }
     */
    public static final SequenceLayout ifr_name$layout() { return ifr_name$LAYOUT; }
    private static final long ifr_name$OFFSET = 0;
    /**
     * Offset of field
     * {@snippet lang=c :
     * char ifr_name[IFNAMSIZ]
     * }
     */
    public static final long ifr_name$offset() { return ifr_name$OFFSET; }
    /**
     * Getter for field (a slice of {@code struct})
     * {@snippet lang=c :
     * char ifr_name[IFNAMSIZ]
     * }
     */
    public static MemorySegment ifr_name(MemorySegment struct) { return struct.asSlice(ifr_name$OFFSET, ifr_name$LAYOUT.byteSize()); }
    /**
     * Setter for field (copies {@code fieldValue} in)
     * {@snippet lang=c :
     * char ifr_name[IFNAMSIZ]
     * }
     */
    public static void ifr_name(MemorySegment struct, MemorySegment fieldValue) { MemorySegment.copy(fieldValue, 0L, struct, ifr_name$OFFSET, ifr_name$LAYOUT.byteSize()); }

    private static final GroupLayout ifr_ifru$LAYOUT = (GroupLayout) $LAYOUT.select(groupElement("ifr_ifru"));
    /**
     * Layout of field
     * {@snippet lang=c :
     * union { ...
     * }
     * ifr_ifru }
     */
    public static final GroupLayout ifr_ifru$layout() { return ifr_ifru$LAYOUT; }
    private static final long ifr_ifru$OFFSET = 16;
    /**
     * Offset of field
     * {@snippet lang=c :
     * union { ...
     * }
     * ifr_ifru }
     */
    public static final long ifr_ifru$offset() { return ifr_ifru$OFFSET; }
    /**
     * Getter for field (a slice of {@code struct})
     * {@snippet lang=c :
     * union { ...
     * }
     * ifr_ifru }
     */
    public static MemorySegment ifr_ifru(MemorySegment struct) { return struct.asSlice(ifr_ifru$OFFSET, ifr_ifru$LAYOUT.byteSize()); }
    /**
     * Setter for field (copies {@code fieldValue} in)
     * {@snippet lang=c :
     * union { ...
     * }
     * ifr_ifru }
     */
    public static void ifr_ifru(MemorySegment struct, MemorySegment fieldValue) { MemorySegment.copy(fieldValue, 0L, struct, ifr_ifru$OFFSET, ifr_ifru$LAYOUT.byteSize()); }

    /**
     * The union {@code ifr_ifru} inside {@code struct ifreq}; {@code ifr_flags} is
     * {@code ifr_ifru.ifru_flags}. Only the members tunctl uses are bound; {@code ifru_map} sets its size.
     */
    public static final class ifr_ifru {
        ifr_ifru() {}

        private static final GroupLayout $LAYOUT = MemoryLayout.unionLayout(
                JAVA_SHORT.withName("ifru_flags"),
                JAVA_INT.withName("ifru_ivalue"),
                JAVA_INT.withName("ifru_mtu"),
                MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("ifru_newname"),
                ADDRESS.withName("ifru_data"),
                MemoryLayout.sequenceLayout(24, JAVA_BYTE).withName("ifru_map"))
                .withName("ifr_ifru");

        /** The layout of the union. */
        public static final GroupLayout layout() { return $LAYOUT; }

        private static final OfShort ifru_flags$LAYOUT = (OfShort) $LAYOUT.select(groupElement("ifru_flags"));
        /**
         * Layout of field
         * {@snippet lang=c :
         * short ifru_flags
         * }
         */
        public static final OfShort ifru_flags$layout() { return ifru_flags$LAYOUT; }
        private static final long ifru_flags$OFFSET = 0;
        /**
         * Offset of field
         * {@snippet lang=c :
         * short ifru_flags
         * }
         */
        public static final long ifru_flags$offset() { return ifru_flags$OFFSET; }
        /**
         * Getter for field
         * {@snippet lang=c :
         * short ifru_flags
         * }
         */
        public static short ifru_flags(MemorySegment struct) { return struct.get(ifru_flags$LAYOUT, ifru_flags$OFFSET); }
        /**
         * Setter for field
         * {@snippet lang=c :
         * short ifru_flags
         * }
         */
        public static void ifru_flags(MemorySegment struct, short fieldValue) { struct.set(ifru_flags$LAYOUT, ifru_flags$OFFSET, fieldValue); }

        private static final OfInt ifru_ivalue$LAYOUT = (OfInt) $LAYOUT.select(groupElement("ifru_ivalue"));
        /**
         * Layout of field
         * {@snippet lang=c :
         * int ifru_ivalue
         * }
         */
        public static final OfInt ifru_ivalue$layout() { return ifru_ivalue$LAYOUT; }
        private static final long ifru_ivalue$OFFSET = 0;
        /**
         * Offset of field
         * {@snippet lang=c :
         * int ifru_ivalue
         * }
         */
        public static final long ifru_ivalue$offset() { return ifru_ivalue$OFFSET; }
        /**
         * Getter for field
         * {@snippet lang=c :
         * int ifru_ivalue
         * }
         */
        public static int ifru_ivalue(MemorySegment struct) { return struct.get(ifru_ivalue$LAYOUT, ifru_ivalue$OFFSET); }
        /**
         * Setter for field
         * {@snippet lang=c :
         * int ifru_ivalue
         * }
         */
        public static void ifru_ivalue(MemorySegment struct, int fieldValue) { struct.set(ifru_ivalue$LAYOUT, ifru_ivalue$OFFSET, fieldValue); }

        private static final OfInt ifru_mtu$LAYOUT = (OfInt) $LAYOUT.select(groupElement("ifru_mtu"));
        /**
         * Layout of field
         * {@snippet lang=c :
         * int ifru_mtu
         * }
         */
        public static final OfInt ifru_mtu$layout() { return ifru_mtu$LAYOUT; }
        private static final long ifru_mtu$OFFSET = 0;
        /**
         * Offset of field
         * {@snippet lang=c :
         * int ifru_mtu
         * }
         */
        public static final long ifru_mtu$offset() { return ifru_mtu$OFFSET; }
        /**
         * Getter for field
         * {@snippet lang=c :
         * int ifru_mtu
         * }
         */
        public static int ifru_mtu(MemorySegment struct) { return struct.get(ifru_mtu$LAYOUT, ifru_mtu$OFFSET); }
        /**
         * Setter for field
         * {@snippet lang=c :
         * int ifru_mtu
         * }
         */
        public static void ifru_mtu(MemorySegment struct, int fieldValue) { struct.set(ifru_mtu$LAYOUT, ifru_mtu$OFFSET, fieldValue); }

        private static final SequenceLayout ifru_newname$LAYOUT = (SequenceLayout) $LAYOUT.select(groupElement("ifru_newname"));
        /**
         * Layout of field
         * {@snippet lang=c :
         * char ifru_newname[IFNAMSIZ]
         * }
         */
        public static final SequenceLayout ifru_newname$layout() { return ifru_newname$LAYOUT; }
        private static final long ifru_newname$OFFSET = 0;
        /**
         * Offset of field
         * {@snippet lang=c :
         * char ifru_newname[IFNAMSIZ]
         * }
         */
        public static final long ifru_newname$offset() { return ifru_newname$OFFSET; }
        /**
         * Getter for field (a slice of {@code struct})
         * {@snippet lang=c :
         * char ifru_newname[IFNAMSIZ]
         * }
         */
        public static MemorySegment ifru_newname(MemorySegment struct) { return struct.asSlice(ifru_newname$OFFSET, ifru_newname$LAYOUT.byteSize()); }
        /**
         * Setter for field (copies {@code fieldValue} in)
         * {@snippet lang=c :
         * char ifru_newname[IFNAMSIZ]
         * }
         */
        public static void ifru_newname(MemorySegment struct, MemorySegment fieldValue) { MemorySegment.copy(fieldValue, 0L, struct, ifru_newname$OFFSET, ifru_newname$LAYOUT.byteSize()); }

        private static final AddressLayout ifru_data$LAYOUT = (AddressLayout) $LAYOUT.select(groupElement("ifru_data"));
        /**
         * Layout of field
         * {@snippet lang=c :
         * __caddr_t ifru_data
         * }
         */
        public static final AddressLayout ifru_data$layout() { return ifru_data$LAYOUT; }
        private static final long ifru_data$OFFSET = 0;
        /**
         * Offset of field
         * {@snippet lang=c :
         * __caddr_t ifru_data
         * }
         */
        public static final long ifru_data$offset() { return ifru_data$OFFSET; }
        /**
         * Getter for field
         * {@snippet lang=c :
         * __caddr_t ifru_data
         * }
         */
        public static MemorySegment ifru_data(MemorySegment struct) { return struct.get(ifru_data$LAYOUT, ifru_data$OFFSET); }
        /**
         * Setter for field
         * {@snippet lang=c :
         * __caddr_t ifru_data
         * }
         */
        public static void ifru_data(MemorySegment struct, MemorySegment fieldValue) { struct.set(ifru_data$LAYOUT, ifru_data$OFFSET, fieldValue); }

        private static final SequenceLayout ifru_map$LAYOUT = (SequenceLayout) $LAYOUT.select(groupElement("ifru_map"));
        /**
         * Layout of field
         * {@snippet lang=c :
         * struct ifmap ifru_map // 24 bytes, not bound field by field
         * }
         */
        public static final SequenceLayout ifru_map$layout() { return ifru_map$LAYOUT; }
        private static final long ifru_map$OFFSET = 0;
        /**
         * Offset of field
         * {@snippet lang=c :
         * struct ifmap ifru_map // 24 bytes, not bound field by field
         * }
         */
        public static final long ifru_map$offset() { return ifru_map$OFFSET; }
        /**
         * Getter for field (a slice of {@code struct})
         * {@snippet lang=c :
         * struct ifmap ifru_map // 24 bytes, not bound field by field
         * }
         */
        public static MemorySegment ifru_map(MemorySegment struct) { return struct.asSlice(ifru_map$OFFSET, ifru_map$LAYOUT.byteSize()); }
        /**
         * Setter for field (copies {@code fieldValue} in)
         * {@snippet lang=c :
         * struct ifmap ifru_map // 24 bytes, not bound field by field
         * }
         */
        public static void ifru_map(MemorySegment struct, MemorySegment fieldValue) { MemorySegment.copy(fieldValue, 0L, struct, ifru_map$OFFSET, ifru_map$LAYOUT.byteSize()); }

        /** {@return the size of the union in bytes} */
        public static long sizeof() { return layout().byteSize(); }
    }


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
