package dev.sluice.router.impl.http;

import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.RouterMetrics.RouteMeters;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Reads one request's body: decodes its content coding as it arrives ({@link Decoding}), holds the
 * bytes in pieces of the size they came in (nothing is sized by Content-Length, which is a claim),
 * and counts every byte it holds against the connection's and the process's bounds
 * ({@link BodyBudget}) until the request is answered or its connection closes. The answer to a
 * refused body is a problem; an HTTP/1 connection whose body was left unread is closed after it.
 * One instance per ingest verticle, used on its event loop.
 */
final class BodyReader {

    /** Why a body is not taken: the problem to answer, or no kind when the client went away. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Problems.Kind kind;
        final transient Map<String, String> headers;

        Refused(Problems.Kind kind, String detail, Map<String, String> headers) {
            super(detail, null, false, false);
            this.kind = kind;
            this.headers = headers;
        }

        Refused(Problems.Kind kind, String detail) {
            this(kind, detail, Map.of());
        }
    }

    /** Answers a refusal (the handler's reject). */
    interface Rejecter {
        Future<Void> reject(HttpServerRequest req, RouteMeters meters, Problems.Kind kind, String detail);
    }

    private static final Refused GONE = new Refused(null, "the client went away");
    /** What an inflater's native state and window cost, counted while a compressed body is read. */
    static final int INFLATER_BYTES = 64 * 1024;

    private final BodyBudget budget;

    BodyReader(BodyBudget budget) {
        this.budget = budget;
    }

    /**
     * The body, decoded; fails with {@link Refused}. {@code abandoned} says the handler has answered
     * already (the body was too slow): what arrives after that is dropped.
     */
    Future<byte[]> read(HttpServerRequest req, RouteConfig route, BooleanSupplier abandoned) {
        Decoding.Coding coding = Decoding.coding(req.headers().getAll("content-encoding"));
        Refused early = coding == null
                ? new Refused(
                        Problems.Kind.UNSUPPORTED_ENCODING,
                        "the router decodes gzip, deflate or identity, one coding at most; got '"
                                + Framing.printable(
                                        String.join(", ", req.headers().getAll("content-encoding"))) + "'",
                        Map.of("accept-encoding", Decoding.ACCEPTED))
                : beforeBody(req, route);
        if (early != null) {
            req.handler(b -> {});
            return Future.failedFuture(early);
        }
        return new Read(req, route, coding, abandoned).promise.future();
    }

    /** A body its announced length already rules out; null when it may be read. */
    private Refused beforeBody(HttpServerRequest req, RouteConfig route) {
        long declared = contentLength(req);
        if (declared <= 0) {
            return null;
        }
        long alone = Math.min(budget.connectionBytes(), budget.processBytes());
        if (declared > route.maxBodyBytes() || declared > alone) {
            return tooLarge(Math.min(route.maxBodyBytes(), alone), false);
        }
        if (ConnectionMarks.bodyBytes(req.connection()) + declared > budget.connectionBytes()
                || !budget.fits(declared)) {
            return busy();
        }
        return null;
    }

    /** Answers a failed read: the problem (with its headers), then the close of an HTTP/1 connection left mid-body. */
    static void answer(HttpServerRequest req, RouteMeters meters, Throwable failure, Rejecter reject) {
        if (!(failure instanceof Refused refused) || refused.kind == null) {
            return;
        }
        refused.headers.forEach(req.response()::putHeader);
        boolean close = req.version() != HttpVersion.HTTP_2 && !req.isEnded();
        if (close) {
            req.response().putHeader("connection", "close");
            ConnectionMarks.closing(req.connection());
        }
        reject.reject(req, meters, refused.kind, refused.getMessage()).onComplete(x -> {
            if (close) {
                req.connection().close();
            }
        });
    }

    private Refused tooLarge(long limit, boolean inflated) {
        return new Refused(
                Problems.Kind.TOO_LARGE,
                "the " + (inflated ? "decoded " : "") + "body exceeds the limit of " + limit + " bytes");
    }

    private static Refused busy() {
        return new Refused(
                Problems.Kind.BODIES_IN_FLIGHT, "the router holds as many request bodies as it may; retry shortly");
    }

    private static long contentLength(HttpServerRequest req) {
        String cl = req.getHeader("content-length");
        try {
            return cl == null ? -1 : Long.parseLong(cl.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** One body being read, from its first byte until its request is answered. */
    private final class Read {
        final Promise<byte[]> promise = Promise.promise();
        final HttpServerRequest req;
        final RouteConfig route;
        final BooleanSupplier abandoned;
        final Decoding.Coding coding;
        /** Made at the first body byte: headers alone hold no inflater. */
        Decoding.Decoder decoder;

        List<byte[]> pieces = new ArrayList<>();
        long raw;
        long size;
        long held;
        boolean reading = true;
        boolean released;

        Read(HttpServerRequest req, RouteConfig route, Decoding.Coding coding, BooleanSupplier abandoned) {
            this.req = req;
            this.route = route;
            this.abandoned = abandoned;
            budget.readingStarted();
            req.response().endHandler(v -> release());
            req.response().closeHandler(v -> release());
            req.exceptionHandler(e -> stop(GONE));
            this.coding = coding;
            req.handler(this::chunk);
            req.endHandler(v -> end());
        }

        private void chunk(Buffer chunk) {
            if (!reading) {
                return;
            }
            if (abandoned.getAsBoolean()) {
                stop(GONE);
                return;
            }
            raw += chunk.length();
            try {
                if (raw > route.maxBodyBytes()) {
                    throw tooLarge(route.maxBodyBytes(), false);
                }
                byte[] bytes = chunk.getBytes();
                if (decoder == null) {
                    startDecoding();
                }
                if (decoder.inflates()) {
                    decoder.feed(bytes, (b, off, len) -> keep(copy(b, off, len)));
                } else {
                    keep(bytes);
                }
            } catch (Refused r) {
                stop(r);
            } catch (Decoding.Malformed m) {
                stop(new Refused(Problems.Kind.MALFORMED_ENCODING, m.getMessage()));
            }
        }

        private void startDecoding() {
            if (coding != Decoding.Coding.IDENTITY) {
                take(INFLATER_BYTES);
            }
            decoder = Decoding.decoder(coding);
        }

        private void keep(byte[] piece) {
            size += piece.length;
            if (size > route.maxBodyBytes()) {
                throw tooLarge(route.maxBodyBytes(), decoder.inflates());
            }
            take(piece.length);
            pieces.add(piece);
        }

        private void take(long n) {
            if (held + n > Math.min(budget.connectionBytes(), budget.processBytes())) {
                throw tooLarge(Math.min(budget.connectionBytes(), budget.processBytes()), false);
            }
            if (ConnectionMarks.bodyBytes(req.connection()) + n > budget.connectionBytes() || !budget.tryTake(n)) {
                throw busy();
            }
            ConnectionMarks.addBodyBytes(req.connection(), n);
            held += n;
        }

        private void end() {
            if (!reading) {
                return;
            }
            try {
                if (decoder == null) {
                    startDecoding();
                }
                decoder.finish();
            } catch (Refused r) {
                stop(r);
                return;
            } catch (Decoding.Malformed m) {
                stop(new Refused(Problems.Kind.MALFORMED_ENCODING, m.getMessage()));
                return;
            }
            byte[] body = new byte[(int) size];
            int at = 0;
            for (byte[] p : pieces) {
                System.arraycopy(p, 0, body, at, p.length);
                at += p.length;
            }
            finishReading();
            promise.complete(body);
        }

        /** Stops reading: the body is refused or its client gone; what it held is given back now. */
        private void stop(Refused why) {
            if (!reading) {
                return;
            }
            finishReading();
            giveBack();
            promise.tryFail(why);
        }

        private void finishReading() {
            reading = false;
            pieces = null;
            budget.readingEnded();
            if (decoder != null) {
                decoder.close();
            }
            if (decoder != null && decoder.inflates()) {
                ConnectionMarks.addBodyBytes(req.connection(), -INFLATER_BYTES);
                budget.give(INFLATER_BYTES);
                held -= INFLATER_BYTES;
            }
        }

        /** The request is answered or its connection closed. */
        private void release() {
            if (released) {
                return;
            }
            released = true;
            stop(GONE);
            giveBack();
        }

        private void giveBack() {
            if (held > 0) {
                ConnectionMarks.addBodyBytes(req.connection(), -held);
                budget.give(held);
                held = 0;
            }
        }
    }

    private static byte[] copy(byte[] b, int off, int len) {
        byte[] c = new byte[len];
        System.arraycopy(b, off, c, 0, len);
        return c;
    }
}
