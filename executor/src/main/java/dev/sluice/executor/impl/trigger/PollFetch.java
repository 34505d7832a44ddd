package dev.sluice.executor.impl.trigger;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * One poll's GET: conditional on the validators of the last answer ({@code If-None-Match},
 * {@code If-Modified-Since}), bounded in time (connect to last byte) and in body bytes as they
 * arrive, whatever a {@code Content-Length} announces.
 */
record PollFetch(Vertx vertx, HttpClient client, long timeoutMillis, int maxBytes) {

    /** Validators longer than this, or holding a control character, are not sent back. */
    private static final int MAX_VALIDATOR = 512;

    /** What a poll got back. */
    sealed interface Answer permits NotModified, Changed {}

    /** 304: nothing new since the validators were taken. */
    record NotModified() implements Answer {}

    /** 2xx with a body, and the validators to send next time (empty strings when absent or unusable). */
    record Changed(Buffer body, String etag, String lastModified) implements Answer {}

    /** A poll that got no usable answer; the message says why. */
    static final class Failed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failed(String message) {
            super(message, null, false, false);
        }
    }

    /** The URL with the cursor as query parameter {@code param}, when there is a cursor. */
    static String withCursor(String url, String param, String cursor) {
        if (cursor.isEmpty()) {
            return url;
        }
        String fragmentless = url.contains("#") ? url.substring(0, url.indexOf('#')) : url;
        return fragmentless + (fragmentless.contains("?") ? "&" : "?") + param + "="
                + URLEncoder.encode(cursor, StandardCharsets.UTF_8);
    }

    Future<Answer> get(String url, String etag, String lastModified) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(url)
                .setConnectTimeout(timeoutMillis)
                .setIdleTimeout(timeoutMillis)
                .putHeader("accept", "application/json");
        if (usable(etag)) {
            options.putHeader("if-none-match", etag);
        }
        if (usable(lastModified)) {
            options.putHeader("if-modified-since", lastModified);
        }
        Promise<Answer> answer = Promise.promise();
        long timer = vertx.setTimer(
                timeoutMillis, id -> answer.tryFail(new Failed("no complete answer within " + timeoutMillis + " ms")));
        client.request(options)
                .compose(req -> {
                    req.exceptionHandler(e -> {});
                    answer.future().onFailure(e -> req.reset());
                    return req.send();
                })
                .onSuccess(resp -> read(resp, answer))
                .onFailure(e -> answer.tryFail(new Failed("request failed: " + e)));
        return answer.future().onComplete(ar -> vertx.cancelTimer(timer));
    }

    private void read(HttpClientResponse resp, Promise<Answer> answer) {
        int status = resp.statusCode();
        if (status == 304) {
            resp.handler(b -> {}).endHandler(v -> answer.tryComplete(new NotModified()));
            resp.exceptionHandler(e -> answer.tryComplete(new NotModified()));
            return;
        }
        if (status < 200 || status >= 300) {
            resp.handler(b -> {});
            answer.tryFail(new Failed("the target answered " + status));
            return;
        }
        Buffer body = Buffer.buffer();
        resp.exceptionHandler(e -> answer.tryFail(new Failed("the answer broke off: " + e)));
        resp.handler(chunk -> {
            if (answer.future().isComplete()) {
                return;
            }
            if (body.length() + chunk.length() > maxBytes) {
                answer.tryFail(new Failed("the answer is larger than " + maxBytes + " bytes"));
                return;
            }
            body.appendBuffer(chunk);
        });
        resp.endHandler(v -> answer.tryComplete(
                new Changed(body, validator(resp.getHeader("etag")), validator(resp.getHeader("last-modified")))));
    }

    private static String validator(String v) {
        return usable(v) ? v : "";
    }

    private static boolean usable(String v) {
        if (v == null || v.isEmpty() || v.length() > MAX_VALIDATOR) {
            return false;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }
}
