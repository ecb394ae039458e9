/** See module-info. */
package io.tunctl.core.bridge;
