/**
 * The boundary between the flow engines (what terminates the flows that enter the TUN) and the flow dispatcher
 * (what decides where each goes): {@link io.tunctl.transport.socks.engine.Engine},
 * {@link io.tunctl.transport.socks.engine.FlowHandler} and {@link io.tunctl.transport.socks.engine.TcpFlow}.
 */
package io.tunctl.transport.socks.engine;
