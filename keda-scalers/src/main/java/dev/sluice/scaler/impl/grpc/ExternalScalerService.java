package dev.sluice.scaler.impl.grpc;

import dev.sluice.scaler.Evaluation;
import dev.sluice.scaler.ScalerException;
import dev.sluice.scaler.ScalerMetadata;
import dev.sluice.scaler.impl.ScalerEngine;
import dev.sluice.scaler.impl.ScalerMetrics;
import dev.sluice.scaler.impl.grpc.proto.GetMetricSpecResponse;
import dev.sluice.scaler.impl.grpc.proto.GetMetricsRequest;
import dev.sluice.scaler.impl.grpc.proto.GetMetricsResponse;
import dev.sluice.scaler.impl.grpc.proto.IsActiveResponse;
import dev.sluice.scaler.impl.grpc.proto.MetricSpec;
import dev.sluice.scaler.impl.grpc.proto.MetricValue;
import dev.sluice.scaler.impl.grpc.proto.ScaledObjectRef;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vertx.grpc.server.StatusException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KEDA's four calls over the {@link ScalerEngine}. Bad metadata answers INVALID_ARGUMENT, a topic or
 * group that does not exist NOT_FOUND, an unreachable Kafka UNAVAILABLE, each with a message that
 * names the key or the resource; the server keeps serving.
 */
public final class ExternalScalerService {

    private static final Logger LOG = LoggerFactory.getLogger(ExternalScalerService.class);

    private final ScalerEngine engine;
    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final AtomicInteger streams = new AtomicInteger();
    private final Set<ActiveStream> openStreams = new HashSet<>();
    private final Map<HttpConnection, Set<ActiveStream>> byConnection = new HashMap<>();

    public ExternalScalerService(ScalerEngine engine, MeterRegistry registry) {
        this.engine = engine;
        this.registry = registry;
        registry.gauge(ScalerMetrics.STREAMS, streams);
    }

    public void bind(GrpcServer server) {
        server.callHandler(
                ExternalScalerMethods.IS_ACTIVE,
                req -> unary(
                        req,
                        "IsActive",
                        r -> r,
                        (md, ref) -> engine.evaluate(md)
                                .map(e -> IsActiveResponse.newBuilder()
                                        .setResult(e.active())
                                        .build())));
        server.callHandler(
                ExternalScalerMethods.GET_METRIC_SPEC,
                req -> unary(req, "GetMetricSpec", r -> r, (md, ref) -> Future.succeededFuture(metricSpec(md))));
        server.callHandler(
                ExternalScalerMethods.GET_METRICS,
                req -> unary(
                        req,
                        "GetMetrics",
                        GetMetricsRequest::getScaledObjectRef,
                        (md, r) -> engine.evaluate(md).map(e -> metrics(r.getMetricName(), e))));
        server.callHandler(ExternalScalerMethods.STREAM_IS_ACTIVE, this::streamIsActive);
    }

    /** Ends every open activation stream (OK status), so that KEDA reconnects to another replica. */
    public void endStreams() {
        new HashSet<>(openStreams).forEach(ActiveStream::end);
    }

    static GetMetricSpecResponse metricSpec(ScalerMetadata md) {
        return GetMetricSpecResponse.newBuilder()
                .addMetricSpecs(MetricSpec.newBuilder()
                        .setMetricName(md.metricName())
                        .setTargetSize(Math.max(1, Math.round(md.replicaRate())))
                        .setTargetSizeFloat(md.replicaRate()))
                .build();
    }

    static GetMetricsResponse metrics(String requestedName, Evaluation e) {
        String name =
                requestedName == null || requestedName.isEmpty() ? e.metadata().metricName() : requestedName;
        return GetMetricsResponse.newBuilder()
                .addMetricValues(MetricValue.newBuilder()
                        .setMetricName(name)
                        .setMetricValue((long) Math.ceil(e.reportedRate()))
                        .setMetricValueFloat(e.reportedRate()))
                .build();
    }

    private interface Call<Req, Resp> {
        Future<Resp> apply(ScalerMetadata md, Req request);
    }

    private <Req, Resp> void unary(
            GrpcServerRequest<Req, Resp> req, String method, Function<Req, ScaledObjectRef> ref, Call<Req, Resp> call) {
        req.last()
                .compose(r -> {
                    ScaledObjectRef so = ref.apply(r);
                    return parse(so).compose(md -> call.apply(md, r)).recover(e -> Future.failedFuture(withRef(e, so)));
                })
                .onComplete(ar -> {
                    GrpcServerResponse<Req, Resp> resp = req.response();
                    if (ar.succeeded()) {
                        count(method, "ok");
                        resp.end(ar.result());
                    } else {
                        resp.fail(status(method, ar.cause()));
                    }
                });
    }

    private void streamIsActive(GrpcServerRequest<ScaledObjectRef, IsActiveResponse> req) {
        GrpcServerResponse<ScaledObjectRef, IsActiveResponse> resp = req.response();
        req.last()
                .compose(so -> parse(so)
                        .compose(md -> {
                            // KEDA learns the state at once, then each change
                            return engine.evaluate(md).compose(first -> {
                                ActiveStream stream = new ActiveStream(resp, first.active());
                                return engine.subscribe(md, stream).map(sub -> {
                                    stream.subscription = sub;
                                    openStreams.add(stream);
                                    streams.incrementAndGet();
                                    count("StreamIsActive", "ok");
                                    req.errorHandler(err -> stream.release());
                                    req.exceptionHandler(err -> stream.release());
                                    resp.exceptionHandler(err -> stream.release());
                                    // KEDA multiplexes its streams over one connection: one close handler releases them
                                    // all
                                    Set<ActiveStream> onConnection =
                                            byConnection.computeIfAbsent(req.connection(), c -> {
                                                c.closeHandler(v -> {
                                                    Set<ActiveStream> left = byConnection.remove(c);
                                                    if (left != null) {
                                                        new HashSet<>(left).forEach(ActiveStream::release);
                                                    }
                                                });
                                                return new HashSet<>();
                                            });
                                    onConnection.add(stream);
                                    stream.connection = req.connection();
                                    LOG.info(
                                            "StreamIsActive opened for topic {} group {} (active={})",
                                            md.topic(),
                                            md.group(),
                                            first.active());
                                    return sub;
                                });
                            });
                        })
                        .recover(e -> Future.failedFuture(withRef(e, so))))
                .onFailure(e -> resp.fail(status("StreamIsActive", e)));
    }

    /** One open StreamIsActive call: writes the first state, then each change. */
    private final class ActiveStream implements ScalerEngine.Listener {

        private final GrpcServerResponse<ScaledObjectRef, IsActiveResponse> resp;
        private boolean lastSent;
        private boolean released;
        ScalerEngine.Subscription subscription;
        HttpConnection connection;

        ActiveStream(GrpcServerResponse<ScaledObjectRef, IsActiveResponse> resp, boolean first) {
            this.resp = resp;
            this.lastSent = first;
            resp.write(IsActiveResponse.newBuilder().setResult(first).build());
        }

        @Override
        public void onEvaluation(Evaluation e) {
            send(e.active());
        }

        @Override
        public void onArrival() {
            send(true);
        }

        private void send(boolean active) {
            if (!released && active != lastSent) {
                lastSent = active;
                resp.write(IsActiveResponse.newBuilder().setResult(active).build());
            }
        }

        void release() {
            if (!released) {
                released = true;
                if (subscription != null) {
                    subscription.cancel();
                }
                openStreams.remove(this);
                Set<ActiveStream> onConnection = connection == null ? null : byConnection.get(connection);
                if (onConnection != null) {
                    onConnection.remove(this);
                }
                streams.decrementAndGet();
            }
        }

        void end() {
            boolean wasOpen = !released;
            release();
            if (wasOpen) {
                resp.end();
            }
        }
    }

    private Future<ScalerMetadata> parse(ScaledObjectRef so) {
        try {
            return Future.succeededFuture(
                    ScalerMetadata.parse(so.getScalerMetadataMap(), engine.defaultBootstrapServers()));
        } catch (ScalerException e) {
            return Future.failedFuture(e);
        }
    }

    private static Throwable withRef(Throwable e, ScaledObjectRef so) {
        if (e instanceof ScalerException se && !se.getMessage().startsWith("ScaledObject ")) {
            return new ScalerException(
                    se.kind(), "ScaledObject " + so.getNamespace() + "/" + so.getName() + ": " + se.getMessage(), se);
        }
        return e;
    }

    private StatusException status(String method, Throwable e) {
        GrpcStatus status = GrpcStatus.INTERNAL;
        if (e instanceof ScalerException se) {
            status = switch (se.kind()) {
                case INVALID_ARGUMENT -> GrpcStatus.INVALID_ARGUMENT;
                case NOT_FOUND -> GrpcStatus.NOT_FOUND;
                case UNAVAILABLE -> GrpcStatus.UNAVAILABLE;
            };
        }
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        LOG.warn("{} failed: {} {}", method, status.name(), message);
        count(method, status.name());
        return new StatusException(status, message);
    }

    private void count(String method, String outcome) {
        counters.computeIfAbsent(
                        method + "|" + outcome,
                        k -> Counter.builder(ScalerMetrics.REQUESTS)
                                .description("gRPC calls from KEDA")
                                .tags("method", method, "outcome", outcome)
                                .register(registry))
                .increment();
    }
}
