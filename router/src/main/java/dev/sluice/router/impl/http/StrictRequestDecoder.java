package dev.sluice.router.impl.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.util.List;

/**
 * Vert.x's HTTP/1 request decoder with {@link Framing}'s rules applied to every request's header
 * fields before the decoder decides how its body is framed. Netty alone would drop a Content-Length
 * sent with {@code chunked} and read a body under an unknown transfer coding as no body at all (so
 * that body is parsed as the next request). Here such a request becomes an invalid one: Vert.x hands
 * it to the server's invalid-request handler (400 {@code bad-framing}, connection closed), and the
 * decoder discards every byte after it, so no request behind it is ever parsed.
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {

    StrictRequestDecoder(HttpServerOptions options) {
        super(options);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        // Called once the header section is parsed, before Content-Length or chunked is acted upon.
        List<String> te = msg.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!te.isEmpty()) {
            HttpVersion v = msg.protocolVersion();
            boolean http10 = v.majorVersion() < 1 || (v.majorVersion() == 1 && v.minorVersion() == 0);
            String violation = Framing.violation(
                    http10,
                    te,
                    msg.headers().getAll(HttpHeaderNames.CONTENT_LENGTH).size());
            if (violation != null) {
                throw new Framing.Violation(violation);
            }
        }
        return super.isContentAlwaysEmpty(msg);
    }
}
