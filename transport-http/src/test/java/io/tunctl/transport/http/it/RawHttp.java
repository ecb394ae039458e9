package io.tunctl.transport.http.it;

import io.tunctl.core.tun.NetworkNamespace;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The wire as a hostile or hand-made peer speaks it: raw chunks and lines, and the admin endpoint's counters. */
final class RawHttp {
    private RawHttp() {}

    /** One chunk of a chunked body. */
    static void chunk(OutputStream out, byte[] b) throws IOException {
        out.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    /** A line without its CRLF; EOF before the LF is an error. */
    static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) throw new IOException("eof after '" + sb + "'");
            if (c != '\r') sb.append((char) c);
        }
        return sb.toString();
    }

    /** GET /metrics from the admin listener, over a socket made inside the namespace. */
    static String metrics(NetworkNamespace netns, int port) throws IOException {
        try (Socket s = netns.call(() -> {
            Socket so = new Socket();
            so.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            return so;
        })) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            s.getInputStream().transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        }
    }

    /** The value of the sample whose name and labels match {@code sampleRegex} (e.g. {@code name\{interface="x"\}}). */
    static long sample(String metrics, String sampleRegex) {
        Matcher m = Pattern.compile(sampleRegex + " (\\d+)").matcher(metrics);
        assertTrue(m.find(), sampleRegex + " in\n" + metrics);
        return Long.parseLong(m.group(1));
    }
}
