package io.tunctl.transport.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.tunctl.transport.http.wire.ChunkedBody;
import io.tunctl.transport.http.wire.Frames;
import io.tunctl.transport.http.wire.Wire;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The v1 keep-alive ({@code 00 00}) every {@link Wire#KEEPALIVE_SECONDS} on a stream body, as its own chunk.
 * tapotun sends one only when a stream was idle; sending it on a timer whatever the traffic is harmless (a
 * keep-alive may stand between any two frames) and spares the data path a write-completion listener per write,
 * which is what watching for writer idleness costs.
 */
public final class KeepAlive {
    private KeepAlive() {}

    /** Starts the timer on the channel's event loop; it stops when the channel closes. */
    public static void start(Channel ch, BooleanSupplier wanted) {
        var task = ch.eventLoop().scheduleAtFixedRate(() -> {
            if (!ch.isActive() || !wanted.getAsBoolean()) return;
            ByteBuf ka = ChunkedBody.start(ch.alloc(), Wire.LENGTH_SIZE);
            Frames.encodeKeepAlive(ka);
            ch.writeAndFlush(ChunkedBody.finish(ka), ch.voidPromise());
        }, Wire.KEEPALIVE_SECONDS, Wire.KEEPALIVE_SECONDS, TimeUnit.SECONDS);
        ch.closeFuture().addListener(f -> task.cancel(false));
    }
}
