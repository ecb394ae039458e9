import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal HTTP/1.0 responder for the many-connections test: a deep accept queue and a virtual thread per
 * connection, no idle limit (jwebserver drops connections that stay quiet for a moment under load, which a
 * connection through a proxy does). Answers every request with "hello". Args: address port.
 */
public class TinyHttp {
    public static void main(String[] args) throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1])), 4096);
            System.out.println("listening");
            while (true) {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> serve(s));
            }
        }
    }

    static void serve(Socket s) {
        try (s) {
            s.setSoTimeout(60_000);
            InputStream in = s.getInputStream();
            int state = 0;
            for (int b; state < 4 && (b = in.read()) >= 0; ) {
                state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
            }
            s.getOutputStream().write("HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nhello\n".getBytes(StandardCharsets.US_ASCII));
        } catch (Exception e) {
            // the client went away: nothing to answer
        }
    }
}
