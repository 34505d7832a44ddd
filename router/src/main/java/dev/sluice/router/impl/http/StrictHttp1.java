package dev.sluice.router.impl.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts {@link StrictRequestDecoder} in place of Vert.x's HTTP/1 request decoder on every ingest
 * connection, before the decoder has seen a byte.
 * <p>
 * Over TLS, or with h2c off, Vert.x builds the HTTP/1 pipeline when the connection opens and reports
 * the connection before any request byte is read: {@link #onConnection} swaps the decoder there. With
 * h2c on, Vert.x first waits for the bytes that tell HTTP/1.1 from an HTTP/2 preface and creates the
 * decoder while it feeds it the first request, so it reports the connection too late. For that case
 * an accept hook on the listening channel puts a {@link Guard} at the head of each new connection: it
 * holds the first bytes until they are known not to be a preface, lets Vert.x build the HTTP/1
 * pipeline with an empty line (which a request decoder skips, RFC 9112 §2.2), swaps the decoder, and
 * only then passes the bytes on.
 */
final class StrictHttp1 {

    private static final Logger LOG = LoggerFactory.getLogger(StrictHttp1.class);
    static final String DECODER = "httpDecoder";
    static final String GUARD = "sluice-strict-http1";
    private static final String ACCEPT_HOOK = "sluice-strict-http1-accept";
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY_LINE = {'\r', '\n'};

    private StrictHttp1() {}

    /**
     * Installs the accept hook on the listening channel behind {@code server} (shared by every
     * verticle listening on the port). Returns false when the channel cannot be found; connections
     * are then guarded from the first one that {@link #onConnection} sees on.
     */
    static boolean guardAccepts(HttpServer server, HttpServerOptions options) {
        try {
            Object tcp = field(server, "tcpServer");
            Object actual = field(tcp, "actualServer");
            io.vertx.core.Future<?> bound = (io.vertx.core.Future<?>) field(actual, "bindFuture");
            if (bound != null && bound.result() instanceof Channel listening) {
                hook(listening, options);
                return true;
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn(
                    "the strict HTTP/1 decoder is installed from the first connection on ({}); a connection accepted before that"
                            + " is closed after its first response",
                    e.toString());
        }
        return false;
    }

    /**
     * Swaps the decoder of a new HTTP/1 connection where that is still safe, and makes sure the
     * connections after it are guarded. Returns false when the connection's first request was already
     * decoded by Vert.x's own decoder: that connection must close after its first response.
     */
    static boolean onConnection(HttpConnection conn, HttpServerOptions options) {
        if (!(conn instanceof ConnectionBase base)) {
            return true;
        }
        Channel ch = base.channel();
        if (ch.parent() != null) {
            hook(ch.parent(), options);
        }
        ChannelPipeline p = ch.pipeline();
        ChannelHandler decoder = p.get(DECODER);
        if (decoder == null || decoder instanceof StrictRequestDecoder || p.get(GUARD) != null) {
            return true;
        }
        if (p.get("h2c") == null) {
            // Pipeline built when the connection opened (TLS, or h2c off): the decoder has read nothing yet.
            p.replace(DECODER, DECODER, new StrictRequestDecoder(options));
            return true;
        }
        return false;
    }

    private static void hook(Channel listening, HttpServerOptions options) {
        ChannelPipeline p = listening.pipeline();
        synchronized (StrictHttp1.class) {
            if (p.get(ACCEPT_HOOK) == null) {
                p.addFirst(ACCEPT_HOOK, new AcceptHook(options));
            }
        }
    }

    private static Object field(Object target, String name) throws ReflectiveOperationException {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(target);
            } catch (NoSuchFieldException next) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(name);
    }

    /** On the listening channel: puts a {@link Guard} first in each accepted connection's pipeline. */
    @ChannelHandler.Sharable
    private static final class AcceptHook extends ChannelInboundHandlerAdapter {
        private final HttpServerOptions options;

        AcceptHook(HttpServerOptions options) {
            this.options = options;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Channel child) {
                child.pipeline().addFirst(GUARD, new Guard(options));
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** First in a new connection's pipeline until it has seen whether the connection speaks HTTP/1. */
    static final class Guard extends ChannelInboundHandlerAdapter {
        private final HttpServerOptions options;
        private ByteBuf held;

        Guard(HttpServerOptions options) {
            this.options = options;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ChannelPipeline p = ctx.pipeline();
            if (!(msg instanceof ByteBuf in) || p.get(SslHandler.class) != null) {
                // TLS: the pipeline is built after the handshake and onConnection swaps the decoder.
                p.remove(this);
                ctx.fireChannelRead(msg);
                return;
            }
            if (p.get(DECODER) != null) {
                // h2c off: the HTTP/1 pipeline exists and its decoder has not read a byte.
                swap(p);
                p.remove(this);
                ctx.fireChannelRead(msg);
                return;
            }
            held = held == null ? in : Unpooled.wrappedBuffer(held, in);
            int n = Math.min(held.readableBytes(), PREFACE.length);
            for (int i = 0; i < n; i++) {
                if (held.getByte(held.readerIndex() + i) != PREFACE[i]) {
                    http1(ctx, p);
                    return;
                }
            }
            if (n == PREFACE.length) {
                ByteBuf all = held;
                held = null;
                p.remove(this);
                ctx.fireChannelRead(all);
            }
        }

        private void http1(ChannelHandlerContext ctx, ChannelPipeline p) {
            ByteBuf all = held;
            held = null;
            // Vert.x's HTTP/1-or-h2c sniffer sees a byte that is not the preface's, builds the HTTP/1
            // pipeline and hands the empty line to the new decoder, which skips it.
            ctx.fireChannelRead(Unpooled.wrappedBuffer(EMPTY_LINE));
            if (p.get(DECODER) != null) {
                swap(p);
            }
            p.remove(this);
            ctx.fireChannelRead(all);
        }

        private void swap(ChannelPipeline p) {
            if (!(p.get(DECODER) instanceof StrictRequestDecoder)) {
                p.replace(DECODER, DECODER, new StrictRequestDecoder(options));
            }
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (held != null) {
                held.release();
                held = null;
            }
        }
    }
}
