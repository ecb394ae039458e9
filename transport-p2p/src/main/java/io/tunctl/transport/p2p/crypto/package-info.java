/**
 * Key material and primitives as libsodium computes them for HyperDHT: Ed25519 key pairs from 32-byte seeds
 * ({@code crypto_sign_seed_keypair}), signatures, the Ed25519 Diffie-Hellman of {@code noise-curve-ed}
 * ({@code crypto_scalarmult_ed25519_noclamp}), BLAKE2b ({@code crypto_generichash}) and namespaces, HChaCha20,
 * XSalsa20-Poly1305 secretbox, and the hex / z-base-32 text forms of public keys. Built on BouncyCastle; the parts it
 * lacks (variable-base Edwards scalar multiplication, HChaCha20) are written here on its public field arithmetic and
 * ChaCha core.
 *
 * <p>The one package the p2p module exports: embedders use {@link io.tunctl.transport.p2p.crypto.Ed25519KeyPair}
 * and {@link io.tunctl.transport.p2p.crypto.KeyEncoding} for peer identities and key text. The primitives beside
 * them serve the transport's own protocol layers.
 */
package io.tunctl.transport.p2p.crypto;
