package io.tunctl.core.netlink;

import io.tunctl.core.natives.linux.nlmsghdr;
import io.tunctl.core.natives.linux.rtattr;
import io.tunctl.core.natives.linux.rtnetlink_h;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Writes one netlink message into a buffer: header, fixed struct, attributes, each 4-byte aligned as
 * {@code NLMSG_ALIGN}/{@code RTA_ALIGN} say. I/O-free; the buffer is reused for every request.
 */
final class NetlinkWriter {
    private final MemorySegment buf;
    private int pos;

    NetlinkWriter(MemorySegment buf) {
        this.buf = buf;
    }

    /** Starts a message: clears the buffer, writes the header (length filled in by {@link #finish()}). */
    NetlinkWriter begin(int type, int flags, int seq) {
        pos = 0;
        buf.fill((byte) 0);
        nlmsghdr.nlmsg_type(buf, (short) type);
        nlmsghdr.nlmsg_flags(buf, (short) flags);
        nlmsghdr.nlmsg_seq(buf, seq);
        nlmsghdr.nlmsg_pid(buf, 0);
        pos = (int) nlmsghdr.sizeof();
        return this;
    }

    /** Reserves the message's fixed struct ({@code ifaddrmsg}...) of {@code size} bytes, zeroed; returns it. */
    MemorySegment struct(long size) {
        MemorySegment s = buf.asSlice(pos, size);
        pos = rtnetlink_h.NLMSG_ALIGN(pos + (int) size);
        return s;
    }

    NetlinkWriter attr(int type, byte[] value) {
        int len = (int) rtattr.sizeof() + value.length;
        MemorySegment a = buf.asSlice(pos, len);
        rtattr.rta_len(a, (short) len);
        rtattr.rta_type(a, (short) type);
        MemorySegment.copy(value, 0, a, ValueLayout.JAVA_BYTE, rtattr.sizeof(), value.length);
        pos = rtnetlink_h.RTA_ALIGN(pos + len);
        return this;
    }

    /** A native-order 32-bit attribute. */
    NetlinkWriter attrU32(int type, int value) {
        int len = (int) rtattr.sizeof() + 4;
        MemorySegment a = buf.asSlice(pos, len);
        rtattr.rta_len(a, (short) len);
        rtattr.rta_type(a, (short) type);
        a.set(ValueLayout.JAVA_INT, rtattr.sizeof(), value);
        pos = rtnetlink_h.RTA_ALIGN(pos + len);
        return this;
    }

    /** A one-byte attribute (padded to 4 bytes like every attribute). */
    NetlinkWriter attrU8(int type, int value) {
        return attr(type, new byte[] {(byte) value});
    }

    /**
     * Reserves an attribute whose value is a C struct of {@code size} bytes, zeroed; returns the value for the
     * struct binding's setters to fill.
     */
    MemorySegment attrStruct(int type, long size) {
        int len = (int) (rtattr.sizeof() + size);
        MemorySegment a = buf.asSlice(pos, len);
        rtattr.rta_len(a, (short) len);
        rtattr.rta_type(a, (short) type);
        pos = rtnetlink_h.RTA_ALIGN(pos + len);
        return a.asSlice(rtattr.sizeof(), size);
    }

    /** A NUL-terminated string attribute. */
    NetlinkWriter attrString(int type, String value) {
        byte[] s = value.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[s.length + 1];
        System.arraycopy(s, 0, z, 0, s.length);
        return attr(type, z);
    }

    /** Sets {@code nlmsg_len} and returns the message length in bytes. */
    int finish() {
        nlmsghdr.nlmsg_len(buf, pos);
        return pos;
    }

    /** The message written so far (tests). */
    MemorySegment message() {
        return buf.asSlice(0, pos);
    }
}
