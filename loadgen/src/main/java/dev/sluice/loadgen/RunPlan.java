package dev.sluice.loadgen;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What every sender of one run shares, immutable: the schedule and its start, the warmup
 * boundary, the target and the request shape.
 */
final class RunPlan {

    final RateSchedule schedule;
    final long startNanos;
    final long warmupNanos;
    final String host;
    final int port;
    final String path;
    final byte[] payload;
    final String[] keys;
    final long timeoutMillis;
    final boolean e2e;
    /** Events per request: 1 posts each event alone; more post NDJSON batches to {@code <source>/batch}. */
    final int batch;
    /** With {@code batch > 1}: the body of every request, {@code batch} payload lines. */
    final byte[] batchBody;
    /** {@code Bearer <key>} for every request, or null. */
    final String authorization;
    /** Sign every request with this secret (Sluice's scheme), or null. */
    final String signSecret;
    /** A fresh {@code Idempotency-Key} per request: {@link #idempotencyPrefix} and the event's number. */
    final boolean idempotency;

    final String idempotencyPrefix;
    /** Every request's body differs (needed when signing: the router refuses a replayed signature). */
    final boolean uniqueBodies;

    /** The plan of a run of {@code o} against {@code target}, starting at {@code startNanos}. */
    RunPlan(RateSchedule schedule, long startNanos, long warmupNanos, URI target, RunOptions o) {
        int batch = o.batch();
        int keyCount = o.keys();
        String apiKey = o.apiKey();
        String signSecret = o.signSecret();
        this.schedule = schedule;
        this.startNanos = startNanos;
        this.warmupNanos = warmupNanos;
        this.host = target.getHost();
        this.port = target.getPort() > 0 ? target.getPort() : 80;
        this.path = requestPath(target, batch);
        this.batch = batch;
        this.payload = payload(o.payloadBytes());
        this.keys = new String[keyCount];
        for (int k = 0; k < keyCount; k++) {
            keys[k] = "key-" + k;
        }
        this.timeoutMillis = o.timeout().toMillis();
        this.e2e = o.e2e();
        this.batchBody = batch > 1 ? ndjson(payload, batch) : null;
        this.authorization = apiKey == null ? null : "Bearer " + apiKey;
        this.signSecret = signSecret;
        this.idempotency = o.idempotency();
        // Unique across runs (the priming run and each knee step number their events from 0 again).
        this.idempotencyPrefix =
                "bench-" + Long.toHexString(System.currentTimeMillis()) + "-" + Long.toHexString(startNanos) + "-";
        this.uniqueBodies = signSecret != null;
    }

    /** The path every request posts to: the target's, with {@code /batch} for batches. */
    static String requestPath(URI target, int batch) {
        return target.getRawPath()
                + (batch > 1 ? "/batch" : "")
                + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
    }

    /** {@code count} copies of {@code line}, one per line. */
    static byte[] ndjson(byte[] line, int count) {
        byte[] out = new byte[(line.length + 1) * count];
        for (int i = 0; i < count; i++) {
            System.arraycopy(line, 0, out, i * (line.length + 1), line.length);
            out[i * (line.length + 1) + line.length] = '\n';
        }
        return out;
    }

    /** The intended send instant of event {@code i} (System.nanoTime scale). */
    long intended(long i) {
        return startNanos + schedule.timeOf(i);
    }

    boolean measured(long intendedNanos) {
        return intendedNanos - startNanos >= warmupNanos;
    }

    /** A JSON object of exactly {@code size} bytes (at least the skeleton's): {@code {"device":{"id":"d-1"},"pad":"xxxx"}}. */
    static byte[] payload(int size) {
        String head = "{\"device\":{\"id\":\"d-1\"},\"pad\":\"";
        String tail = "\"}";
        int pad = Math.max(0, size - head.length() - tail.length());
        char[] xs = new char[pad];
        Arrays.fill(xs, 'x');
        return (head + new String(xs) + tail).getBytes(StandardCharsets.US_ASCII);
    }
}
