package io.tunctl.core.netlink;

import io.tunctl.core.natives.linux.nlmsgerr;
import io.tunctl.core.natives.linux.nlmsghdr;
import io.tunctl.core.natives.linux.rtattr;
import io.tunctl.core.natives.linux.rtnetlink_h;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Parses received netlink messages and their attributes. I/O-free. */
final class NetlinkReader {
    private NetlinkReader() {}

    /** Attributes of one message, by type (a later duplicate wins; rtnetlink sends none we read twice). */
    static Map<Integer, MemorySegment> attributes(MemorySegment msg, long offset) {
        Map<Integer, MemorySegment> out = new HashMap<>();
        long end = msg.byteSize();
        long p = offset;
        while (p + rtattr.sizeof() <= end) {
            MemorySegment a = msg.asSlice(p);
            int len = rtattr.rta_len(a) & 0xffff;
            if (len < rtattr.sizeof() || p + len > end) break;
            int type = rtattr.rta_type(a) & 0x3fff; // strip NLA_F_NESTED / NLA_F_NET_BYTEORDER
            out.put(type, msg.asSlice(p + rtattr.sizeof(), len - rtattr.sizeof()));
            p += rtnetlink_h.RTA_ALIGN(len);
        }
        return out;
    }

    /** The payload offset after the header and the fixed struct of {@code structSize} bytes. */
    static long attributesOffset(long structSize) {
        return rtnetlink_h.NLMSG_ALIGN((int) (nlmsghdr.sizeof() + structSize));
    }

    static int u32(MemorySegment attr) {
        return attr.get(ValueLayout.JAVA_INT, 0);
    }

    static byte[] bytes(MemorySegment attr) {
        return attr.toArray(ValueLayout.JAVA_BYTE);
    }

    static String string(MemorySegment attr) {
        byte[] b = bytes(attr);
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    /** The positive errno of an {@code NLMSG_ERROR} message (0 for an ACK). */
    static int error(MemorySegment msg) {
        return -nlmsgerr.error(msg.asSlice(nlmsghdr.sizeof()));
    }

    /**
     * The extended-ACK text ({@code NLMSGERR_ATTR_MSG}) of an {@code NLMSG_ERROR} message, or null. With
     * {@code NLM_F_CAPPED} the request is not echoed, otherwise its bytes sit between the error and the TLVs.
     */
    static String extAckMessage(MemorySegment msg) {
        int flags = nlmsghdr.nlmsg_flags(msg) & 0xffff;
        if ((flags & rtnetlink_h.NLM_F_ACK_TLVS()) == 0) return null;
        MemorySegment err = msg.asSlice(nlmsghdr.sizeof());
        long off = nlmsghdr.sizeof() + nlmsgerr.sizeof();
        if ((flags & rtnetlink_h.NLM_F_CAPPED()) == 0) {
            off = nlmsghdr.sizeof() + 4 + rtnetlink_h.NLMSG_ALIGN(nlmsghdr.nlmsg_len(nlmsgerr.msg(err)));
        }
        if (off >= msg.byteSize()) return null;
        MemorySegment m = attributes(msg, off).get(rtnetlink_h.NLMSGERR_ATTR_MSG());
        return m == null ? null : string(m);
    }
}
