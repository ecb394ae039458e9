package io.tunctl.transport.p2p.dht.rpc;

/** XOR-metric helpers over 32-byte ids, byte 0 most significant, as dht-rpc and kademlia-routing-table compare. */
final class Xor {
    private Xor() {
    }

    /** Negative if {@code a} is closer to {@code target} than {@code b}, 0 if equal, positive if further. */
    static int compare(byte[] target, byte[] a, byte[] b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return ((target[i] ^ a[i]) & 0xff) - ((target[i] ^ b[i]) & 0xff);
            }
        }
        return 0;
    }

    /**
     * The length of the common bit prefix of {@code self} and {@code id}: the routing-table row of {@code id}. An id
     * equal to {@code self} maps to the last row, as kademlia-routing-table does.
     */
    static int row(byte[] self, byte[] id) {
        for (int i = 0; i < self.length; i++) {
            int x = (self[i] ^ id[i]) & 0xff;
            if (x != 0) {
                return i * 8 + Integer.numberOfLeadingZeros(x) - 24;
            }
        }
        return self.length * 8 - 1;
    }
}
