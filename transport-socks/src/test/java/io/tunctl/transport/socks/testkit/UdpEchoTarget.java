package io.tunctl.transport.socks.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A UDP echo server for proxy tests: answers every datagram with {@code prefix + payload} to its sender and
 * remembers the last sender (the proxy's outside address, which a third party can then write to). Ended by
 * {@link #close()}.
 */
public final class UdpEchoTarget implements AutoCloseable {
    private final DatagramSocket socket;
    private final byte[] prefix;
    private final Thread thread;
    private volatile InetSocketAddress lastSender;

    public UdpEchoTarget(InetAddress bind, String prefix) {
        this.prefix = prefix.getBytes(StandardCharsets.UTF_8);
        try {
            socket = new DatagramSocket(new InetSocketAddress(bind, 0));
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
        thread = Thread.ofPlatform().daemon().name("udp-echo-" + socket.getLocalPort()).start(this::run);
    }

    private void run() {
        byte[] buf = new byte[65536];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
                lastSender = (InetSocketAddress) p.getSocketAddress();
                byte[] reply = Arrays.copyOf(prefix, prefix.length + p.getLength());
                System.arraycopy(p.getData(), p.getOffset(), reply, prefix.length, p.getLength());
                socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
            } catch (IOException e) {
                if (socket.isClosed()) return;
            }
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** Who sent the last datagram, or null. */
    public InetSocketAddress lastSender() {
        return lastSender;
    }

    /** Sends {@code text} from this server's socket to {@code to} (to test replies from a source never written to). */
    public void sendFromHere(InetSocketAddress to, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(b, b.length, to));
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
