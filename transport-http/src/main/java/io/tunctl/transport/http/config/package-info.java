/**
 * The http transport's config. API: {@link io.tunctl.transport.http.config.HttpConfig} and
 * {@link io.tunctl.transport.http.config.InterfaceConfig} (tapotun's JSON objects, bound by Jackson). The compiler
 * that checks them and turns them into endpoints ({@code ConfigCompiler}, {@code V2Compiler}, {@code Endpoints},
 * {@code TapotunFile}) is public only for the module's own packages and tests.
 */
package io.tunctl.transport.http.config;
