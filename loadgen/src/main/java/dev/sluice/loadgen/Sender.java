package dev.sluice.loadgen;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.ConnectException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issues the requests of one event loop. The pacer hands it ranges of event indexes when they
 * fall due; it sends each at once whatever is outstanding (open loop), and on the response
 * records, from the event's intended send time, the ack latency, and, from the moment the
 * request got a connection and was written, the service time. Confined to its event loop except
 * for the counters the timeline reads.
 */
final class Sender implements H2Connections.Answers, MqttPublishers.Answers {

    private final Context context;
    private final HttpClient client;
    private final RunPlan plan;
    private final RequestOptions base;

    final SplitRecorder ack = new SplitRecorder();
    final SplitRecorder service = new SplitRecorder();
    final SplitRecorder sendLag = new SplitRecorder();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong acked = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong outstanding = new AtomicLong();

    // Event-loop confined; read after a barrier on the context.
    final Map<String, Long> errorKinds = new HashMap<>();
    final IdSet ackedIds = new IdSet();
    /** Direct-mode acks, from the producer's thread to this sender's loop. */
    private final dev.sluice.core.LoopHandoff<DirectAck> directAcks;

    long measuredSent;
    long measuredAcked;
    long lastMeasuredAckNanos;

    private final DirectProducer direct;
    private final EdgeHeaders edge;
    /** With {@code --raw-h2}: the requests go over these instead of {@link #client}. */
    private H2Connections h2;
    /** With {@code --mqtt}: the events are published over these instead. */
    private MqttPublishers mqtt;

    Sender(Context context, HttpClient client, RunPlan plan, DirectProducer direct) {
        this.direct = direct;
        this.context = context;
        this.directAcks = new dev.sluice.core.LoopHandoff<>(context, this::directAcked);
        this.client = client;
        this.plan = plan;
        this.base = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(plan.host)
                .setPort(plan.port)
                .setURI(plan.path)
                .setConnectTimeout(plan.timeoutMillis)
                .setIdleTimeout(plan.timeoutMillis)
                .putHeader("content-type", plan.batch > 1 ? "application/x-ndjson" : "application/json");
        if (plan.authorization != null) {
            base.putHeader("authorization", plan.authorization);
        }
        this.edge = new EdgeHeaders(plan.signSecret);
    }

    Context context() {
        return context;
    }

    /** {@code --raw-h2}: send over these HTTP/2 connections (opened on this sender's event loop). */
    void useH2(H2Connections connections) {
        this.h2 = connections;
    }

    /** {@code --mqtt}: publish over these MQTT connections (opened on this sender's event loop). */
    void useMqtt(MqttPublishers publishers) {
        this.mqtt = publishers;
    }

    @Override
    public void acked(MqttPublishers.Pending p, long end) {
        acknowledged(p.intended, p.sentAt, end, 1, p.measured);
    }

    @Override
    public void failed(MqttPublishers.Pending p, String kind) {
        failed(kind, 1);
    }

    /** From the pacer thread: send events [from, to) on this sender's event loop. */
    void dispatch(long from, long to) {
        int batch = plan.batch;
        if (batch == 1) {
            outstanding.addAndGet(to - from);
            context.runOnContext(v -> {
                for (long i = from; i < to; i++) {
                    issue(i);
                }
                flushWrites();
            });
            return;
        }
        // A batch leaves when its last event falls due; a last, incomplete batch is never sent.
        long firstEnd = (from + batch) / batch * batch - 1; // the first i >= from with (i + 1) % batch == 0
        long ends = to / batch - from / batch;
        if (ends <= 0) {
            return;
        }
        outstanding.addAndGet(ends * batch);
        context.runOnContext(v -> {
            for (long last = firstEnd; last < to; last += batch) {
                issueBatch(last);
            }
            flushWrites();
        });
    }

    /** Events [last - batch + 1, last] in one NDJSON request, timed from the last one's intended instant. */
    private void issueBatch(long last) {
        int n = plan.batch;
        long intended = plan.intended(last);
        boolean measured = plan.measured(intended);
        long now = System.nanoTime();
        sendLag.record((now - intended) / 1000, n, measured);
        sent.addAndGet(n);
        if (measured) {
            measuredSent += n;
        }
        if (h2 != null) {
            io.netty.handler.codec.http2.Http2Headers headers =
                    h2Headers("application/x-ndjson").add("x-key", plan.keys[(int) (last % plan.keys.length)]);
            h2.send(new H2Connections.Pending(intended, measured, n), headers, plan.batchBody);
            return;
        }
        RequestOptions options =
                new RequestOptions(base).putHeader("x-key", plan.keys[(int) (last % plan.keys.length)]);
        client.request(options).onComplete(ar -> {
            if (ar.failed()) {
                failed(connectFailure(ar.cause()), n);
                return;
            }
            long sentAt = System.nanoTime();
            ar.result().send(Buffer.buffer(plan.batchBody)).onComplete(rr -> {
                if (rr.failed()) {
                    failed(kind("", rr.cause()), n);
                    return;
                }
                HttpClientResponse resp = rr.result();
                resp.body().onComplete(br -> {
                    long end = System.nanoTime();
                    if (br.failed()) {
                        failed(kind("", br.cause()), n);
                        return;
                    }
                    if (resp.statusCode() != 202) {
                        failed("http_" + resp.statusCode(), n);
                        return;
                    }
                    collectIds(br.result(), n);
                    acknowledged(intended, sentAt, end, n, measured);
                });
            });
        });
    }

    private void issue(long i) {
        long intended = plan.intended(i);
        boolean measured = plan.measured(intended);
        long now = System.nanoTime();
        sendLag.record((now - intended) / 1000, measured);
        sent.incrementAndGet();
        if (measured) {
            measuredSent++;
        }
        if (direct != null) {
            produce(i, intended, now, measured);
            return;
        }
        if (mqtt != null) {
            mqtt.send(i, intended, measured);
            return;
        }
        byte[] body = plan.uniqueBodies ? EdgeHeaders.uniqueBody(plan.payload, i) : plan.payload;
        if (h2 != null) {
            sendH2(i, intended, measured, body);
            return;
        }
        RequestOptions options = new RequestOptions(base);
        eventHeaders(i, body, options::putHeader);
        client.request(options).onComplete(ar -> {
            if (ar.failed()) {
                failed(connectFailure(ar.cause()));
                return;
            }
            HttpClientRequest req = ar.result();
            long sentAt = System.nanoTime();
            req.send(Buffer.buffer(body)).onComplete(rr -> responded(rr, intended, sentAt, measured));
        });
    }

    private void sendH2(long i, long intended, boolean measured, byte[] body) {
        io.netty.handler.codec.http2.Http2Headers headers = h2Headers("application/json");
        eventHeaders(i, body, headers::add);
        h2.send(new H2Connections.Pending(intended, measured, 1), headers, body);
    }

    /** An HTTP/2 request's fixed headers, with the API key (the HTTP/1.1 requests carry it in {@code base}). */
    private io.netty.handler.codec.http2.Http2Headers h2Headers(String contentType) {
        io.netty.handler.codec.http2.Http2Headers headers = h2.headers(contentType);
        if (plan.authorization != null) {
            headers.add("authorization", plan.authorization);
        }
        return headers;
    }

    /** The error kind of a request that never got a connection. */
    private static String connectFailure(Throwable cause) {
        return cause instanceof TimeoutException
                ? "connect_timeout"
                : cause instanceof ConnectException ? "connect_error" : kind("connect_", cause);
    }

    /** The headers that differ per event: its key, and with edge checks its signature and idempotency key. */
    private void eventHeaders(long i, byte[] body, java.util.function.BiConsumer<String, String> put) {
        put.accept("x-key", plan.keys[(int) (i % plan.keys.length)]);
        if (edge.signs()) {
            put.accept("sluice-signature", edge.signature(System.currentTimeMillis() / 1000, body));
        }
        if (plan.idempotency) {
            put.accept("idempotency-key", plan.idempotencyPrefix + i);
        }
    }

    /** End to end: the ids a 202's body names, to match against the receiver's arrivals. */
    private void collectIds(Buffer body, int events) {
        if (!plan.e2e) {
            return;
        }
        if (events > 1) {
            Ids.allFromAck(body, ackedIds);
            return;
        }
        Object id = Ids.fromAck(body);
        if (id != null) {
            ackedIds.add(id);
        }
    }

    /** A 202 (or Kafka's ack) for {@code events} events: their latencies, and the counters. */
    private void acknowledged(long intended, long sentAt, long end, int events, boolean measured) {
        ack.record((end - intended) / 1000, events, measured);
        service.record((end - sentAt) / 1000, events, measured);
        if (measured) {
            measuredAcked += events;
            lastMeasuredAckNanos = Math.max(lastMeasuredAckNanos, end);
        }
        acked.addAndGet(events);
        outstanding.addAndGet(-events);
    }

    /** Sends what this hand-off wrote on raw HTTP/2 or MQTT connections, one flush per connection. */
    private void flushWrites() {
        if (h2 != null) {
            h2.flush();
        }
        if (mqtt != null) {
            mqtt.flush();
        }
    }

    @Override
    public void answered(H2Connections.Pending p, int status, io.netty.buffer.ByteBuf body) {
        long end = System.nanoTime();
        if (status != 202) {
            failed("http_" + status, p.events);
            return;
        }
        if (body != null) {
            collectIds(Buffer.buffer(io.netty.buffer.ByteBufUtil.getBytes(body)), p.events);
        }
        acknowledged(p.intended, p.sentAt, end, p.events, p.measured);
    }

    @Override
    public void failed(H2Connections.Pending p, String kind) {
        failed(kind, p.events);
    }

    /** {@code --direct}: the event goes straight to Kafka; its "ack" is Kafka's, handed back to this event loop. */
    private void produce(long i, long intended, long sentAt, boolean measured) {
        String id = direct.send(plan.keys[(int) (i % plan.keys.length)], plan.payload, err -> {
            // The producer completes a whole produce response at once: one hop to the loop for all of them,
            // not a task (and a wake-up) per event, as the router's own acknowledgements travel.
            directAcks.add(new DirectAck(intended, sentAt, measured, err));
        });
        if (plan.e2e) {
            ackedIds.add(Ids.of(id));
        }
    }

    private record DirectAck(long intended, long sentAt, boolean measured, Exception err) {}

    private void directAcked(DirectAck a) {
        if (a.err() != null) {
            failed(kind("produce_", a.err()));
            return;
        }
        acknowledged(a.intended(), a.sentAt(), System.nanoTime(), 1, a.measured());
    }

    private void responded(AsyncResult<HttpClientResponse> rr, long intended, long sentAt, boolean measured) {
        if (rr.failed()) {
            failed(kind("", rr.cause()));
            return;
        }
        HttpClientResponse resp = rr.result();
        resp.body().onComplete(br -> {
            long end = System.nanoTime();
            if (br.failed()) {
                failed(kind("", br.cause()));
                return;
            }
            int status = resp.statusCode();
            if (status != 202) {
                failed("http_" + status);
                return;
            }
            collectIds(br.result(), 1);
            acknowledged(intended, sentAt, end, 1, measured);
        });
    }

    private void failed(String kind) {
        failed(kind, 1);
    }

    private void failed(String kind, int events) {
        errorKinds.merge(kind, (long) events, Long::sum);
        errors.addAndGet(events);
        outstanding.addAndGet(-events);
    }

    private static String kind(String phase, Throwable e) {
        if (e instanceof TimeoutException) {
            return phase + "timeout";
        }
        if (e instanceof ConnectException) {
            return "connect_error";
        }
        if (e instanceof io.vertx.core.http.HttpClosedException) {
            return phase + "closed";
        }
        return phase + "error_" + e.getClass().getSimpleName();
    }
}
