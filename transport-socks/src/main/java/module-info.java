/** The socks transport: tun2socks (user-space TCP/UDP stack forwarding through proxies). */
module io.tunctl.transport.socks {
    requires io.tunctl.core;
}
