package io.tunctl.transport.socks.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.proxy.ProxyConnectionEvent;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayList;
import java.util.List;

/**
 * Sits at the end of a dialing channel's pipeline and keeps whatever reaches it: bytes the proxy sent after its
 * success answer (the decoders hand their leftovers on when they are removed) and any event after them (FIN,
 * close, error). Once the dial is done and the pipeline stripped, it stays only if it holds something; then the
 * first {@code read()} from a handler added after it delivers the bytes and replays the events, and it removes
 * itself. Without it, those bytes would fall off the pipeline's tail.
 */
final class EarlyData extends ChannelDuplexHandler {
    static final String NAME = "tunctl-early-data";

    private CompositeByteBuf bytes;
    /** Events after the bytes, in order: user events, exceptions, and INACTIVE. */
    private final List<Object> events = new ArrayList<>(0);
    private static final Object INACTIVE = new Object();

    boolean holdsSomething() {
        return bytes != null || !events.isEmpty();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg); // nothing else can come out of a stripped pipeline
            return;
        }
        if (!buf.isReadable()) {
            buf.release();
            return;
        }
        if (bytes == null) bytes = ctx.alloc().compositeBuffer();
        bytes.addComponent(true, buf);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // swallowed: the delivery fires its own
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ProxyConnectionEvent) return; // the handshake announcing its own success: not the owner's business
        events.add(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        events.add(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        events.add(INACTIVE);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        ByteBuf held = bytes;
        List<Object> later = List.copyOf(events);
        bytes = null;
        events.clear();
        ctx.pipeline().remove(this); // from now on events go straight to the handlers after us
        if (held != null) {
            ctx.fireChannelRead(held);
            ctx.fireChannelReadComplete();
        }
        for (Object e : later) {
            if (e == INACTIVE) ctx.fireChannelInactive();
            else if (e instanceof Throwable t) ctx.fireExceptionCaught(t);
            else ctx.fireUserEventTriggered(e);
        }
        // with autoRead on, nothing else would ask for the next read: the head only re-reads after a real one
        if (ctx.channel().config().isAutoRead()) ctx.read();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (bytes != null) { // closed before anyone read
            bytes.release();
            bytes = null;
        }
        for (Object e : events) ReferenceCountUtil.release(e);
        events.clear();
    }
}
