/** See module-info. */
package io.tunctl.core.natives.linux;
