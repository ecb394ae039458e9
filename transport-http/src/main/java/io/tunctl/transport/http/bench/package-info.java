/**
 * Bench scaffolding for {@code tunctl bench} (configs, nginx and openssl steps), kept out of the transport's
 * production classes. Not exported: the bench finds {@link io.tunctl.transport.http.bench.HttpBenchRows} through
 * {@link java.util.ServiceLoader}.
 */
package io.tunctl.transport.http.bench;
