package io.tunctl.core.tun;

/** {@link TunDeviceContractIT} with IFF_VNET_HDR TUNs: every packet crosses the device behind a virtio-net header. */
class TunDeviceVnetContractIT extends TunDeviceContractIT {
    @Override
    protected boolean vnetHdr() {
        return true;
    }
}
