/**
 * The Noise IK handshake {@code Noise_IK_Ed25519_ChaChaPoly_BLAKE2b} as hyperdht runs it (noise-handshake with
 * noise-curve-ed, prologue {@code NS.PEER_HANDSHAKE}, compact-encoded {@link io.tunctl.transport.p2p.noise.NoisePayload}
 * payloads), for both roles. Pure state machines: bytes in, bytes out, no I/O.
 */
package io.tunctl.transport.p2p.noise;
