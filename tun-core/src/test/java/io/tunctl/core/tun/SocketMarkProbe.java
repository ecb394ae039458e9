package io.tunctl.core.tun;

import java.nio.channels.DatagramChannel;

/**
 * Child-JVM probe for {@link SocketBypassIT}: marks a fresh UDP socket and prints the error message (exit 0) or
 * "marked" (exit 3).
 */
public final class SocketMarkProbe {
    private SocketMarkProbe() {}

    public static void main(String[] args) throws Exception {
        try (DatagramChannel ch = DatagramChannel.open()) {
            LinuxSockets.setMark(ch, 0x51820);
            System.out.println("marked");
            System.exit(3);
        } catch (NativeException | IllegalStateException e) {
            System.out.println(e.getMessage());
        }
    }
}
