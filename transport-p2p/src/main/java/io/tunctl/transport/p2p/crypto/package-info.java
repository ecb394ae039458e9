/**
 * Key material and primitives as libsodium computes them for HyperDHT: Ed25519 key pairs from 32-byte seeds
 * ({@code crypto_sign_seed_keypair}), signatures, the Ed25519 Diffie-Hellman of {@code noise-curve-ed}
 * ({@code crypto_scalarmult_ed25519_noclamp}), BLAKE2b ({@code crypto_generichash}) and namespaces, HChaCha20,
 * XSalsa20-Poly1305 secretbox, and the hex / z-base-32 text forms of public keys. Built on BouncyCastle; the parts it
 * lacks (variable-base Edwards scalar multiplication, HChaCha20) are written here on its public field arithmetic and
 * ChaCha core.
 */
package io.tunctl.transport.p2p.crypto;
