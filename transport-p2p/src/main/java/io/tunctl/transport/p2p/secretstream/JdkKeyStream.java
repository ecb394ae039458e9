package io.tunctl.transport.p2p.secretstream;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;

final class JdkKeyStream implements KeyStream {
    private final Cipher cipher;

    JdkKeyStream() {
        try {
            cipher = Cipher.getInstance("ChaCha20");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no ChaCha20 cipher", e);
        }
    }

    @Override
    public void init(byte[] key, byte[] nonce12) {
        try {
            // DECRYPT_MODE: the XOR is the same, and unlike ENCRYPT_MODE it has no key+nonce reuse check that
            // would need the previous pair kept around; uniqueness is the secretstream state's job
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new ChaCha20ParameterSpec(nonce12, 0));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20 init failed", e);
        }
    }

    @Override
    public void xor(byte[] in, int inOff, int len, byte[] out, int outOff) {
        try {
            cipher.update(in, inOff, len, out, outOff);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20 update failed", e);
        }
    }
}
