/**
 * @hyperswarm/secret-stream as hyperdht uses it after a Noise handshake: libsodium's
 * {@code crypto_secretstream_xchacha20poly1305} ({@link io.tunctl.transport.p2p.secretstream.SecretStreamCipher}),
 * the uint24-LE framed byte stream with its 56-byte id+header first frame and keep-alives
 * ({@link io.tunctl.transport.p2p.secretstream.SecretStream}), and the unordered secretbox datagrams
 * ({@link io.tunctl.transport.p2p.secretstream.SecretStreamDatagrams}). I/O-free codecs.
 */
package io.tunctl.transport.p2p.secretstream;
