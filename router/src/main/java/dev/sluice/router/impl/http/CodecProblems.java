package dev.sluice.router.impl.http;

import dev.sluice.router.impl.RouterMetrics;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * The answer to a request the HTTP/1 codec could not decode, given to Vert.x as the server's
 * invalid-request handler: a problem body where Vert.x's default would send an empty one. A request
 * line too long is 414 {@code uri-too-long}, a header section too large 431 {@code headers-too-large},
 * a framing {@link Framing.Violation} 400 {@code bad-framing}, anything else 400 {@code bad-request}.
 * The connection always closes after the answer: the decoder has stopped reading it. Counted under
 * the no-route meters, as no route was chosen.
 */
final class CodecProblems implements Handler<HttpServerRequest> {

    private final RouterMetrics.RouteMeters meters;

    CodecProblems(RouterMetrics metrics) {
        this.meters = metrics.route(RouterMetrics.NO_ROUTE);
    }

    @Override
    public void handle(HttpServerRequest req) {
        DecoderResult result = req.decoderResult();
        Throwable cause = result == null ? null : result.cause();
        Problems.Kind kind = kind(cause);
        meters.rejected(kind);
        HttpServerResponse response = req.response();
        if (response.ended() || response.closed()) {
            req.connection().close();
            return;
        }
        response.putHeader("connection", "close");
        String detail = cause instanceof Framing.Violation
                ? cause.getMessage()
                : switch (kind) {
                    case URI_TOO_LONG -> "the request line is longer than the router accepts";
                    case HEADERS_TOO_LARGE -> "the header section is larger than the router accepts";
                    default ->
                        "the request could not be parsed as HTTP/1.1"
                                + (cause == null || cause.getMessage() == null
                                        ? ""
                                        : ": " + Framing.printable(cause.getMessage()));
                };
        // A framing violation is found once the request line was read, so the problem names its path; when the codec
        // could
        // not read the request line (too long, garbled), there is no instance to name and the member is left out.
        String instance = cause instanceof Framing.Violation ? req.path() : null;
        Problems.send(response, kind, detail, instance, 1)
                .onComplete(x -> req.connection().close());
    }

    static Problems.Kind kind(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return Problems.Kind.URI_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return Problems.Kind.HEADERS_TOO_LARGE;
        }
        return cause instanceof Framing.Violation ? Problems.Kind.BAD_FRAMING : Problems.Kind.BAD_REQUEST;
    }
}
