package dev.sluice.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.AsciiString;
import io.netty.util.collection.IntObjectHashMap;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code --raw-h2}: HTTP/2 over cleartext (prior knowledge) on Netty's HTTP/2 connection handler,
 * on one sender's own event loop. A sender's requests of one pacer hand-off are written as frames
 * and leave in one flush per connection, so a few system calls carry many requests: at 30,000
 * requests/s the instrument stays a small part of a two-core machine, where the Vert.x client
 * costs a system call or two per request. Confined to its event loop.
 *
 * <p>A request that finds every connection at the server's concurrent-stream limit waits in a local
 * queue; it is still timed from its intended send instant, so that wait is part of its latency, as
 * in any open-loop measurement.
 */
final class H2Connections {

    /** What the sender does with an answer; called on the event loop. */
    interface Answers {
        /** A complete response; {@code body} only when bodies were asked for, else null. */
        void answered(Pending p, int status, ByteBuf body);

        void failed(Pending p, String kind);
    }

    /** One request: what the sender needs to time and count it, and, while queued, what to send. */
    static final class Pending {
        final long intended;
        final boolean measured;
        final int events;
        long sentAt;
        int status;
        Http2Headers headers;
        byte[] body;
        ByteBuf received;

        Pending(long intended, boolean measured, int events) {
            this.intended = intended;
            this.measured = measured;
            this.events = events;
        }
    }

    private static final AsciiString POST = AsciiString.cached("POST");
    private static final AsciiString HTTP = AsciiString.cached("http");

    private final EventLoop loop;
    private Answers answers;
    private final boolean keepBodies;
    private final long timeoutNanos;
    private final AsciiString authority;
    private final AsciiString path;
    private final List<Conn> conns = new ArrayList<>();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private int next;
    private io.netty.util.concurrent.ScheduledFuture<?> sweeper;

    private H2Connections(EventLoop loop, String host, int port, String path, boolean keepBodies, long timeoutMillis) {
        this.loop = loop;
        this.keepBodies = keepBodies;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.authority = new AsciiString(host + ":" + port);
        this.path = new AsciiString(path);
    }

    /** Opens {@code count} connections on {@code loop}; completes once each has the server's settings. */
    static Future<H2Connections> open(
            EventLoop loop,
            ChannelFactory<? extends Channel> channels,
            String host,
            int port,
            String path,
            int count,
            boolean keepBodies,
            long timeoutMillis) {
        H2Connections h = new H2Connections(loop, host, port, path, keepBodies, timeoutMillis);
        List<Future<Void>> ready = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Conn c = h.new Conn();
            h.conns.add(c);
            ready.add(c.connect(channels, host, port));
        }
        return Future.all(ready).map(v -> {
            h.sweeper = loop.scheduleAtFixedRate(h::sweep, 200, 200, TimeUnit.MILLISECONDS);
            return h;
        });
    }

    /** Who hears the answers; set before the first request. */
    void answerTo(Answers a) {
        this.answers = a;
    }

    /** Request headers for a body: the fixed pseudo-headers and {@code content-type}, then the caller's own. */
    Http2Headers headers(CharSequence contentType) {
        return new DefaultHttp2Headers(false)
                .method(POST)
                .scheme(HTTP)
                .authority(authority)
                .path(path)
                .add("content-type", contentType);
    }

    /** Writes the request on the next connection with a free stream (or queues it); {@link #flush} sends. */
    void send(Pending p, Http2Headers headers, byte[] body) {
        Conn c = free();
        if (c == null) {
            p.headers = headers;
            p.body = body;
            queue.add(p);
            return;
        }
        c.write(p, headers, body);
    }

    /** Flushes every connection that has frames waiting: one system call each for all the requests written since. */
    void flush() {
        for (Conn c : conns) {
            c.flushIfDirty();
        }
    }

    /** Closes every connection (on the loop). */
    Future<Void> close() {
        Promise<Void> done = Promise.promise();
        loop.execute(() -> {
            if (sweeper != null) {
                sweeper.cancel(false); // the generator's loops outlive a run (a knee search runs many)
            }
            for (Conn c : conns) {
                if (c.channel != null) {
                    c.channel.close();
                }
            }
            done.complete();
        });
        return done.future();
    }

    private Conn free() {
        int n = conns.size();
        for (int k = 0; k < n; k++) {
            Conn c = conns.get(next);
            next = next + 1 == n ? 0 : next + 1;
            if (c.canOpen()) {
                return c;
            }
        }
        return null;
    }

    /** A stream closed somewhere: queued requests take the freed room. */
    private void drainQueue() {
        while (!queue.isEmpty()) {
            Conn c = free();
            if (c == null) {
                return;
            }
            Pending p = queue.poll();
            c.write(p, p.headers, p.body);
            p.headers = null;
            p.body = null;
        }
    }

    /** Fails requests that have waited past the timeout, queued or in flight. */
    private void sweep() {
        long limit = System.nanoTime() - timeoutNanos;
        while (!queue.isEmpty() && queue.peek().intended < limit) {
            answers.failed(queue.poll(), "timeout");
        }
        for (Conn c : conns) {
            c.sweep(limit);
        }
        flush();
    }

    /** One HTTP/2 connection and its open requests, by stream id. */
    private final class Conn extends Http2FrameAdapter {
        private final IntObjectHashMap<Pending> open = new IntObjectHashMap<>();
        private final Promise<Void> ready = Promise.promise();
        private Channel channel;
        private Http2ConnectionHandler handler;
        private ChannelHandlerContext ctx;
        private boolean dirty;

        Future<Void> connect(ChannelFactory<? extends Channel> channels, String host, int port) {
            Bootstrap b = new Bootstrap()
                    .group(loop)
                    .channelFactory(channels)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            handler = new Http2ConnectionHandlerBuilder()
                                    .server(false)
                                    .frameListener(Conn.this)
                                    .initialSettings(
                                            Http2Settings.defaultSettings().initialWindowSize(1 << 20))
                                    .build();
                            handler.connection().addListener(new Http2ConnectionAdapter() {
                                @Override
                                public void onStreamClosed(Http2Stream stream) {
                                    Pending p = open.remove(stream.id());
                                    if (p != null) {
                                        answers.failed(p, "reset");
                                    }
                                    drainQueue();
                                }
                            });
                            ch.pipeline().addLast(handler);
                        }
                    });
            b.connect(host, port).addListener(f -> {
                if (!f.isSuccess()) {
                    ready.tryFail(f.cause());
                    return;
                }
                channel = ((io.netty.channel.ChannelFuture) f).channel();
                ctx = channel.pipeline().context(handler);
                channel.closeFuture().addListener(cf -> closed());
            });
            return ready.future();
        }

        @Override
        public void onSettingsRead(ChannelHandlerContext c, Http2Settings settings) {
            ready.tryComplete();
        }

        boolean canOpen() {
            return ctx != null
                    && channel.isActive()
                    && handler.connection().local().canOpenStream();
        }

        void write(Pending p, Http2Headers headers, byte[] body) {
            int id = handler.connection().local().incrementAndGetNextStreamId();
            p.sentAt = System.nanoTime();
            open.put(id, p);
            headers.setInt("content-length", body.length);
            handler.encoder().writeHeaders(ctx, id, headers, 0, false, ctx.voidPromise());
            handler.encoder().writeData(ctx, id, Unpooled.wrappedBuffer(body), 0, true, ctx.voidPromise());
            dirty = true;
        }

        void flushIfDirty() {
            if (dirty) {
                dirty = false;
                // Through the handler, which first moves the flow-controlled DATA frames out, then flushes the socket.
                handler.flush(ctx);
            }
        }

        @Override
        public void onHeadersRead(
                ChannelHandlerContext c,
                int streamId,
                Http2Headers headers,
                int streamDependency,
                short weight,
                boolean exclusive,
                int padding,
                boolean endOfStream) {
            onHeadersRead(c, streamId, headers, padding, endOfStream);
        }

        @Override
        public void onHeadersRead(
                ChannelHandlerContext c, int streamId, Http2Headers headers, int padding, boolean endOfStream) {
            Pending p = open.get(streamId);
            if (p == null) {
                return;
            }
            CharSequence status = headers.status();
            int code = status == null ? 0 : AsciiString.of(status).parseInt();
            if (endOfStream) {
                open.remove(streamId);
                answers.answered(p, code, null);
                return;
            }
            p.status = code;
        }

        @Override
        public int onDataRead(ChannelHandlerContext c, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            int processed = data.readableBytes() + padding;
            Pending p = open.get(streamId);
            if (p == null) {
                return processed;
            }
            if (keepBodies) {
                if (p.received == null) {
                    p.received = c.alloc().heapBuffer(data.readableBytes());
                }
                p.received.writeBytes(data);
            }
            if (endOfStream) {
                open.remove(streamId);
                ByteBuf body = p.received;
                p.received = null;
                try {
                    answers.answered(p, p.status, body);
                } finally {
                    if (body != null) {
                        body.release();
                    }
                }
            }
            return processed;
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext c, int streamId, long errorCode) {
            Pending p = open.remove(streamId);
            if (p != null) {
                answers.failed(p, "reset");
            }
        }

        void sweep(long limit) {
            if (open.isEmpty()) {
                return;
            }
            List<Integer> late = null;
            for (IntObjectHashMap.PrimitiveEntry<Pending> e : open.entries()) {
                if (e.value().intended < limit) {
                    late = late == null ? new ArrayList<>() : late;
                    late.add(e.key());
                }
            }
            if (late != null) {
                for (int id : late) {
                    Pending p = open.remove(id);
                    answers.failed(p, "timeout");
                    try {
                        handler.resetStream(
                                ctx, id, io.netty.handler.codec.http2.Http2Error.CANCEL.code(), ctx.voidPromise());
                    } catch (RuntimeException e) {
                        // the stream is gone already
                    }
                }
            }
        }

        private void closed() {
            ready.tryFail(
                    new Http2Exception(io.netty.handler.codec.http2.Http2Error.CONNECT_ERROR, "connection closed"));
            List<Pending> lost = new ArrayList<>(open.values());
            open.clear();
            for (Pending p : lost) {
                answers.failed(p, "closed");
            }
        }
    }
}
