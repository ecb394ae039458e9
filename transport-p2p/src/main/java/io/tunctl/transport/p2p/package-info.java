/** The p2p transport. */
package io.tunctl.transport.p2p;
