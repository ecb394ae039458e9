/** The socks transport. */
package io.tunctl.transport.socks;
