package io.tunctl.core.tun.darwin;

import io.tunctl.core.natives.darwin.Natives;
import io.tunctl.core.natives.darwin.ctl_info;
import io.tunctl.core.natives.darwin.ifreq;
import io.tunctl.core.natives.darwin.iovec;
import io.tunctl.core.natives.darwin.kern_control_h;
import io.tunctl.core.natives.darwin.libc_h;
import io.tunctl.core.natives.darwin.pollfd;
import io.tunctl.core.natives.darwin.sockaddr_ctl;
import io.tunctl.core.natives.darwin.sockio_h;
import io.tunctl.core.spi.DeviceStats;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.core.tun.NativeException;
import io.tunctl.core.tun.common.CallGate;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;

/**
 * A macOS utun interface as a {@link PacketDevice}: a {@code PF_SYSTEM} datagram socket connected to the
 * {@code com.apple.net.utun_control} kernel control. The kernel makes interface {@code utun(N-1)} for unit N
 * ({@code sc_unit}), or picks a free one for unit 0, and destroys it (with its addresses and routes) when the
 * socket is closed.
 *
 * <p>Every packet carries a 4-byte address-family header ({@link UtunFrame}); reads and writes use a two-element
 * iovec (header, packet slot) so batch slots hold plain IP packets. {@link #read} waits in {@code poll(2)} on the
 * socket and a pipe ({@link #wakeup()} and {@link #close} write to it: macOS has no eventfd), then drains with
 * non-blocking {@code readv} until {@code EAGAIN}. One thread reads; any number write, each with scratch memory of
 * its own. A write never blocks: a packet the kernel refuses or has no room for is dropped and counted.
 *
 * <p>Descriptors are tied to the device's shared arena, whose closing closes them; {@link CallGate} closes the
 * arena only once no call is in flight.
 */
public final class UtunDevice implements PacketDevice {
    /** Largest IP packet a utun reader is handed. */
    public static final int MAX_PACKET = 65535;

    private final Arena arena;
    private final int fd;
    private final int wakeRead;
    private final int wakeWrite;
    private final String name;
    private volatile int mtu;
    private final CallGate gate;

    private final Object readLock = new Object();
    private final MemorySegment rErrno;
    private final MemorySegment rPoll;
    private final MemorySegment rPollSock;
    private final MemorySegment rPollWake;
    private final MemorySegment rIov;
    private final MemorySegment rIovData;
    private final MemorySegment rHdr;
    private final MemorySegment rDrain;

    private final ThreadLocal<WriteScratch> writeScratch = ThreadLocal.withInitial(this::newWriteScratch);

    private volatile long rxPackets;
    private volatile long rxBytes;
    private final LongAdder txPackets = new LongAdder();
    private final LongAdder txBytes = new LongAdder();
    private final LongAdder drops = new LongAdder();
    /** Received packets whose family header disagreed with their IP version (counted in drops too). */
    private final LongAdder badHeaders = new LongAdder();

    private record WriteScratch(MemorySegment errno, MemorySegment iov, MemorySegment iovData, MemorySegment hdr) {}

    private UtunDevice(Arena arena, int fd, int wakeRead, int wakeWrite, String name, int mtu) {
        this.arena = arena;
        this.fd = fd;
        this.wakeRead = wakeRead;
        this.wakeWrite = wakeWrite;
        this.name = name;
        this.mtu = mtu;
        this.gate = new CallGate(arena::close);
        this.rErrno = Natives.allocateCapture(arena);
        this.rPoll = pollfd.allocateArray(2, arena);
        this.rPollSock = pollfd.asSlice(rPoll, 0);
        this.rPollWake = pollfd.asSlice(rPoll, 1);
        pollfd.fd(rPollSock, fd);
        pollfd.events(rPollSock, libc_h.POLLIN());
        pollfd.fd(rPollWake, wakeRead);
        pollfd.events(rPollWake, libc_h.POLLIN());
        this.rHdr = arena.allocate(UtunFrame.HEADER_LEN, 4);
        this.rIov = iovec.allocateArray(2, arena);
        iovec.iov_base(rIov, rHdr);
        iovec.iov_len(rIov, UtunFrame.HEADER_LEN);
        this.rIovData = iovec.asSlice(rIov, 1);
        this.rDrain = arena.allocate(64);
    }

    private WriteScratch newWriteScratch() {
        MemorySegment hdr = arena.allocate(UtunFrame.HEADER_LEN, 4);
        MemorySegment iov = iovec.allocateArray(2, arena);
        iovec.iov_base(iov, hdr);
        iovec.iov_len(iov, UtunFrame.HEADER_LEN);
        return new WriteScratch(Natives.allocateCapture(arena), iov, iovec.asSlice(iov, 1), hdr);
    }

    /**
     * The {@code sc_unit} for a requested interface name: {@code utunN} is unit N+1; null, {@code utun} or
     * {@code utun%d} let the kernel choose (unit 0).
     *
     * @throws IllegalArgumentException for any other name: macOS only makes utun interfaces
     */
    public static int unitFor(String name) {
        if (name == null || name.equals("utun") || name.equals("utun%d")) return 0;
        if (name.matches("utun(0|[1-9][0-9]{0,8})")) {
            long n = Long.parseLong(name.substring(4));
            if (n < Integer.MAX_VALUE - 1) return (int) n + 1;
        }
        throw new IllegalArgumentException("interface name \"" + name + "\": macOS names TUN interfaces utunN"
                + " (e.g. utun7), or leave the name out to let the kernel pick one");
    }

    /**
     * Creates a utun interface (down, no address): unit from {@link #unitFor(String)}.
     *
     * @throws NativeException naming the failed call, e.g.
     *         {@code connect(sc_unit 8, "utun7"): EBUSY (Resource busy): that utun unit is in use ...}
     */
    public static UtunDevice open(String requestedName) throws IOException {
        int unit = unitFor(requestedName);
        Natives.requireNativeAccess();
        Arena arena = Arena.ofShared();
        try {
            return open(arena, unit, requestedName);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static UtunDevice open(Arena arena, int unit, String requestedName) throws IOException {
        MemorySegment errno = Natives.allocateCapture(arena);
        String what = requestedName != null ? requestedName : "utun";
        int fd = libc_h.socket(errno, libc_h.PF_SYSTEM(), libc_h.SOCK_DGRAM(), kern_control_h.SYSPROTO_CONTROL());
        if (fd < 0) throw DarwinErrors.of("socket", "PF_SYSTEM", what, Natives.errno(errno));
        closeWith(arena, fd);
        cloexec(errno, fd, what);

        MemorySegment info = ctl_info.allocate(arena);
        ctl_info.ctl_name(info).setString(0, kern_control_h.UTUN_CONTROL_NAME, StandardCharsets.US_ASCII);
        if (libc_h.ioctl(errno, fd, kern_control_h.CTLIOCGINFO(), info) < 0) {
            throw DarwinErrors.of("ioctl", "CTLIOCGINFO", kern_control_h.UTUN_CONTROL_NAME, Natives.errno(errno));
        }

        MemorySegment addr = sockaddr_ctl.allocate(arena);
        sockaddr_ctl.sc_len(addr, (byte) sockaddr_ctl.sizeof());
        sockaddr_ctl.sc_family(addr, (byte) libc_h.AF_SYSTEM());
        sockaddr_ctl.ss_sysaddr(addr, (short) kern_control_h.AF_SYS_CONTROL());
        sockaddr_ctl.sc_id(addr, ctl_info.ctl_id(info));
        sockaddr_ctl.sc_unit(addr, unit);
        if (libc_h.connect(errno, fd, addr, (int) sockaddr_ctl.sizeof()) < 0) {
            throw DarwinErrors.of("connect", "sc_unit " + unit, what, Natives.errno(errno));
        }

        MemorySegment ifname = arena.allocate(sockio_h.IFNAMSIZ());
        MemorySegment len = arena.allocateFrom(ValueLayout.JAVA_INT, sockio_h.IFNAMSIZ());
        if (libc_h.getsockopt(errno, fd, kern_control_h.SYSPROTO_CONTROL(), kern_control_h.UTUN_OPT_IFNAME(), ifname, len) < 0) {
            throw DarwinErrors.of("getsockopt", "UTUN_OPT_IFNAME", what, Natives.errno(errno));
        }
        String name = ifname.getString(0, StandardCharsets.US_ASCII);
        nonblocking(errno, fd, name);

        MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
        if (libc_h.pipe(errno, fds) < 0) throw DarwinErrors.of("pipe", null, name, Natives.errno(errno));
        int wakeRead = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
        int wakeWrite = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
        closeWith(arena, wakeRead);
        closeWith(arena, wakeWrite);
        for (int p : new int[] {wakeRead, wakeWrite}) {
            cloexec(errno, p, name);
            nonblocking(errno, p, name);
        }
        return new UtunDevice(arena, fd, wakeRead, wakeWrite, name, queryMtu(arena, errno, name));
    }

    private static void cloexec(MemorySegment errno, int fd, String name) throws NativeException {
        if (libc_h.fcntl(errno, fd, libc_h.F_SETFD(), libc_h.FD_CLOEXEC()) < 0) {
            throw DarwinErrors.of("fcntl", "F_SETFD FD_CLOEXEC", name, Natives.errno(errno));
        }
    }

    private static void nonblocking(MemorySegment errno, int fd, String name) throws NativeException {
        int fl = libc_h.fcntl(errno, fd, libc_h.F_GETFL(), 0);
        if (fl < 0 || libc_h.fcntl(errno, fd, libc_h.F_SETFL(), fl | libc_h.O_NONBLOCK()) < 0) {
            throw DarwinErrors.of("fcntl", "F_SETFL O_NONBLOCK", name, Natives.errno(errno));
        }
    }

    /** SIOCGIFMTU through a throw-away datagram socket. */
    static int queryMtu(Arena arena, MemorySegment errno, String name) throws NativeException {
        int s = libc_h.socket(errno, libc_h.AF_INET(), libc_h.SOCK_DGRAM(), 0);
        if (s < 0) throw DarwinErrors.of("socket", "AF_INET", name, Natives.errno(errno));
        try {
            MemorySegment ifr = ifreq.allocate(arena);
            ifreq.ifr_name(ifr).setString(0, name, StandardCharsets.US_ASCII);
            if (libc_h.ioctl(errno, s, sockio_h.SIOCGIFMTU(), ifr) < 0) {
                throw DarwinErrors.of("ioctl", "SIOCGIFMTU", name, Natives.errno(errno));
            }
            return ifreq.ifr_ifru.ifru_mtu(ifreq.ifr_ifru(ifr));
        } finally {
            libc_h.close(errno, s);
        }
    }

    /** Ties {@code fd} to {@code arena}: closing the arena closes it (in reverse order of registration). */
    private static void closeWith(Arena arena, int fd) {
        MemorySegment.NULL.reinterpret(arena, ignored -> {
            try (Arena a = Arena.ofConfined()) {
                libc_h.close(Natives.allocateCapture(a), fd);
            }
        });
    }

    /** The kernel's name for the interface ({@code utun7}). */
    public String name() { return name; }

    @Override
    public int mtu() { return mtu; }

    /** Records the MTU after {@code SIOCSIFMTU} (the device's own limit for {@link #write}). */
    void mtu(int mtu) { this.mtu = mtu; }

    @Override
    public String describe() { return name; }

    @Override
    public DeviceStats stats() {
        return new DeviceStats(rxPackets, rxBytes, txPackets.sum(), txBytes.sum(), drops.sum());
    }

    /** Received packets dropped because their family header disagreed with their IP version. */
    public long badHeaders() { return badHeaders.sum(); }

    // ---------------------------------------------------------------------------------------------- read

    @Override
    public int read(PacketBatch batch) throws IOException {
        if (!gate.enter()) return -1;
        try {
            synchronized (readLock) {
                if (batch.isFull()) return 0;
                while (true) {
                    int n = drain(batch);
                    if (n > 0) return n;
                    int ready = awaitReadable();
                    if (ready <= 0) return ready;
                }
            }
        } finally {
            gate.leave();
        }
    }

    /** Non-blocking readv until EAGAIN or the batch is full; returns the packets appended. */
    private int drain(PacketBatch batch) throws IOException {
        int start = batch.size();
        int cap = batch.capacity();
        long bytes = 0;
        int dropped = 0;
        int i = start;
        while (i < cap) {
            MemorySegment buf = batch.buffer(i);
            iovec.iov_base(rIovData, buf);
            iovec.iov_len(rIovData, buf.byteSize());
            long n = libc_h.readv(rErrno, fd, rIov, 2);
            if (n < 0) {
                int e = Natives.errno(rErrno);
                if (e == libc_h.EAGAIN()) break;
                if (e == libc_h.EINTR()) continue;
                throw DarwinErrors.of("readv", null, name, e);
            }
            int len = (int) n - UtunFrame.HEADER_LEN;
            if (len <= 0 || !UtunFrame.agrees(UtunFrame.decode(rHdr), buf, len)) {
                if (len > 0) badHeaders.increment();
                dropped++;
                continue;
            }
            batch.length(i, len);
            bytes += len;
            i++;
        }
        int got = i - start;
        if (got > 0) {
            batch.size(i);
            rxPackets += got;
            rxBytes += bytes;
        }
        if (dropped > 0) drops.add(dropped);
        return got;
    }

    /** Blocks until the socket is readable (1), a {@link #wakeup()} came (0) or the device was closed (-1). */
    private int awaitReadable() throws IOException {
        while (true) {
            pollfd.revents(rPollSock, (short) 0);
            pollfd.revents(rPollWake, (short) 0);
            int r = libc_h.poll(rErrno, rPoll, 2, -1);
            if (r < 0) {
                int e = Natives.errno(rErrno);
                if (e == libc_h.EINTR()) continue;
                throw DarwinErrors.of("poll", null, name, e);
            }
            if (gate.isClosed()) return -1;
            if (pollfd.revents(rPollWake) != 0) {
                while (libc_h.read(rErrno, wakeRead, rDrain, rDrain.byteSize()) > 0) {
                    // empty the pipe: one return per burst of wakeups
                }
                return 0;
            }
            short re = pollfd.revents(rPollSock);
            if ((re & libc_h.POLLIN()) != 0) return 1;
            if ((re & (libc_h.POLLERR() | libc_h.POLLHUP() | libc_h.POLLNVAL())) != 0) return -1;
        }
    }

    @Override
    public void wakeup() {
        if (!gate.enter()) return;
        try {
            signal();
        } finally {
            gate.leave();
        }
    }

    private void signal() {
        try (Arena a = Arena.ofConfined()) {
            libc_h.write(Natives.allocateCapture(a), wakeWrite, a.allocateFrom(ValueLayout.JAVA_BYTE, (byte) 1), 1);
        }
    }

    // ---------------------------------------------------------------------------------------------- write

    /**
     * Writes every packet behind its family header; safe from many threads at once. Never blocks: a packet that
     * is empty, above the MTU, neither IPv4 nor IPv6, carries offload metadata, or that the kernel refuses or has
     * no room for, is dropped and counted.
     */
    @Override
    public void write(PacketBatch batch) throws IOException {
        if (!gate.enter()) throw new ClosedChannelException();
        try {
            WriteScratch w = writeScratch.get();
            int limit = Math.max(mtu, 68);
            int sent = 0;
            long bytes = 0;
            int dropped = 0;
            for (int i = 0, n = batch.size(); i < n; i++) {
                int len = batch.length(i);
                MemorySegment pkt = batch.offset(i) == 0 ? batch.buffer(i)
                        : MemorySegment.ofAddress(batch.address(i)).reinterpret(len);
                int family = UtunFrame.familyOf(pkt, len);
                if (len > limit || family < 0 || batch.hasOffload(i)) {
                    dropped++;
                    continue;
                }
                UtunFrame.encode(w.hdr(), family);
                w.iovData().set(ValueLayout.JAVA_LONG, iovec.iov_base$offset(), batch.address(i));
                iovec.iov_len(w.iovData(), len);
                if (writeOne(w)) {
                    sent++;
                    bytes += len;
                } else {
                    dropped++;
                }
            }
            if (sent > 0) {
                txPackets.add(sent);
                txBytes.add(bytes);
            }
            if (dropped > 0) drops.add(dropped);
        } finally {
            gate.leave();
        }
    }

    private boolean writeOne(WriteScratch w) throws IOException {
        while (true) {
            if (libc_h.writev(w.errno(), fd, w.iov(), 2) >= 0) return true;
            int e = Natives.errno(w.errno());
            if (e == libc_h.EINTR()) continue;
            // no room now, or a packet the stack refuses: a NIC drops those too, and writers must never wait here
            if (e == libc_h.EAGAIN() || e == libc_h.ENOBUFS() || e == libc_h.EINVAL() || e == libc_h.EMSGSIZE()
                    || e == libc_h.EAFNOSUPPORT() || e == libc_h.ENETDOWN()) {
                return false;
            }
            throw DarwinErrors.of("writev", null, name, e);
        }
    }

    // ---------------------------------------------------------------------------------------------- close

    public boolean isClosed() { return gate.isClosed(); }

    /** Wakes a blocked reader, waits (up to 2 s) for calls in flight, then closes the socket (the interface goes). */
    @Override
    public void close() {
        gate.close(this::signal, 2000);
    }

    @Override
    public String toString() {
        return "UtunDevice[" + name + (isClosed() ? ", closed" : "") + "]";
    }
}
