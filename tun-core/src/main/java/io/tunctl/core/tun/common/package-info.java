/** Helpers the per-OS TUN devices share (not exported). */
package io.tunctl.core.tun.common;
