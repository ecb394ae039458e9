package io.tunctl.core.tun;

import io.tunctl.core.natives.linux.Natives;
import io.tunctl.core.natives.linux.if_tun_h;
import io.tunctl.core.natives.linux.ifreq;
import io.tunctl.core.natives.linux.iovec;
import io.tunctl.core.natives.linux.libc_h;
import io.tunctl.core.natives.linux.pollfd;
import io.tunctl.core.natives.linux.virtio_net_hdr;
import io.tunctl.core.packet.OffloadCheck;
import io.tunctl.core.spi.DeviceStats;
import io.tunctl.core.spi.DrivenDirection;
import io.tunctl.core.spi.Offload;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.core.spi.PollableDevice;
import io.tunctl.core.uring.UringSupport;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Linux TUN device ({@code /dev/net/tun}, {@code IFF_TUN | IFF_NO_PI}) as a {@link PacketDevice}.
 *
 * <p>{@link #read} waits in {@code poll(2)} on the TUN fd and an eventfd, then drains every ready packet with
 * non-blocking {@code read}/{@code readv} until {@code EAGAIN} or the batch is full. With
 * {@link TunOptions#vnetHdr()} each packet is preceded by a 10-byte {@code struct virtio_net_hdr}, which is read
 * into (and written from) the batch's offload metadata with a two-element iovec, so batch slots always hold plain IP
 * packets and GSO super-packets of up to 64 KiB pass through untouched. Metadata may come from a peer, so
 * {@link #write} checks each packet against its header with {@link OffloadCheck} first and drops (and counts, see
 * {@link #offloadDrops()}) any that fails: the kernel only ever sees headers that describe their packets.
 *
 * <p>One thread reads (under a lock: a second reader waits) while any number of threads write at once: each
 * writing thread gets its own scratch memory (errno capture, iovec, virtio header) on its first write, so writers
 * share no lock, and the kernel takes each packet whole. A write never blocks: a packet the kernel refuses or
 * cannot queue now ({@code EAGAIN}) is dropped and counted, as a NIC drops on a full ring, so a push device's event
 * loop can write here. {@link #wakeup()} and {@link #close} signal the eventfd a reader polls; close waits for calls
 * in flight to leave and only then closes the file descriptors (so a descriptor number is never reused under a
 * running call). The descriptors are tied to a shared arena whose cleanup closes them in reverse order of opening.
 *
 * <p>The device lives in the network namespace of the thread that opened it (see {@link NetworkNamespace}).
 * A non-persistent TUN disappears, with its addresses and routes, when its last queue is closed.
 */
public final class TunDevice implements PollableDevice {
    private static final String DEV_NET_TUN = "/dev/net/tun";
    private static final int VNET_HDR_LEN = Offload.VIRTIO_NET_HDR_LEN;
    /** Largest IP packet (and GSO super-packet) the kernel hands a TUN reader. */
    public static final int MAX_PACKET = 65535;

    /** TUN-to-TUN directions on io_uring forward through the reading ring ({@link #drive}); false keeps the pumps. */
    private static final boolean FORWARD = !"false".equals(System.getProperty("tunctl.uring.forward"));

    private static final int CLOSED = 1 << 30;
    /** Set by the one call that freed the arena, so late callers that count in and out never free it again. */
    private static final int FREED = 1 << 29;
    private static final int USERS = FREED - 1;

    private final Arena arena;
    private final int fd;
    private final int eventFd;
    private final int netnsFd;
    private final String name;
    private final TunOptions options;
    private volatile int mtu;
    /** Non-null when reads and writes go through io_uring ({@link TunIo#URING}, or {@code AUTO} where usable). */
    private final UringReader uring;

    /** A source whose thread writes into this device through its own ring ({@link #drive}), woken by close. */
    private volatile TunDevice forwardingFrom;

    /** Bit 30: closed; bit 29: freed; low bits: calls in flight. */
    private final AtomicInteger state = new AtomicInteger();

    private final Object readLock = new Object();
    private final MemorySegment rErrno;
    private final MemorySegment rPoll;
    private final MemorySegment rIov;
    private final MemorySegment rIovData;
    private final MemorySegment rHdr;
    private final MemorySegment rEventCount;
    private final MemorySegment rPollTun;
    private final MemorySegment rPollEvent;

    /** Per writing thread: allocated in the device's arena on the thread's first write, freed with the device. */
    private final ThreadLocal<WriteScratch> writeScratch = ThreadLocal.withInitial(this::newWriteScratch);

    private volatile long rxPackets;
    private volatile long rxBytes;
    private final LongAdder txPackets = new LongAdder();
    private final LongAdder txBytes = new LongAdder();
    private final LongAdder drops = new LongAdder();
    /** Packets {@link #write} refused for their offload metadata, per {@link OffloadCheck} reason code. */
    private final AtomicLongArray offloadDrops = new AtomicLongArray(OffloadCheck.REASONS);

    private TunDevice(Arena arena, int fd, int eventFd, int netnsFd, String name, TunOptions options, int mtu) {
        this.arena = arena;
        this.fd = fd;
        this.eventFd = eventFd;
        this.netnsFd = netnsFd;
        this.name = name;
        this.options = options;
        this.mtu = mtu;
        this.uring = useUring(options.io()) ? new UringReader(arena, fd, eventFd, options.vnetHdr(), name) : null;
        this.rErrno = Natives.allocateCapture(arena);
        this.rPoll = pollfd.allocateArray(2, arena);
        this.rIov = iovec.allocateArray(2, arena);
        this.rHdr = virtio_net_hdr.allocate(arena);
        this.rEventCount = arena.allocate(ValueLayout.JAVA_LONG);
        iovec.iov_base(rIov, rHdr);
        iovec.iov_len(rIov, VNET_HDR_LEN);
        initPoll(rPoll, libc_h.POLLIN());
        // slices made once: the hot path allocates nothing per packet
        this.rIovData = iovec.asSlice(rIov, 1);
        this.rPollTun = pollfd.asSlice(rPoll, 0);
        this.rPollEvent = pollfd.asSlice(rPoll, 1);
    }

    /**
     * One writing thread's scratch memory; the slices are made once so the write path allocates nothing. With
     * io_uring the thread also has a ring of its own ({@code uring}, null otherwise).
     */
    private record WriteScratch(MemorySegment errno, MemorySegment iov, MemorySegment iovData, MemorySegment hdr,
                                UringWriter uring) {}

    private WriteScratch newWriteScratch() {
        MemorySegment iov = iovec.allocateArray(2, arena);
        MemorySegment hdr = virtio_net_hdr.allocate(arena);
        iovec.iov_base(iov, hdr);
        iovec.iov_len(iov, VNET_HDR_LEN);
        UringWriter w = null;
        if (uring != null) {
            try {
                w = new UringWriter(arena, fd, options.vnetHdr());
            } catch (NativeException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return new WriteScratch(Natives.allocateCapture(arena), iov, iovec.asSlice(iov, 1), hdr, w);
    }

    /** Resolves {@link TunIo}: {@code AUTO} falls back to poll (the reason logged once), {@code URING} fails. */
    private static boolean useUring(TunIo how) {
        return switch (how) {
            case POLL -> false;
            case AUTO -> UringSupport.useForAuto();
            case URING -> {
                if (!UringSupport.isAvailable()) {
                    throw new IllegalStateException("io: uring was asked for, but "
                            + UringSupport.unavailabilityCause().orElse("")
                            + " (io: auto falls back to poll)");
                }
                yield true;
            }
        };
    }

    /** True when this device reads and writes through io_uring. */
    public boolean usesUring() { return uring != null; }

    private void initPoll(MemorySegment set, short tunEvents) {
        MemorySegment tun = pollfd.asSlice(set, 0);
        pollfd.fd(tun, fd);
        pollfd.events(tun, tunEvents);
        MemorySegment ev = pollfd.asSlice(set, 1);
        pollfd.fd(ev, eventFd);
        pollfd.events(ev, libc_h.POLLIN());
    }

    /**
     * Opens a TUN device in the calling thread's network namespace.
     *
     * @throws NativeException naming the failed call, e.g.
     *         {@code ioctl(TUNSETIFF, "tun0"): EPERM (Operation not permitted): needs CAP_NET_ADMIN (run as root)}
     */
    public static TunDevice open(TunOptions options) throws IOException {
        return open(options, 0);
    }

    /**
     * {@link #open(TunOptions)} for a caller that sets the MTU next ({@link LinuxInterface}): {@code mtu} > 0 is taken
     * as the device's, without asking the kernel (a throw-away socket and its close, at every start).
     */
    static TunDevice open(TunOptions options, int mtu) throws IOException {
        Natives.requireNativeAccess();
        Arena arena = Arena.ofShared();
        try {
            return open(arena, options, -1, mtu);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static TunDevice open(Arena arena, TunOptions options, int inheritedNetnsFd, int mtu) throws IOException {
        MemorySegment errno = Natives.allocateCapture(arena);
        // non-blocking from the start (no fcntl: one downcall shape fewer to link at start)
        int fd = libc_h.open(errno, arena.allocateFrom(DEV_NET_TUN),
                libc_h.O_RDWR() | libc_h.O_CLOEXEC() | libc_h.O_NONBLOCK(), 0);
        if (fd < 0) throw NativeException.syscall("open", null, DEV_NET_TUN, Natives.errno(errno));
        closeWith(arena, fd);

        int flags = if_tun_h.IFF_TUN() | if_tun_h.IFF_NO_PI();
        if (options.vnetHdr()) flags |= if_tun_h.IFF_VNET_HDR();
        if (options.multiQueue()) flags |= if_tun_h.IFF_MULTI_QUEUE();
        MemorySegment ifr = ifreq.allocate(arena);
        String requested = options.name() == null ? "tun%d" : options.name();
        ifreq.ifr_name(ifr).setString(0, requested, StandardCharsets.UTF_8);
        ifreq.ifr_ifru.ifru_flags(ifreq.ifr_ifru(ifr), (short) flags);
        if (libc_h.ioctl(errno, fd, if_tun_h.TUNSETIFF(), ifr) < 0) {
            throw NativeException.syscall("ioctl", "TUNSETIFF", requested, Natives.errno(errno));
        }
        String name = ifreq.ifr_name(ifr).getString(0, StandardCharsets.UTF_8);

        if (options.vnetHdr()) {
            MemorySegment size = arena.allocateFrom(ValueLayout.JAVA_INT, VNET_HDR_LEN);
            if (libc_h.ioctl(errno, fd, if_tun_h.TUNSETVNETHDRSZ(), size) < 0) {
                throw NativeException.syscall("ioctl", "TUNSETVNETHDRSZ", name, Natives.errno(errno));
            }
            int base = if_tun_h.TUN_F_CSUM() | if_tun_h.TUN_F_TSO4() | if_tun_h.TUN_F_TSO6();
            int withUso = base | if_tun_h.TUN_F_USO4() | if_tun_h.TUN_F_USO6();
            if (libc_h.ioctl(errno, fd, if_tun_h.TUNSETOFFLOAD(), withUso) < 0) {
                int e = Natives.errno(errno);
                // kernels before 6.2 know no USO and say EINVAL: keep TCP offloads only
                if (e != libc_h.EINVAL() || libc_h.ioctl(errno, fd, if_tun_h.TUNSETOFFLOAD(), base) < 0) {
                    throw NativeException.syscall("ioctl", "TUNSETOFFLOAD", name, Natives.errno(errno));
                }
            }
        }

        int efd = libc_h.eventfd(errno, 0, libc_h.EFD_CLOEXEC() | libc_h.EFD_NONBLOCK());
        if (efd < 0) throw NativeException.syscall("eventfd", null, name, Natives.errno(errno));
        closeWith(arena, efd);

        int nsFd = inheritedNetnsFd;
        if (options.multiQueue() && nsFd < 0) {
            // remember the namespace so openQueue() can attach more queues from any thread
            nsFd = libc_h.open(errno, arena.allocateFrom("/proc/thread-self/ns/net"),
                    libc_h.O_RDONLY() | libc_h.O_CLOEXEC(), 0);
            if (nsFd < 0) throw NativeException.syscall("open", null, "/proc/thread-self/ns/net", Natives.errno(errno));
            closeWith(arena, nsFd);
        }
        return new TunDevice(arena, fd, efd, nsFd, name, options, mtu > 0 ? mtu : queryMtu(arena, errno, name));
    }

    /** SIOCGIFMTU through a throw-away UDP socket in the calling thread's namespace. */
    private static int queryMtu(Arena arena, MemorySegment errno, String name) throws NativeException {
        int s = libc_h.socket(errno, libc_h.AF_INET(), libc_h.SOCK_DGRAM() | libc_h.SOCK_CLOEXEC(), 0);
        if (s < 0) throw NativeException.syscall("socket", "AF_INET", name, Natives.errno(errno));
        try {
            MemorySegment ifr = ifreq.allocate(arena);
            ifreq.ifr_name(ifr).setString(0, name, StandardCharsets.UTF_8);
            if (libc_h.ioctl(errno, s, if_tun_h.SIOCGIFMTU(), ifr) < 0) {
                throw NativeException.syscall("ioctl", "SIOCGIFMTU", name, Natives.errno(errno));
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

    /**
     * Opens one more queue of this multi-queue device (same name, same options), in the device's network
     * namespace whichever thread calls. Each queue is its own {@link TunDevice} with its own fd; the kernel spreads
     * outgoing flows over the queues. The interface stays until every queue is closed.
     */
    public TunDevice openQueue() throws IOException {
        if (!options.multiQueue()) throw new IllegalStateException(name + " was not opened with multiQueue");
        if (!acquire()) throw new ClosedChannelException();
        try {
            TunOptions named = new TunOptions(name, options.vnetHdr(), true, options.io());
            return NetworkNamespace.callIn(netnsFd, "of " + name, () -> {
                Arena a = Arena.ofShared();
                try {
                    return open(a, named, -1, mtu);
                } catch (IOException | RuntimeException | Error e) {
                    a.close();
                    throw e;
                }
            });
        } finally {
            release();
        }
    }

    /** The kernel's name for the interface ({@code tun0}). */
    public String name() { return name; }

    public TunOptions options() { return options; }

    @Override
    public int mtu() { return mtu; }

    /** Records the MTU after it was changed through netlink (the device's own view for {@link #write}). */
    void mtu(int mtu) { this.mtu = mtu; }

    @Override
    public boolean acceptsGso() { return options.vnetHdr(); }

    @Override
    public String describe() { return name; }

    @Override
    public DeviceStats stats() {
        return new DeviceStats(rxPackets, rxBytes, txPackets.sum(), txBytes.sum(), drops.sum());
    }

    /**
     * Packets {@link #write} dropped (and counted in {@link DeviceStats#drops()} too) because their offload
     * metadata failed {@link OffloadCheck}: the kernel never saw them.
     */
    public long offloadDrops() {
        long n = 0;
        for (int r = 0; r < OffloadCheck.REASONS; r++) n += offloadDrops.get(r);
        return n;
    }

    /** {@link #offloadDrops()} for one {@link OffloadCheck} reason code. */
    public long offloadDrops(int reason) { return offloadDrops.get(reason); }

    // ---------------------------------------------------------------------------------------------- read

    @Override
    public int read(PacketBatch batch) throws IOException {
        if (!acquire()) return -1;
        try {
            synchronized (readLock) {
                if (batch.isFull()) return 0;
                if (uring != null) return readUring(batch);
                while (true) {
                    int n = options.vnetHdr() ? drainVnet(batch) : drainPlain(batch);
                    if (n > 0) return n;
                    int ready = awaitReadable();
                    if (ready <= 0) return ready;
                }
            }
        } finally {
            release();
        }
    }

    private int readUring(PacketBatch batch) throws IOException {
        UringReader u = uring;
        long bytesBefore = u.bytes;
        long droppedBefore = u.dropped;
        int n = u.read(batch);
        if (u.dropped != droppedBefore) drops.add(u.dropped - droppedBefore);
        if (n > 0) {
            rxPackets += n;
            rxBytes += u.bytes - bytesBefore;
            return n;
        }
        return (state.get() & CLOSED) != 0 ? -1 : 0;
    }

    /** Makes a reader blocked in {@link #read} return 0 (it polls the eventfd that close also signals). */
    @Override
    public void wakeup() {
        if (!acquire()) return;
        try {
            signalEventFd();
        } finally {
            release();
        }
    }

    private void signalEventFd() {
        try (Arena a = Arena.ofConfined()) {
            libc_h.write(Natives.allocateCapture(a), eventFd, a.allocateFrom(ValueLayout.JAVA_LONG, 1L), 8);
        }
    }

    /*
     * Each errno-capturing downcall slices its capture segment (SharedUtils.checkCaptureSegment): a 40-byte
     * NativeMemorySegmentImpl per syscall that costs nothing only when C2 inlines the whole chain down to its
     * constructor and scalar-replaces it. That chain is about a dozen frames below the libc_h wrapper, close to
     * MaxInlineLevel (15) counted from whatever method is the compile root, so every Java frame between read()/
     * write() and the downcall eats into the margin. Hence: one loop per mode, called straight from read()/write(),
     * no per-packet helper in between; separate loops also keep each mode's profile clean when a process drives
     * both plain and vnet_hdr devices.
     */

    /** Non-blocking reads until EAGAIN or the batch is full; returns the packets appended. */
    private int drainPlain(PacketBatch batch) throws IOException {
        int start = batch.size();
        int cap = batch.capacity();
        long bytes = 0;
        int dropped = 0;
        int i = start;
        while (i < cap) {
            MemorySegment buf = batch.buffer(i);
            long n = libc_h.read(rErrno, fd, buf, buf.byteSize());
            if (n < 0) {
                int e = Natives.errno(rErrno);
                if (e == libc_h.EAGAIN()) break;
                if (readFailed("read", e)) dropped++;
                continue;
            }
            batch.length(i, (int) n);
            bytes += n;
            i++;
        }
        return drained(batch, start, i, bytes, dropped);
    }

    /** {@link #drainPlain} with a virtio_net_hdr read before each packet. */
    private int drainVnet(PacketBatch batch) throws IOException {
        MemorySegment hdr = rHdr;
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
                if (readFailed("readv", e)) dropped++;
                continue;
            }
            int len = (int) n - VNET_HDR_LEN;
            if (len < 0) {
                dropped++;
                continue;
            }
            batch.length(i, len);
            batch.setOffload(i,
                    virtio_net_hdr.flags(hdr) & 0xff,
                    virtio_net_hdr.gso_type(hdr) & 0xff,
                    virtio_net_hdr.hdr_len(hdr) & 0xffff,
                    virtio_net_hdr.gso_size(hdr) & 0xffff,
                    virtio_net_hdr.csum_start(hdr) & 0xffff,
                    virtio_net_hdr.csum_offset(hdr) & 0xffff);
            bytes += len;
            i++;
        }
        return drained(batch, start, i, bytes, dropped);
    }

    /** A failed read other than EAGAIN: true when the packet was lost (counted as a drop), false to retry. */
    private boolean readFailed(String call, int e) throws NativeException {
        if (e == libc_h.EINTR()) return false;
        // the packet did not fit the slot: the kernel has dropped it
        if (e == libc_h.EFAULT()) return true;
        throw NativeException.syscall(call, null, name, e);
    }

    private int drained(PacketBatch batch, int start, int end, long bytes, int dropped) {
        int got = end - start;
        if (got > 0) {
            batch.size(end);
            rxPackets += got;
            rxBytes += bytes;
        }
        if (dropped > 0) drops.add(dropped);
        return got;
    }

    /** Blocks until the TUN fd is readable (1), a {@link #wakeup()} came (0) or the device was closed (-1). */
    private int awaitReadable() throws IOException {
        MemorySegment tun = rPollTun;
        MemorySegment ev = rPollEvent;
        while (true) {
            pollfd.revents(tun, (short) 0);
            pollfd.revents(ev, (short) 0);
            int r = libc_h.poll(rErrno, rPoll, 2, -1);
            if (r < 0) {
                int e = Natives.errno(rErrno);
                if (e == libc_h.EINTR()) continue;
                throw NativeException.syscall("poll", null, name, e);
            }
            if ((state.get() & CLOSED) != 0) return -1;
            if (pollfd.revents(ev) != 0) {
                // a wakeup: reset the eventfd (a close racing this leaves CLOSED set for the next call to see)
                libc_h.read(rErrno, eventFd, rEventCount, 8);
                return 0;
            }
            short re = pollfd.revents(tun);
            if ((re & libc_h.POLLIN()) != 0) return 1;
            if ((re & (libc_h.POLLERR() | libc_h.POLLHUP() | libc_h.POLLNVAL())) != 0) {
                // a detached queue or a deleted interface: nothing will ever arrive again
                return -1;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- direct reads

    /**
     * A reader for an event loop: its {@link DirectReader#fd() fd} is a duplicate of the TUN's (made close-on-exec),
     * for that loop's epoll set; reads go through the device's own descriptor, so they end (-1) once it closes. The
     * duplicate keeps the interface alive until the reader closes too. Its scratch (iovec, errno) is its own.
     */
    @Override
    public DirectReader openDirectReader() throws IOException {
        if (uring != null) {
            // its multishot read takes every packet as it arrives: a second reader would get an arbitrary share
            throw new IOException(name + " reads through io_uring: no direct reader (the bridge pumps it)");
        }
        if (options.multiQueue()) {
            throw new IOException(name + " is a multi-queue TUN: each queue has its own reader, no direct reader");
        }
        if (!acquire()) throw new ClosedChannelException();
        try {
            Arena scratch = Arena.ofShared();
            MemorySegment errno = Natives.allocateCapture(scratch);
            int dup = libc_h.fcntl(errno, fd, libc_h.F_DUPFD_CLOEXEC(), 0);
            if (dup < 0) {
                int e = Natives.errno(errno);
                scratch.close();
                throw NativeException.syscall("fcntl", "F_DUPFD_CLOEXEC", name, e);
            }
            return new Direct(scratch, errno, dup);
        } finally {
            release();
        }
    }

    /** See {@link #openDirectReader}. */
    private final class Direct implements DirectReader {
        private final Arena scratch;
        private final MemorySegment errno;
        private final MemorySegment iov;
        private final int dup;
        private boolean open = true;

        Direct(Arena scratch, MemorySegment errno, int dup) {
            this.scratch = scratch;
            this.errno = errno;
            this.iov = iovec.allocateArray(2, scratch);
            this.dup = dup;
        }

        @Override
        public int fd() { return dup; }

        @Override
        public int headerLength() { return options.vnetHdr() ? VNET_HDR_LEN : 0; }

        @Override
        public int read(long header, long packet, int capacity) throws IOException {
            if (!open || !acquire()) return -1;
            try {
                boolean vnet = options.vnetHdr();
                // raw addresses into the iovec: no segment object per packet on the hot path
                MemorySegment v = iov;
                int first = 0;
                if (vnet) {
                    v.set(ValueLayout.JAVA_LONG, iovec.iov_base$offset(), header);
                    v.set(ValueLayout.JAVA_LONG, iovec.iov_len$offset(), VNET_HDR_LEN);
                    first = (int) iovec.sizeof();
                }
                v.set(ValueLayout.JAVA_LONG, first + iovec.iov_base$offset(), packet);
                v.set(ValueLayout.JAVA_LONG, first + iovec.iov_len$offset(), capacity);
                int hdr = vnet ? VNET_HDR_LEN : 0;
                while (true) {
                    long n = libc_h.readv(errno, fd, v, vnet ? 2 : 1);
                    if (n >= 0) {
                        int len = (int) n - hdr;
                        if (len < 0) {
                            drops.increment();
                            continue;
                        }
                        rxPackets++;
                        rxBytes += len;
                        return len;
                    }
                    int e = Natives.errno(errno);
                    if (e == libc_h.EAGAIN()) return 0;
                    if (readFailed("readv", e)) drops.increment();
                }
            } finally {
                release();
            }
        }

        @Override
        public void close() {
            if (!open) return;
            open = false;
            libc_h.close(errno, dup);
            scratch.close();
        }

        @Override
        public String toString() { return "direct reader of " + name + " (fd " + dup + ")"; }
    }

    // ---------------------------------------------------------------------------------------------- forwarding

    /**
     * Takes over a direction whose source is a TUN read through io_uring with the same header layout as this one:
     * a thread of the source's forwards every packet here through the <em>source's</em> ring ({@link
     * UringReader#forward}, this device's file registered there as a fixed file), so each round is one
     * {@code io_uring_enter} (the writes of the packets just read and the wait for the next ones) where a pump would
     * enter the source's ring and then this device's writing ring.
     * {@code -Dtunctl.uring.forward=false} declines, leaving the direction to a pump.
     */
    @Override
    public boolean drive(PollableDevice source, DrivenDirection direction) {
        if (!FORWARD || !(source instanceof TunDevice from) || from == this || from.uring == null
                || from.options.vnetHdr() != options.vnetHdr()) {
            return false;
        }
        if (!acquire()) return false;
        try {
            forwardingFrom = from;
        } finally {
            release();
        }
        Thread.ofPlatform().name("bridge " + from.name + " -> " + name).daemon()
                .start(() -> from.forwardTo(this, direction));
        return true;
    }

    /** The forwarding thread: rounds until either device closes, then reports the end. */
    private void forwardTo(TunDevice to, DrivenDirection direction) {
        Throwable failed = null;
        try {
            // half the ring's buffers a round: the other half stays with the kernel for the reads that arrive while
            // the enter that submits this round's writes runs (their buffers come back only after it)
            PacketBatch refs = PacketBatch.references(UringReader.BUFFERS / 2, MAX_PACKET);
            // one call per round, as the bridge's pump: compiled early, with no on-stack replacement to wait for
            while (forwardOnce(to, refs, direction)) {
                // next round
            }
        } catch (Throwable t) {
            failed = t;
        }
        direction.ended(failed);
    }

    /**
     * One {@link UringReader#forward} round and its counting; false once this device closed. Once either device is
     * closed the destination is let go ({@link UringReader#unfix}) while this device is still held, on this thread.
     */
    private boolean forwardOnce(TunDevice to, PacketBatch refs, DrivenDirection direction) throws IOException {
        if (!acquire()) return false;
        try {
            synchronized (readLock) {
                UringReader u = uring;
                try {
                    long bytesBefore = u.bytes;
                    long droppedBefore = u.dropped;
                    int n = u.forward(refs, to);
                    if (u.dropped != droppedBefore) drops.add(u.dropped - droppedBefore);
                    if (n > 0) {
                        long bytes = u.bytes - bytesBefore;
                        rxPackets += n;
                        rxBytes += bytes;
                        direction.moved(n, bytes);
                    }
                    if (u.fwdSent > 0) {
                        to.txPackets.add(u.fwdSent);
                        to.txBytes.add(u.fwdBytes);
                        u.fwdSent = 0;
                        u.fwdBytes = 0;
                    }
                    if (u.fwdDropped > 0) {
                        to.drops.add(u.fwdDropped);
                        u.fwdDropped = 0;
                    }
                } catch (IOException | RuntimeException e) {
                    u.unfix();
                    throw e;
                }
                boolean closed = (state.get() & CLOSED) != 0;
                if (!closed && !to.isClosed()) return true;
                u.unfix();
                if (closed) return false;
                throw new ClosedChannelException();
            }
        } finally {
            release();
        }
    }

    int fd() { return fd; }

    /** The MTU {@link #write} holds plain packets to. */
    int writeMtu() { return Math.max(mtu, 68); }

    /** {@link #write}'s filter for packet {@code i}: false (the drop counted) when it must not reach the kernel. */
    boolean admits(PacketBatch batch, int i, int mtu) {
        boolean vnet = options.vnetHdr();
        int len = batch.length(i);
        if (len == 0 || (!vnet && batch.hasOffload(i)) || (batch.gsoType(i) == Offload.GSO_NONE && len > mtu)) {
            drops.increment();
            return false;
        }
        int bad = vnet ? OffloadCheck.check(batch, i, mtu) : OffloadCheck.OK;
        if (bad != OffloadCheck.OK) {
            offloadDrops.incrementAndGet(bad);
            drops.increment();
            return false;
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------- write

    /**
     * Writes every packet of the batch; safe from any number of threads at once (no lock: each thread writes with
     * its own scratch memory). Never blocks: a packet the kernel refuses (malformed, interface down) or cannot take
     * now ({@code EAGAIN}) is dropped and counted.
     */
    @Override
    public void write(PacketBatch batch) throws IOException {
        if (!acquire()) throw new ClosedChannelException();
        try {
            WriteScratch w = writeScratch.get();
            if (w.uring() != null) {
                writeUring(w.uring(), batch);
                return;
            }
            boolean vnet = options.vnetHdr();
            int mtu = this.mtu;
            int sent = 0;
            long bytes = 0;
            int dropped = 0;
            for (int i = 0, n = batch.size(); i < n; i++) {
                int len = batch.length(i);
                boolean offload = batch.hasOffload(i);
                // without offload a packet above the MTU, or a GSO packet for a plain TUN, cannot go in as is
                if (len == 0 || (!vnet && offload) || (batch.gsoType(i) == Offload.GSO_NONE && len > Math.max(mtu, 68))) {
                    dropped++;
                    continue;
                }
                // the metadata may come from a peer: the kernel must never act on a header that lies
                int bad = vnet ? OffloadCheck.check(batch, i, Math.max(mtu, 68)) : OffloadCheck.OK;
                if (bad != OffloadCheck.OK) {
                    offloadDrops.incrementAndGet(bad);
                    dropped++;
                    continue;
                }
                if (vnet ? writeVnet(w, batch, i, len) : writePlain(w, plain(batch, i), len)) {
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
            release();
        }
    }

    /** {@link #write} through this thread's ring: every packet queued, one submission per 64. */
    private void writeUring(UringWriter u, PacketBatch batch) throws IOException {
        boolean vnet = options.vnetHdr();
        int mtu = Math.max(this.mtu, 68);
        int dropped = 0;
        for (int i = 0, n = batch.size(); i < n; i++) {
            int len = batch.length(i);
            if (len == 0 || (!vnet && batch.hasOffload(i)) || (batch.gsoType(i) == Offload.GSO_NONE && len > mtu)) {
                dropped++;
                continue;
            }
            int bad = vnet ? OffloadCheck.check(batch, i, mtu) : OffloadCheck.OK;
            if (bad != OffloadCheck.OK) {
                offloadDrops.incrementAndGet(bad);
                dropped++;
                continue;
            }
            u.add(batch, i, len);
        }
        u.flush();
        if (u.sent > 0) {
            txPackets.add(u.sent);
            txBytes.add(u.bytes);
        }
        dropped += u.dropped;
        u.sent = 0;
        u.bytes = 0;
        u.dropped = 0;
        if (dropped > 0) drops.add(dropped);
    }

    /** Packet {@code i} for a plain write: its slot, or the memory it refers to (a batch of references has no slots). */
    private static MemorySegment plain(PacketBatch batch, int i) {
        return batch.offset(i) == 0 ? batch.buffer(i) : MemorySegment.ofAddress(batch.address(i)).reinterpret(batch.length(i));
    }

    /** Writes one packet; false when the kernel refused it or had no room (counted as a drop). */
    private boolean writePlain(WriteScratch w, MemorySegment buf, int len) throws IOException {
        while (true) {
            long n = libc_h.write(w.errno(), fd, buf, len);
            if (n >= 0) return true;
            if (writeFailed("write", Natives.errno(w.errno()))) return false;
        }
    }

    /** {@link #writePlain} of packet {@code i} behind its virtio_net_hdr. */
    private boolean writeVnet(WriteScratch w, PacketBatch batch, int i, int len) throws IOException {
        MemorySegment hdr = w.hdr();
        virtio_net_hdr.flags(hdr, (byte) batch.flags(i));
        virtio_net_hdr.gso_type(hdr, (byte) batch.gsoType(i));
        virtio_net_hdr.hdr_len(hdr, (short) batch.hdrLen(i));
        virtio_net_hdr.gso_size(hdr, (short) batch.gsoSize(i));
        virtio_net_hdr.csum_start(hdr, (short) batch.csumStart(i));
        virtio_net_hdr.csum_offset(hdr, (short) batch.csumOffset(i));
        MemorySegment data = w.iovData();
        // by address: a packet the batch only refers to (a transport's receive buffer) goes in without a copy
        data.set(ValueLayout.JAVA_LONG, iovec.iov_base$offset(), batch.address(i));
        iovec.iov_len(data, len);
        while (true) {
            long n = libc_h.writev(w.errno(), fd, w.iov(), 2);
            if (n >= 0) return true;
            if (writeFailed("writev", Natives.errno(w.errno()))) return false;
        }
    }

    /** A failed write: true when the packet is lost (counted as a drop), false to retry (EINTR). */
    private boolean writeFailed(String call, int e) throws NativeException {
        if (e == libc_h.EINTR()) return false;
        // EINVAL: not IPv4/IPv6 or a bad virtio header; EIO: interface is down; EAGAIN: no room now.
        // A NIC drops those too, and a writer on an event loop must never wait here.
        if (e == libc_h.EINVAL() || e == libc_h.EIO() || e == libc_h.EAGAIN()) return true;
        throw NativeException.syscall(call, null, name, e);
    }

    // ---------------------------------------------------------------------------------------------- close

    /*
     * Counting in is one atomic add, not a compare-and-set loop: a reader and a writer of the same device on two
     * threads meet here every batch, and a lost CAS, rare enough that C2 compiled it as an uncommon trap,
     * deoptimized read() and write() for a second of interpreted and profiled code each time it happened.
     */
    boolean acquire() {
        if ((state.getAndIncrement() & CLOSED) == 0) return true;
        release();
        return false;
    }

    void release() {
        if (state.decrementAndGet() == CLOSED && state.compareAndSet(CLOSED, CLOSED | FREED)) {
            if (uring != null) uring.release();
            arena.close();
        }
    }

    /** True once {@link #close} was called. */
    public boolean isClosed() { return (state.get() & CLOSED) != 0; }

    /**
     * Wakes a blocked reader, waits (up to 2 s) for calls in flight to return, then closes the descriptors.
     * Idempotent; callable from any thread. A call still in flight after the wait closes them when it leaves.
     */
    @Override
    public void close() {
        int prev;
        do {
            prev = state.get();
            if ((prev & CLOSED) != 0) return;
        } while (!state.compareAndSet(prev, (prev | CLOSED) + 1)); // close itself counts as a user meanwhile
        signalEventFd();
        TunDevice from = forwardingFrom;
        if (from != null) from.wakeup(); // its forwarding thread writes here: it sees this closed and ends
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while ((state.get() & USERS) > 1 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        release();
    }

    @Override
    public String toString() {
        return "TunDevice[" + name + (options.vnetHdr() ? ", vnet_hdr" : "") + (options.multiQueue() ? ", mq" : "") + (uring != null ? ", io_uring (" + uring.rearmedOnEagain + " EAGAIN re-arms)" : "")
                + (isClosed() ? ", closed" : "") + "]";
    }
}
