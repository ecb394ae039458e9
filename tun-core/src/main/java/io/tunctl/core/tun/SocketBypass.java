package io.tunctl.core.tun;

import java.io.IOException;
import java.nio.channels.Channel;

/**
 * How a transport keeps its own sockets out of the tunnel: a firewall mark that a policy rule routes around the
 * tunnel ({@code not fwmark M lookup T}, or {@code fwmark M lookup main}), an interface to bind to, or both.
 * Apply it to a socket before its first packet (for TCP: before {@code connect}); see {@link LinuxSockets}.
 *
 * @param mark   {@code SO_MARK} (32 bits), or null
 * @param device {@code SO_BINDTODEVICE} interface name, or null
 */
public record SocketBypass(Long mark, String device) {
    public static final SocketBypass NONE = new SocketBypass(null, null);

    public SocketBypass {
        if (mark != null && (mark < 0 || mark > 0xffffffffL)) throw new IllegalArgumentException("mark is 32 bits: " + mark);
        if (device != null && (device.isEmpty() || device.length() > 15)) {
            throw new IllegalArgumentException("not an interface name: '" + device + "'");
        }
    }

    public static SocketBypass mark(long mark) {
        return new SocketBypass(mark, null);
    }

    public static SocketBypass device(String name) {
        return new SocketBypass(null, name);
    }

    public SocketBypass withDevice(String name) {
        return new SocketBypass(mark, name);
    }

    public boolean isNone() {
        return mark == null && device == null;
    }

    /** Sets the mark and binds the device on socket {@code fd}, whichever are given. */
    public void apply(int fd) throws NativeException {
        if (mark != null) LinuxSockets.setMark(fd, mark);
        if (device != null) LinuxSockets.bindToDevice(fd, device);
    }

    /** {@link #apply(int)} on a {@code java.nio} socket channel (see {@link LinuxSockets#fd(Channel)}). */
    public void apply(Channel channel) throws IOException {
        if (!isNone()) apply(LinuxSockets.fd(channel));
    }

    @Override
    public String toString() {
        if (isNone()) return "no bypass";
        return (mark != null ? "mark 0x" + Long.toHexString(mark) : "") + (mark != null && device != null ? " " : "")
                + (device != null ? "dev " + device : "");
    }
}
