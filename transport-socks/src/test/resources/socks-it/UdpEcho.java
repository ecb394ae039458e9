import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** A UDP echo server for the socks namespace tests: answers "echo:" + payload. Args: address port. */
public class UdpEcho {
    public static void main(String[] args) throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1])))) {
            System.out.println("listening");
            byte[] buf = new byte[65536];
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                byte[] out = ("echo:" + new String(p.getData(), 0, p.getLength(), "ISO-8859-1")).getBytes("ISO-8859-1");
                s.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
            }
        }
    }
}
