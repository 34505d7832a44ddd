package dev.sluice.executor.impl.workflow;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;

/** What a target's answer to an http step means: 2xx succeeds; 408, 429 and 5xx are retryable; any other status is not. */
final class StepAnswers {

    private StepAnswers() {}

    /** The step's result, or its failure: retryable (with the target's {@code Retry-After}) or fatal. */
    static Future<HttpStepRunner.Result> classify(HttpClientResponse resp) {
        int status = resp.statusCode();
        String type = resp.getHeader("content-type");
        return resp.body().transform(ar -> {
            if (status >= 200 && status < 300) {
                boolean json = type != null && (type.startsWith("application/json") || type.contains("+json"));
                return Future.succeededFuture(
                        new HttpStepRunner.Result(status, json && ar.succeeded() ? ar.result() : null));
            }
            if (status == 408 || status == 429 || status >= 500) {
                long retryAfter = retryAfterMillis(resp.getHeader("retry-after"));
                return Future.failedFuture(StepFailure.retryable("target answered " + status, retryAfter));
            }
            return Future.failedFuture(StepFailure.fatal("target answered " + status));
        });
    }

    private static long retryAfterMillis(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim()) * 1000;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
