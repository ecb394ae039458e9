package io.tunctl.examples.udp;

import io.tunctl.core.packet.Cidr;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Parses numeric {@code a.b.c.d:port} and {@code [v6]:port}; never resolves names. */
final class SocketAddresses {
    private SocketAddresses() {}

    static InetSocketAddress parse(String text) {
        String s = text.strip();
        String host;
        String port;
        if (s.startsWith("[")) {
            int end = s.indexOf("]:");
            if (end < 0) throw new IllegalArgumentException("want [IPv6]:port, got '" + text + "'");
            host = s.substring(1, end);
            port = s.substring(end + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0 || s.indexOf(':') != colon) {
                throw new IllegalArgumentException("want address:port (IPv6 as [addr]:port), got '" + text + "'");
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port '" + port + "' in '" + text + "'");
        }
        if (p < 0 || p > 65535) throw new IllegalArgumentException("port " + p + " out of range 0..65535");
        try {
            return new InetSocketAddress(InetAddress.getByAddress(Cidr.parseAddress(host)), p);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address '" + host + "'");
        }
    }
}
