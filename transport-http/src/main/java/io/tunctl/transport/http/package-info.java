/**
 * The http transport. API: {@link io.tunctl.transport.http.HttpTransportProvider}. {@code HttpTunnel} and
 * {@code StreamEnd} are public only for the module's server and client packages and its tests.
 */
package io.tunctl.transport.http;
