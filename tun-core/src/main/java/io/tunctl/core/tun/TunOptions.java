package io.tunctl.core.tun;

/**
 * How to open a Linux TUN device. {@code IFF_TUN | IFF_NO_PI} is always set: packets are plain IP.
 *
 * @param name       requested interface name (at most 15 bytes, may contain one {@code %d}), or null for the
 *                   kernel's {@code tun%d}
 * @param vnetHdr    open with {@code IFF_VNET_HDR} and offloads (checksum, TSO4/6, USO4/6 where the kernel has
 *                   them): reads may return GSO super-packets up to 64 KiB and writes may carry them
 * @param multiQueue open with {@code IFF_MULTI_QUEUE}; more queues come from {@link TunDevice#openQueue()}
 * @param io         how packets move in and out ({@link TunIo}); null for {@link TunIo#defaultIo()}
 */
public record TunOptions(String name, boolean vnetHdr, boolean multiQueue, TunIo io) {

    public TunOptions {
        if (name != null) validateName(name);
        if (io == null) io = TunIo.defaultIo();
    }

    /** Options with the default {@link TunIo}. */
    public TunOptions(String name, boolean vnetHdr, boolean multiQueue) {
        this(name, vnetHdr, multiQueue, null);
    }

    /** A single-queue device without offload, named {@code name} (null: kernel-chosen). */
    public static TunOptions named(String name) {
        return new TunOptions(name, false, false);
    }

    /** A single-queue device without offload whose name the kernel chooses ({@code tunN}). */
    public static TunOptions kernelChosen() {
        return new TunOptions(null, false, false);
    }

    public TunOptions withVnetHdr(boolean on) { return new TunOptions(name, on, multiQueue, io); }

    public TunOptions withMultiQueue(boolean on) { return new TunOptions(name, vnetHdr, on, io); }

    public TunOptions withIo(TunIo how) { return new TunOptions(name, vnetHdr, multiQueue, how); }

    public static Builder builder() { return new Builder(); }

    /** Checks an interface name as the kernel's {@code dev_valid_name} does, so errors come before any syscall. */
    static void validateName(String name) {
        byte[] b = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (b.length == 0) throw new IllegalArgumentException("interface name is empty");
        if (b.length > 15) {
            throw new IllegalArgumentException("interface name '" + name + "' is longer than 15 bytes (IFNAMSIZ-1)");
        }
        if (name.equals(".") || name.equals("..")) throw new IllegalArgumentException("interface name '" + name + "'");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || c < 0x20) {
                throw new IllegalArgumentException("interface name '" + name + "' contains '" + c + "'");
            }
        }
    }

    /** Builder for {@link TunOptions}. */
    public static final class Builder {
        private String name;
        private boolean vnetHdr;
        private boolean multiQueue;
        private TunIo io;

        private Builder() {}

        public Builder name(String name) { this.name = name; return this; }

        public Builder vnetHdr(boolean on) { this.vnetHdr = on; return this; }

        public Builder multiQueue(boolean on) { this.multiQueue = on; return this; }

        public Builder io(TunIo how) { this.io = how; return this; }

        public TunOptions build() { return new TunOptions(name, vnetHdr, multiQueue, io); }
    }
}
