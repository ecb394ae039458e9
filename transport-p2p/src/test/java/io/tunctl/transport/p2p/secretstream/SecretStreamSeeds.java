package io.tunctl.transport.p2p.secretstream;

import io.tunctl.core.testkit.SeedWriter;

import java.io.ByteArrayOutputStream;

/** Real frames for {@link SecretStreamFuzzer}'s corpus: the sender's header frame, then sealed messages. */
public final class SecretStreamSeeds {
    private SecretStreamSeeds() {}

    public static void write(SeedWriter w) {
        byte[][] seeds = new byte[4][];
        for (int k = 0; k < seeds.length; k++) {
            SecretStream s = SecretStreamFuzzer.sender();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(k * 37); // where the receiver's reads are cut
            out.writeBytes(s.headerFrame());
            for (int i = 0; i < k + 1; i++) out.writeBytes(s.seal(("message " + i).repeat(1 + 20 * i).getBytes()));
            if (k == 1) out.writeBytes(s.keepAliveFrame());
            if (k == 3) {
                s.end();
            }
            seeds[k] = out.toByteArray();
        }
        w.write(SecretStreamFuzzer.class, seeds);
    }
}
