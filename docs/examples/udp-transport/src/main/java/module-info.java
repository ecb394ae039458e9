/** Example tunctl plugin: a plain UDP point-to-point transport (no crypto). */
module io.tunctl.examples.udp {
    requires io.tunctl.core;
    
}
