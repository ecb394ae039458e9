package io.tunctl.transport.socks.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.socksx.v4.Socks4CommandResponse;
import io.netty.handler.codec.socksx.v4.Socks4CommandStatus;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5CommandResponse;
import io.netty.handler.codec.socksx.v5.Socks5InitialResponse;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthResponse;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthStatus;

/**
 * Sits between the proxy codec and Netty's {@code ProxyHandler}: reads the proxy's decoded answers as they pass, so
 * that a failure is reported with its real reason and code instead of a parsed exception text; and, once the
 * handshake has succeeded, holds back the {@code read()} the proxy handler asks for after its last answer, so
 * that nothing more is read before the new owner of the channel asks.
 */
final class HandshakeWatch extends ChannelDuplexHandler {
    static final String NAME = "tunctl-handshake-watch";

    private final boolean offeredPassword;
    private DialException.Reason failure;
    private String answer;
    private int answers;
    private boolean done;

    HandshakeWatch(boolean offeredPassword) {
        this.offeredPassword = offeredPassword;
    }

    /** The reason from a failing answer, or null when every answer so far was a success. */
    DialException.Reason failure() {
        return failure;
    }

    /** The last answer, in words ("authentication failed (the proxy answered status 1)"). */
    String answer() {
        return answer;
    }

    int answers() {
        return answers;
    }

    /** The handshake succeeded: from now on reads wait for the channel's next owner. */
    void done() {
        done = true;
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (!done) ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!done) observe(msg);
        ctx.fireChannelRead(msg);
    }

    private void observe(Object msg) {
        if (msg instanceof DecoderResultProvider p && p.decoderResult().isFailure()) {
            fail(DialException.Reason.PROXY_ERROR, "malformed answer from the proxy ("
                    + Dial.rootMessage(p.decoderResult().cause()) + ")");
            return;
        }
        switch (msg) {
            case Socks5InitialResponse r -> {
                answers++;
                Socks5AuthMethod m = r.authMethod();
                boolean acceptable = m.equals(Socks5AuthMethod.NO_AUTH) || (offeredPassword && m.equals(Socks5AuthMethod.PASSWORD));
                if (!acceptable) {
                    fail(DialException.Reason.AUTH_FAILED, "the proxy accepted none of the offered authentication "
                            + "methods (offered " + (offeredPassword ? "none and username/password" : "none")
                            + ", it answered method " + (m.byteValue() & 0xff) + ")");
                } else {
                    answer = "method " + (m.byteValue() & 0xff);
                }
            }
            case Socks5PasswordAuthResponse r -> {
                answers++;
                if (!r.status().equals(Socks5PasswordAuthStatus.SUCCESS)) {
                    fail(DialException.Reason.AUTH_FAILED,
                            "authentication failed (the proxy answered status " + (r.status().byteValue() & 0xff) + ")");
                } else {
                    answer = "authentication accepted";
                }
            }
            case Socks5CommandResponse r -> {
                answers++;
                if (!r.status().isSuccess()) {
                    fail(Dial.socks5Reason(r.status().byteValue() & 0xff), "the proxy answered " + Dial.socks5Answer(r.status()));
                } else {
                    answer = "REP 0 (succeeded)";
                }
            }
            case Socks4CommandResponse r -> {
                answers++;
                int code = r.status().byteValue() & 0xff;
                if (r.status().equals(Socks4CommandStatus.SUCCESS)) {
                    answer = "status 90 (granted)";
                } else if (code == 92 || code == 93) {
                    fail(DialException.Reason.AUTH_FAILED, "the proxy answered status " + code
                            + " (identd " + (code == 92 ? "unreachable" : "did not confirm the user id") + ")");
                } else {
                    fail(DialException.Reason.REFUSED, "the proxy answered status " + code + " (request rejected or failed)");
                }
            }
            case HttpResponse r -> {
                answers++;
                HttpResponseStatus s = r.status();
                String line = r.protocolVersion() + " " + s.code() + " " + s.reasonPhrase();
                if (s.code() == 200) {
                    answer = "\"" + line + "\"";
                } else {
                    DialException.Reason reason = switch (s.code()) {
                        case 407, 401 -> DialException.Reason.AUTH_FAILED; // tinyproxy asks with 401 when no credentials came
                        case 403 -> DialException.Reason.REJECTED;
                        default -> DialException.Reason.REFUSED;
                    };
                    fail(reason, "the proxy answered \"" + line + "\"");
                }
            }
            default -> { }
        }
    }

    private void fail(DialException.Reason reason, String text) {
        if (failure == null) {
            failure = reason;
            answer = text;
        }
    }
}
