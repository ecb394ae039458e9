/**
 * The socks transport (tun2socks). API: {@link io.tunctl.transport.socks.SocksTransportProvider} and the config it
 * binds, {@link io.tunctl.transport.socks.config.SocksConfig}. The engine, the dispatcher and the proxy dialers are
 * not exported.
 */
package io.tunctl.transport.socks;
