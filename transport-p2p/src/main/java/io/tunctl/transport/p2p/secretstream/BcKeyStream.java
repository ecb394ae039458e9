package io.tunctl.transport.p2p.secretstream;

import org.bouncycastle.crypto.engines.ChaCha7539Engine;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

final class BcKeyStream implements KeyStream {
    private final ChaCha7539Engine engine = new ChaCha7539Engine();

    @Override
    public void init(byte[] key, byte[] nonce12) {
        engine.init(true, new ParametersWithIV(new KeyParameter(key), nonce12));
    }

    @Override
    public void xor(byte[] in, int inOff, int len, byte[] out, int outOff) {
        engine.processBytes(in, inOff, len, out, outOff);
    }
}
