import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Two DNS queries (A and AAAA for args[2]) pipelined on one TCP connection to args[0]:args[1], written in one
 * segment; prints one line per answer: "id=<hex> type=<qtype> answers=<ancount> rcode=<rcode>".
 */
public class DnsPipeline {
    public static void main(String[] args) throws Exception {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        frame(frames, query(0x5151, args[2], 1));
        frame(frames, query(0x5152, args[2], 28));
        try (Socket s = new Socket()) {
            s.setSoTimeout(5000);
            s.connect(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 5000);
            OutputStream out = s.getOutputStream();
            out.write(frames.toByteArray());
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            for (int i = 0; i < 2; i++) {
                byte[] m = in.readNBytes(in.readUnsignedShort());
                int q = 12;
                while (m[q] != 0) q += (m[q] & 0xff) + 1;
                int type = (m[q + 1] & 0xff) << 8 | m[q + 2] & 0xff;
                System.out.printf("id=%04x type=%d answers=%d rcode=%d%n", (m[0] & 0xff) << 8 | m[1] & 0xff, type,
                        (m[6] & 0xff) << 8 | m[7] & 0xff, m[3] & 0xf);
            }
        }
    }

    static byte[] query(int id, String name, int type) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(id >> 8);
        b.write(id);
        b.writeBytes(new byte[] {1, 0, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            b.write(label.length());
            b.writeBytes(label.getBytes());
        }
        b.writeBytes(new byte[] {0, 0, (byte) type, 0, 1});
        return b.toByteArray();
    }

    static void frame(ByteArrayOutputStream out, byte[] m) {
        out.write(m.length >> 8);
        out.write(m.length);
        out.writeBytes(m);
    }
}
