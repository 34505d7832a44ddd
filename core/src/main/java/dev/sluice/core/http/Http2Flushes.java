package dev.sluice.core.http;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Coalesces the socket flushes of an HTTP/2 connection, server or client side. Vert.x flushes after
 * every frame it writes outside a read: a 202 written after the broker's ack, or a webhook request
 * sent when its run starts, is a HEADERS and a DATA frame, so two {@code writev} calls per message.
 * Sluice writes in bursts (the router answers a produce response's acks together, the executor
 * starts a poll's runs together, both through {@link dev.sluice.core.LoopHandoff}), so with Netty's
 * flush consolidation at the head of the pipeline the messages of one event-loop task that share a
 * connection leave in one system call, after that task. HTTP/1.1 connections carry one request at
 * a time and are left as they are.
 */
public final class Http2Flushes {

    /** Flushes that may be held back before one goes out anyway (Netty's default). */
    private static final int EXPLICIT_FLUSH_AFTER = 256;

    public static final String HANDLER_NAME = "sluice-flush-coalescing";

    private Http2Flushes() {}

    /** Installs the coalescing on {@code conn} if it is HTTP/2; returns whether it did. */
    public static boolean coalesce(HttpConnection conn) {
        if (!(conn instanceof ConnectionBase base)) {
            return false;
        }
        ChannelPipeline pipeline = base.channel().pipeline();
        if (pipeline.get(Http2ConnectionHandler.class) == null || pipeline.get(HANDLER_NAME) != null) {
            return false;
        }
        // consolidateWhenNoReadInProgress: flushes from an ack task, not from a read, are the ones to merge.
        pipeline.addFirst(HANDLER_NAME, new FlushConsolidationHandler(EXPLICIT_FLUSH_AFTER, true));
        return true;
    }
}
