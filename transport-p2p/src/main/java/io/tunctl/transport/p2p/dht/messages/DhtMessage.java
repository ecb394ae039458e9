package io.tunctl.transport.p2p.dht.messages;

import io.tunctl.transport.p2p.codec.CompactDecodeException;
import io.tunctl.transport.p2p.codec.CompactDecoder;
import io.tunctl.transport.p2p.codec.CompactEncoder;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A dht-rpc datagram (hyperdht-wire.md §2.2): a {@link Request} (first byte {@code 0x03}) or a {@link Response}
 * ({@code 0x13}). Optional fields are {@code null} when absent; their flag bits are derived from presence, so a record
 * always encodes to the bytes dht-rpc would send for the same fields.
 *
 * <p>Decoding follows dht-rpc: unknown flag bits and bytes after the last field are ignored (a newer peer may append
 * fields); a truncated field, a wrong type/version byte or an oversized array is a {@link CompactDecodeException}
 * naming the message and the field.
 */
public sealed interface DhtMessage permits DhtMessage.Request, DhtMessage.Response {
    /** dht-rpc's protocol version, the low nibble of byte 0. */
    int VERSION = 3;
    /** Byte 0 of a request: type 0, version 3. */
    int REQUEST_ID = VERSION;
    /** Byte 0 of a response: type 1, version 3. */
    int RESPONSE_ID = 1 << 4 | VERSION;

    /** Transaction id; a response carries the one of the request it answers. */
    int tid();

    /** The receiver's address as the sender saw it (in a response: the requester's public address). */
    InetSocketAddress to();

    /** The sender's 32-byte node id, or null (ephemeral nodes never send one). */
    byte[] id();

    byte[] encode();

    /** Decodes a request or a response by its first byte. */
    static DhtMessage decode(byte[] datagram) {
        if (datagram == null || datagram.length < 2) {
            throw new CompactDecodeException("dht-rpc message: needs at least 2 bytes, got "
                    + (datagram == null ? "null" : datagram.length));
        }
        int first = datagram[0] & 0xff;
        return switch (first) {
            case REQUEST_ID -> Request.decode(datagram);
            case RESPONSE_ID -> Response.decode(datagram);
            default -> throw new CompactDecodeException(String.format(
                    "dht-rpc message: first byte 0x%02x is neither a request (0x03) nor a response (0x13)", first));
        };
    }

    private static void checkHeader(CompactDecoder d, int expected) {
        int first = d.uint8();
        if (first != expected) {
            throw new CompactDecodeException(String.format("first byte is 0x%02x, expected 0x%02x", first, expected));
        }
    }

    private static int checkTid(int tid) {
        if (tid < 0 || tid > 0xffff) {
            throw new IllegalArgumentException("tid must be a uint16, got " + tid);
        }
        return tid;
    }

    /**
     * A request. {@code internal} selects dht-rpc's own command set ({@link DhtCommands#PING} ...) instead of the
     * hyperdht user commands ({@link DhtCommands#FIND_PEER} ...).
     *
     * @param token  32-byte write token the receiver handed out earlier, or null
     * @param target 32-byte key the command is about, or null
     * @param value  command payload (may be empty), or null
     */
    record Request(int tid, InetSocketAddress to, byte[] id, byte[] token, boolean internal, long command,
            byte[] target, byte[] value) implements DhtMessage {
        public Request {
            checkTid(tid);
            if (to == null) {
                throw new IllegalArgumentException("to is required");
            }
            Wire.ipv4(to, "to");
            Wire.fixed(id, 32, "id");
            Wire.fixed(token, 32, "token");
            Wire.uint(command, "command");
            Wire.fixed(target, 32, "target");
        }

        public int flags() {
            return (id != null ? 1 : 0) | (token != null ? 2 : 0) | (internal ? 4 : 0) | (target != null ? 8 : 0)
                    | (value != null ? 16 : 0);
        }

        @Override
        public byte[] encode() {
            CompactEncoder e = new CompactEncoder(80 + (value == null ? 0 : value.length));
            e.uint8(REQUEST_ID).uint(flags()).uint16(tid).ipv4Address(to);
            if (id != null) {
                e.raw(id);
            }
            if (token != null) {
                e.raw(token);
            }
            e.uint(command);
            if (target != null) {
                e.raw(target);
            }
            if (value != null) {
                e.buffer(value);
            }
            return e.toByteArray();
        }

        public static Request decode(byte[] datagram) {
            return Wire.decode("dht-rpc request", datagram, d -> {
                checkHeader(d, REQUEST_ID);
                long flags = d.uint();
                int tid = d.uint16();
                InetSocketAddress to = d.ipv4Address();
                byte[] id = (flags & 1) != 0 ? d.fixed(32) : null;
                byte[] token = (flags & 2) != 0 ? d.fixed(32) : null;
                long command = d.uint();
                byte[] target = (flags & 8) != 0 ? d.fixed(32) : null;
                byte[] value = (flags & 16) != 0 ? d.buffer() : null;
                return new Request(tid, to, id, token, (flags & 4) != 0, command, target, value);
            });
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Request r && tid == r.tid && to.equals(r.to) && Wire.eq(id, r.id)
                    && Wire.eq(token, r.token) && internal == r.internal && command == r.command
                    && Wire.eq(target, r.target) && Wire.eq(value, r.value);
        }

        @Override
        public int hashCode() {
            return ((tid * 31 + to.hashCode()) * 31 + Long.hashCode(command)) * 31 + Wire.hash(target);
        }

        @Override
        public String toString() {
            return "Request[tid=" + tid + ", to=" + to + ", id=" + Wire.hex(id) + ", token=" + Wire.hex(token)
                    + ", internal=" + internal + ", command=" + command + ", target=" + Wire.hex(target)
                    + ", value=" + Wire.hex(value) + "]";
        }
    }

    /**
     * A response. An empty {@code closerNodes} list and {@code error == 0} are "absent" on the wire (dht-rpc sets
     * those flags only for a non-empty list and a non-zero error); a decoded response never has a null list.
     *
     * @param token 32-byte write token for the requester's IP, or null
     * @param error 0 for OK, else an error code ({@link DhtCommands#ERROR_UNKNOWN_COMMAND} ...)
     * @param value reply payload (may be empty), or null
     */
    record Response(int tid, InetSocketAddress to, byte[] id, byte[] token, List<InetSocketAddress> closerNodes,
            long error, byte[] value) implements DhtMessage {
        public Response {
            checkTid(tid);
            if (to == null) {
                throw new IllegalArgumentException("to is required");
            }
            Wire.ipv4(to, "to");
            Wire.fixed(id, 32, "id");
            Wire.fixed(token, 32, "token");
            closerNodes = closerNodes == null ? List.of() : Wire.ipv4List(closerNodes, "closerNodes");
            Wire.uint(error, "error");
        }

        public boolean isError() {
            return error != 0;
        }

        public int flags() {
            return (id != null ? 1 : 0) | (token != null ? 2 : 0) | (!closerNodes.isEmpty() ? 4 : 0)
                    | (error != 0 ? 8 : 0) | (value != null ? 16 : 0);
        }

        @Override
        public byte[] encode() {
            CompactEncoder e = new CompactEncoder(80 + 6 * closerNodes.size() + (value == null ? 0 : value.length));
            e.uint8(RESPONSE_ID).uint(flags()).uint16(tid).ipv4Address(to);
            if (id != null) {
                e.raw(id);
            }
            if (token != null) {
                e.raw(token);
            }
            if (!closerNodes.isEmpty()) {
                e.array(closerNodes, CompactEncoder::ipv4Address);
            }
            if (error != 0) {
                e.uint(error);
            }
            if (value != null) {
                e.buffer(value);
            }
            return e.toByteArray();
        }

        public static Response decode(byte[] datagram) {
            return Wire.decode("dht-rpc response", datagram, d -> {
                checkHeader(d, RESPONSE_ID);
                long flags = d.uint();
                int tid = d.uint16();
                InetSocketAddress to = d.ipv4Address();
                byte[] id = (flags & 1) != 0 ? d.fixed(32) : null;
                byte[] token = (flags & 2) != 0 ? d.fixed(32) : null;
                List<InetSocketAddress> closer = (flags & 4) != 0 ? d.array(CompactDecoder::ipv4Address) : List.of();
                long error = (flags & 8) != 0 ? d.uint() : 0;
                byte[] value = (flags & 16) != 0 ? d.buffer() : null;
                return new Response(tid, to, id, token, closer, error, value);
            });
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Response r && tid == r.tid && to.equals(r.to) && Wire.eq(id, r.id)
                    && Wire.eq(token, r.token) && closerNodes.equals(r.closerNodes) && error == r.error
                    && Wire.eq(value, r.value);
        }

        @Override
        public int hashCode() {
            return ((tid * 31 + to.hashCode()) * 31 + closerNodes.hashCode()) * 31 + Long.hashCode(error);
        }

        @Override
        public String toString() {
            return "Response[tid=" + tid + ", to=" + to + ", id=" + Wire.hex(id) + ", token=" + Wire.hex(token)
                    + ", closerNodes=" + closerNodes + ", error=" + error + ", value=" + Wire.hex(value) + "]";
        }
    }
}
