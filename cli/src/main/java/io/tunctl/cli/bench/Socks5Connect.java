package io.tunctl.cli.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The few lines of SOCKS5 (RFC 1928) the bench's load client needs: no authentication, CONNECT to an IP address.
 * The message codec is I/O-free; {@link #connect} does the exchange on a blocking channel. This is the load
 * generator of the {@code socks-proxy-direct} row, not tunctl's proxy client (that one is netty-handler-proxy).
 */
final class Socks5Connect {
    private static final int VERSION = 5;
    private static final int NO_AUTHENTICATION = 0;
    private static final int CONNECT = 1;
    private static final int ATYP_IPV4 = 1;
    private static final int ATYP_DOMAIN = 3;
    private static final int ATYP_IPV6 = 4;

    private Socks5Connect() {}

    /** Version 5, one method offered: no authentication. */
    static byte[] greeting() {
        return new byte[] {VERSION, 1, NO_AUTHENTICATION};
    }

    /** Checks the server's 2-byte method selection. */
    static void checkMethodSelection(byte[] reply) throws IOException {
        if (reply.length != 2 || reply[0] != VERSION) throw new IOException("not a SOCKS5 server (method selection "
                + hex(reply) + ")");
        if (reply[1] != NO_AUTHENTICATION) {
            throw new IOException("the SOCKS5 server refuses 'no authentication' (it chose method "
                    + (reply[1] & 0xff) + ")");
        }
    }

    /** CONNECT to {@code target}, which must be an IP address (the bench never asks a proxy to resolve names). */
    static byte[] connectRequest(InetSocketAddress target) {
        if (target.isUnresolved()) throw new IllegalArgumentException("not an address: " + target);
        byte[] ip = target.getAddress().getAddress();
        ByteBuffer b = ByteBuffer.allocate(6 + ip.length);
        b.put((byte) VERSION).put((byte) CONNECT).put((byte) 0)
                .put((byte) (target.getAddress() instanceof Inet6Address ? ATYP_IPV6 : ATYP_IPV4))
                .put(ip).putShort((short) target.getPort());
        return b.array();
    }

    /**
     * Checks the first 4 bytes of the server's reply (VER, REP, RSV, ATYP) and returns how many bytes of bound
     * address and port follow them, or -1 when their count is the length byte that follows (a domain name).
     */
    static int replyRest(byte[] head) throws IOException {
        if (head.length != 4 || head[0] != VERSION) throw new IOException("not a SOCKS5 reply: " + hex(head));
        if (head[1] != 0) throw new IOException("the SOCKS5 server refused the CONNECT: " + replyText(head[1] & 0xff));
        return switch (head[3]) {
            case ATYP_IPV4 -> 4 + 2;
            case ATYP_IPV6 -> 16 + 2;
            case ATYP_DOMAIN -> -1;
            default -> throw new IOException("SOCKS5 reply with unknown address type " + (head[3] & 0xff));
        };
    }

    /** RFC 1928 §6's names for the reply codes. */
    static String replyText(int rep) {
        return switch (rep) {
            case 1 -> "general SOCKS server failure (1)";
            case 2 -> "connection not allowed by ruleset (2)";
            case 3 -> "network unreachable (3)";
            case 4 -> "host unreachable (4)";
            case 5 -> "connection refused (5)";
            case 6 -> "TTL expired (6)";
            case 7 -> "command not supported (7)";
            case 8 -> "address type not supported (8)";
            default -> "reply code " + rep;
        };
    }

    /**
     * On {@code channel}, blocking and connected to a SOCKS5 server, asks the server to connect to {@code target};
     * returns once it has, leaving the channel as a plain stream to {@code target}. Each read waits
     * {@code timeoutMs} at most.
     */
    static void connect(SocketChannel channel, InetSocketAddress target, int timeoutMs) throws IOException {
        var socket = channel.socket();
        int before = socket.getSoTimeout();
        socket.setSoTimeout(timeoutMs); // honoured by the socket's stream, not by channel reads
        try {
            InputStream in = socket.getInputStream(); // unbuffered: only the bytes asked for are taken
            write(channel, greeting());
            checkMethodSelection(in.readNBytes(2));
            write(channel, connectRequest(target));
            int rest = replyRest(in.readNBytes(4));
            if (rest < 0) rest = in.read() + 2;
            if (rest < 2 || in.readNBytes(rest).length != rest) throw new IOException("SOCKS5 reply cut short");
        } catch (java.net.SocketTimeoutException e) {
            throw new IOException("the SOCKS5 server did not answer within " + timeoutMs + " ms", e);
        } finally {
            socket.setSoTimeout(before);
        }
    }

    private static void write(SocketChannel c, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) c.write(b);
    }

    private static String hex(byte[] b) {
        return b.length == 0 ? "nothing (connection closed)" : java.util.HexFormat.ofDelimiter(" ").formatHex(b);
    }
}
