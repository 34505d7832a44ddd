package dev.sluice.router.impl.http;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * What the router notes on one ingest connection, kept on its Netty channel (so it goes when the
 * connection does): the body bytes its requests hold, and whether it is closing, after which no
 * further request read from it is handled. Read and written on the connection's event loop only.
 */
final class ConnectionMarks {

    private static final AttributeKey<long[]> BODY_BYTES = AttributeKey.valueOf("sluice.body.bytes");
    private static final AttributeKey<Boolean> CLOSING = AttributeKey.valueOf("sluice.closing");

    private ConnectionMarks() {}

    static long bodyBytes(HttpConnection conn) {
        Channel ch = channel(conn);
        long[] held = ch == null ? null : ch.attr(BODY_BYTES).get();
        return held == null ? 0 : held[0];
    }

    static void addBodyBytes(HttpConnection conn, long n) {
        Channel ch = channel(conn);
        if (ch == null) {
            return;
        }
        long[] held = ch.attr(BODY_BYTES).get();
        if (held == null) {
            held = new long[1];
            ch.attr(BODY_BYTES).set(held);
        }
        held[0] += n;
    }

    /** From now on, requests read from this connection are not handled: it closes after the answer in progress. */
    static void closing(HttpConnection conn) {
        Channel ch = channel(conn);
        if (ch != null) {
            ch.attr(CLOSING).set(Boolean.TRUE);
        }
    }

    static boolean isClosing(HttpConnection conn) {
        Channel ch = channel(conn);
        return ch != null && Boolean.TRUE.equals(ch.attr(CLOSING).get());
    }

    private static Channel channel(HttpConnection conn) {
        return conn instanceof ConnectionBase base ? base.channel() : null;
    }
}
