/** The http transport: tapotun-compatible IP over long-lived HTTP(S) streams. */
module io.tunctl.transport.http {
    requires io.tunctl.core;
}
