package io.tunctl.core.tun.windows;

import io.tunctl.core.natives.windows.NET_LUID;
import io.tunctl.core.natives.windows.Natives;
import io.tunctl.core.natives.windows.kernel32_h;
import io.tunctl.core.natives.windows.winerror_h;
import io.tunctl.core.natives.windows.wintun_h;
import io.tunctl.core.spi.DeviceStats;
import io.tunctl.core.spi.PacketBatch;
import io.tunctl.core.spi.PacketDevice;
import io.tunctl.core.tun.common.CallGate;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Wintun adapter as a {@link PacketDevice}: one Wintun session, whose shared-memory rings carry plain IP packets
 * (no header). {@link #read} takes packets from the receive ring ({@code WintunReceivePacket}, copied into the
 * batch's slots and released at once) until it is empty, and when nothing came waits with
 * {@code WaitForMultipleObjects} on the session's read-wait event and an event of ours that {@link #wakeup()} and
 * {@link #close} set. {@link #write} allocates each packet in the send ring, copies it in and sends it; a full
 * ring drops (and counts) the packet rather than wait, as a NIC would.
 *
 * <p>Closing ends the session and closes the adapter, which removes an adapter this process created, with its
 * addresses and routes. Handles are released by {@link CallGate} once no call is in flight.
 */
public final class WintunDevice implements PacketDevice {
    /** Ring capacity: 4 MiB, a power of two between Wintun's minimum (128 KiB) and maximum (64 MiB). */
    static final int RING_CAPACITY = 0x400000;
    /** Tunnel type shown for adapters tunctl creates. */
    static final String TUNNEL_TYPE = "tunctl";

    private final Arena arena;
    private final MemorySegment adapter;
    private final MemorySegment session;
    private final MemorySegment wakeEvent;
    private final String name;
    private final long luid;
    private volatile int mtu;
    private final CallGate gate;

    private final Object readLock = new Object();
    private final MemorySegment rCapture;
    private final MemorySegment rSize;
    private final MemorySegment rHandles;

    private final ThreadLocal<MemorySegment> writeCapture;

    private volatile long rxPackets;
    private volatile long rxBytes;
    private final LongAdder txPackets = new LongAdder();
    private final LongAdder txBytes = new LongAdder();
    private final LongAdder drops = new LongAdder();

    private WintunDevice(Arena arena, MemorySegment adapter, MemorySegment session, MemorySegment wakeEvent,
                         String name, long luid, int mtu) {
        this.arena = arena;
        this.adapter = adapter;
        this.session = session;
        this.wakeEvent = wakeEvent;
        this.name = name;
        this.luid = luid;
        this.mtu = mtu;
        this.gate = new CallGate(arena::close);
        this.rCapture = Natives.allocateCapture(arena);
        this.rSize = arena.allocate(ValueLayout.JAVA_INT);
        this.rHandles = arena.allocate(ValueLayout.ADDRESS, 2);
        rHandles.setAtIndex(ValueLayout.ADDRESS, 0, wintun_h.WintunGetReadWaitEvent(session));
        rHandles.setAtIndex(ValueLayout.ADDRESS, 1, wakeEvent);
        this.writeCapture = ThreadLocal.withInitial(() -> Natives.allocateCapture(arena));
    }

    /**
     * Creates a Wintun adapter named {@code name} (or opens the existing one when {@code create} is false) and
     * starts a session on it. Loads {@code wintun.dll} first ({@link WintunLibrary}).
     */
    public static WintunDevice open(String name, boolean create, int mtu) throws IOException {
        WintunLibrary.load();
        Natives.requireNativeAccess();
        Arena arena = Arena.ofShared();
        try {
            MemorySegment cap = Natives.allocateCapture(arena);
            MemorySegment wname = utf16z(arena, name);
            MemorySegment adapter = create
                    ? wintun_h.WintunCreateAdapter(cap, wname, utf16z(arena, TUNNEL_TYPE), MemorySegment.NULL)
                    : wintun_h.WintunOpenAdapter(cap, wname);
            String call = create ? "WintunCreateAdapter" : "WintunOpenAdapter";
            if (adapter.equals(MemorySegment.NULL)) throw WindowsErrors.of(call, name, Natives.lastError(cap));
            // released last (registered first): closing the adapter after the session has ended
            MemorySegment.NULL.reinterpret(arena, ignored -> wintun_h.WintunCloseAdapter(adapter));

            MemorySegment luidSeg = NET_LUID.allocate(arena);
            wintun_h.WintunGetAdapterLUID(adapter, luidSeg);

            MemorySegment session = wintun_h.WintunStartSession(cap, adapter, RING_CAPACITY);
            if (session.equals(MemorySegment.NULL)) throw WindowsErrors.of("WintunStartSession", name, Natives.lastError(cap));
            MemorySegment.NULL.reinterpret(arena, ignored -> wintun_h.WintunEndSession(session));

            MemorySegment wake = kernel32_h.CreateEventW(cap, MemorySegment.NULL, 0, 0, MemorySegment.NULL);
            if (wake.equals(MemorySegment.NULL)) throw WindowsErrors.of("CreateEventW", name, Natives.lastError(cap));
            MemorySegment.NULL.reinterpret(arena, ignored -> {
                try (Arena a = Arena.ofConfined()) {
                    kernel32_h.CloseHandle(Natives.allocateCapture(a), wake);
                }
            });
            return new WintunDevice(arena, adapter, session, wake, name, NET_LUID.Value(luidSeg), mtu);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** A NUL-terminated UTF-16LE copy of {@code s} (an {@code LPCWSTR}). */
    static MemorySegment utf16z(Arena arena, String s) {
        byte[] b = (s + "\0").getBytes(StandardCharsets.UTF_16LE);
        MemorySegment m = arena.allocate(b.length, 2);
        MemorySegment.copy(b, 0, m, ValueLayout.JAVA_BYTE, 0, b.length);
        return m;
    }

    public String name() { return name; }

    /** The adapter's locally unique id, the key IP Helper configures it by. */
    public long luid() { return luid; }

    @Override
    public int mtu() { return mtu; }

    void mtu(int mtu) { this.mtu = mtu; }

    @Override
    public String describe() { return name; }

    @Override
    public DeviceStats stats() {
        return new DeviceStats(rxPackets, rxBytes, txPackets.sum(), txBytes.sum(), drops.sum());
    }

    // ---------------------------------------------------------------------------------------------- read

    @Override
    public int read(PacketBatch batch) throws IOException {
        if (!gate.enter()) return -1;
        try {
            synchronized (readLock) {
                if (batch.isFull()) return 0;
                while (true) {
                    int n = drain(batch);
                    if (n != 0) return n;
                    int w = kernel32_h.WaitForMultipleObjects(rCapture, 2, rHandles, 0, kernel32_h.INFINITE());
                    if (w == kernel32_h.WAIT_OBJECT_0()) continue;
                    if (w == kernel32_h.WAIT_OBJECT_0() + 1) return gate.isClosed() ? -1 : 0;
                    throw WindowsErrors.of("WaitForMultipleObjects", name, Natives.lastError(rCapture));
                }
            }
        } finally {
            gate.leave();
        }
    }

    /** Takes packets from the receive ring until it is empty or the batch full; -1 when the adapter is going away. */
    private int drain(PacketBatch batch) throws IOException {
        int start = batch.size();
        int cap = batch.capacity();
        long bytes = 0;
        int dropped = 0;
        int i = start;
        while (i < cap) {
            MemorySegment p = wintun_h.WintunReceivePacket(rCapture, session, rSize);
            if (p.equals(MemorySegment.NULL)) {
                int e = Natives.lastError(rCapture);
                if (e == winerror_h.ERROR_NO_MORE_ITEMS()) break;
                if (e == winerror_h.ERROR_HANDLE_EOF()) {
                    if (i == start) return -1;
                    break;
                }
                throw WindowsErrors.of("WintunReceivePacket", name, e);
            }
            int len = rSize.get(ValueLayout.JAVA_INT, 0);
            MemorySegment slot = batch.buffer(i);
            if (len <= 0 || len > slot.byteSize()) {
                dropped++;
            } else {
                MemorySegment.copy(p.reinterpret(len), 0, slot, 0, len);
                batch.length(i, len);
                bytes += len;
                i++;
            }
            wintun_h.WintunReleaseReceivePacket(session, p);
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
            kernel32_h.SetEvent(Natives.allocateCapture(a), wakeEvent);
        }
    }

    // ---------------------------------------------------------------------------------------------- write

    /**
     * Sends every packet; safe from many threads at once (Wintun's send ring takes concurrent allocations). Never
     * blocks: an empty, oversized, non-IP or offload-carrying packet, or one that finds the ring full, is dropped
     * and counted.
     */
    @Override
    public void write(PacketBatch batch) throws IOException {
        if (!gate.enter()) throw new ClosedChannelException();
        try {
            MemorySegment cap = writeCapture.get();
            int limit = Math.max(mtu, 68);
            int sent = 0;
            long bytes = 0;
            int dropped = 0;
            for (int i = 0, n = batch.size(); i < n; i++) {
                int len = batch.length(i);
                MemorySegment pkt = batch.offset(i) == 0 ? batch.buffer(i)
                        : MemorySegment.ofAddress(batch.address(i)).reinterpret(len);
                int version = len > 0 ? (pkt.get(ValueLayout.JAVA_BYTE, 0) >> 4) & 0xf : 0;
                if (len > limit || (version != 4 && version != 6) || batch.hasOffload(i)) {
                    dropped++;
                    continue;
                }
                MemorySegment out = wintun_h.WintunAllocateSendPacket(cap, session, len);
                if (out.equals(MemorySegment.NULL)) {
                    int e = Natives.lastError(cap);
                    if (e == winerror_h.ERROR_BUFFER_OVERFLOW()) {
                        dropped++;
                        continue;
                    }
                    if (e == winerror_h.ERROR_HANDLE_EOF()) throw new ClosedChannelException();
                    throw WindowsErrors.of("WintunAllocateSendPacket", name, e);
                }
                MemorySegment.copy(pkt, 0, out.reinterpret(len), 0, len);
                wintun_h.WintunSendPacket(session, out);
                sent++;
                bytes += len;
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

    // ---------------------------------------------------------------------------------------------- close

    public boolean isClosed() { return gate.isClosed(); }

    /** Wakes a blocked reader, waits (up to 2 s) for calls in flight, then ends the session and closes the adapter. */
    @Override
    public void close() {
        gate.close(this::signal, 2000);
    }

    @Override
    public String toString() {
        return "WintunDevice[" + name + (isClosed() ? ", closed" : "") + "]";
    }
}
