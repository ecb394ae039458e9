/** See module-info. */
package io.tunctl.core.netlink;
