package io.tunctl.transport.socks.proxy;

import io.netty.buffer.ByteBuf;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The RFC 1928 §7 header in front of every datagram a SOCKS5 UDP relay carries: {@code RSV(2)=0, FRAG(1),
 * ATYP(1), DST.ADDR, DST.PORT(2)}. Pure codec on {@link ByteBuf}s, no I/O. Only IP addresses are written (the TUN
 * only sees IPs); a decoded header with a domain name, a fragment ({@code FRAG != 0}, which nobody implements), or
 * that is cut short or malformed is refused and counted, so that the relay can drop the datagram.
 *
 * <p>One instance per association, used on its event loop (the counters are plain fields).
 */
public final class Socks5UdpHeader {
    static final int ATYP_IPV4 = 1;
    static final int ATYP_DOMAIN = 3;
    static final int ATYP_IPV6 = 4;

    /** Header length for an IPv4 address: 2 + 1 + 1 + 4 + 2. */
    public static final int IPV4_LENGTH = 10;
    /** Header length for an IPv6 address: 2 + 1 + 1 + 16 + 2. */
    public static final int IPV6_LENGTH = 22;

    private long fragments;
    private long malformed;

    /** Bytes {@link #encode} writes for {@code address}. */
    public static int length(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address ? IPV6_LENGTH : IPV4_LENGTH;
    }

    /**
     * Writes the header for {@code destination} (an IP, not an unresolved name) at {@code out}'s writer index.
     *
     * @throws IllegalArgumentException for an unresolved address
     */
    public static void encode(InetSocketAddress destination, ByteBuf out) {
        InetAddress ip = destination.getAddress();
        if (ip == null) throw new IllegalArgumentException("not an IP address: " + destination.getHostString());
        out.writeShort(0); // RSV
        out.writeByte(0);  // FRAG: a whole datagram
        out.writeByte(ip instanceof Inet6Address ? ATYP_IPV6 : ATYP_IPV4);
        out.writeBytes(ip.getAddress());
        out.writeShort(destination.getPort());
    }

    /**
     * Reads a header from {@code in} and returns the address in it, leaving {@code in}'s reader index at the
     * payload. Returns null (and counts it) when the datagram must be dropped: a fragment, a domain-name address,
     * a non-zero RSV, an unknown ATYP or a header longer than the datagram; the reader index is then unspecified.
     */
    public InetSocketAddress decode(ByteBuf in) {
        if (in.readableBytes() < 4) {
            malformed++;
            return null;
        }
        int rsv = in.readUnsignedShort();
        int frag = in.readUnsignedByte();
        int atyp = in.readUnsignedByte();
        if (rsv != 0) {
            malformed++;
            return null;
        }
        if (frag != 0) {
            fragments++;
            return null;
        }
        int addressLength = switch (atyp) {
            case ATYP_IPV4 -> 4;
            case ATYP_IPV6 -> 16;
            default -> -1; // ATYP_DOMAIN: a relay answers with the IP it heard from; a name cannot become a source
        };
        if (addressLength < 0 || in.readableBytes() < addressLength + 2) {
            malformed++;
            return null;
        }
        byte[] raw = new byte[addressLength];
        in.readBytes(raw);
        int port = in.readUnsignedShort();
        try {
            // Inet6Address.getByAddress keeps an IPv4-mapped address (::ffff:a.b.c.d) IPv6; InetAddress's would
            // turn it into a.b.c.d, and a reply to an IPv6 flow would come back as IPv4 and match no flow
            InetAddress ip = addressLength == 16 ? Inet6Address.getByAddress(null, raw, -1) : InetAddress.getByAddress(raw);
            return new InetSocketAddress(ip, port);
        } catch (UnknownHostException e) {
            malformed++; // cannot happen for 4 or 16 bytes
            return null;
        }
    }

    /** Datagrams refused because {@code FRAG != 0}. */
    public long fragments() {
        return fragments;
    }

    /** Datagrams refused because their header was cut short, had RSV != 0, an unknown ATYP or a domain name. */
    public long malformed() {
        return malformed;
    }
}
