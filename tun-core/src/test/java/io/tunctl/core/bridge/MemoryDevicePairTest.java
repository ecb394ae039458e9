package io.tunctl.core.bridge;

import io.tunctl.core.testkit.PacketDeviceContract;

class MemoryDevicePairTest extends PacketDeviceContract {
    @Override
    protected Pair open() {
        MemoryDevicePair p = new MemoryDevicePair(256, 1500, false);
        return new Pair(p.a(), p.b(), p);
    }
}
