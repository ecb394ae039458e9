package io.tunctl.transport.socks.proxy;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A scripted stand-in for a proxy on 127.0.0.1, for answers real proxies will not give on demand (every SOCKS5 REP
 * code, an HTTP 200 with bytes in the same segment, silence). One thread per connection, all ended by close().
 */
final class FakeServer implements AutoCloseable {
    interface Script {
        void run(FakeServer self, DataInputStream in, OutputStream out) throws IOException;
    }

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final List<String> requests = new CopyOnWriteArrayList<>();

    FakeServer(Script script) {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofPlatform().daemon().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    sockets.add(s);
                    Thread.ofPlatform().daemon().start(() -> {
                        try (s) {
                            script.run(this, new DataInputStream(s.getInputStream()), s.getOutputStream());
                        } catch (IOException e) {
                            // client gone
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Reads an HTTP request head (up to the blank line) and records it. */
    String readHttpHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4 && head.size() < 8192) {
            int b = in.read();
            if (b < 0) throw new IOException("EOF in request head");
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        requests.add(text);
        return text;
    }

    /** Reads a SOCKS5 greeting and answers "no auth"; then reads a request and records "cmd atyp addr port". */
    int[] socks5Request(DataInputStream in, OutputStream out) throws IOException {
        int ver = in.readUnsignedByte();
        int n = in.readUnsignedByte();
        in.readNBytes(n);
        if (ver != 5) throw new IOException("not SOCKS5");
        out.write(new byte[] {5, 0});
        out.flush();
        in.readUnsignedByte(); // VER
        int cmd = in.readUnsignedByte();
        in.readUnsignedByte(); // RSV
        int atyp = in.readUnsignedByte();
        byte[] addr = in.readNBytes(atyp == 1 ? 4 : atyp == 4 ? 16 : in.readUnsignedByte());
        int port = in.readUnsignedShort();
        requests.add(cmd + " " + atyp + " " + InetAddress.getByAddress(addr).getHostAddress() + " " + port);
        return new int[] {cmd, atyp, port};
    }

    /** A SOCKS5 reply with REP {@code rep} and BND {@code addr:port} (IPv4). */
    static byte[] socks5Reply(int rep, byte[] addr, int port) {
        byte[] r = new byte[10];
        r[0] = 5;
        r[1] = (byte) rep;
        r[3] = 1;
        System.arraycopy(addr, 0, r, 4, 4);
        r[8] = (byte) (port >> 8);
        r[9] = (byte) port;
        return r;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing
            }
        }
    }
}
