/** The http transport. */
package io.tunctl.transport.http;
