package dev.sluice.scaler.impl;

import dev.sluice.core.KafkaConfig;
import dev.sluice.scaler.ScalerConfig;
import dev.sluice.scaler.impl.grpc.ExternalScalerService;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.server.GrpcServer;

/**
 * The gRPC endpoint and the scaler's state on one event loop. KEDA makes a few calls per second at
 * most, so one loop is plenty, and confining everything to it keeps the state lock-free.
 */
public final class ScalerVerticle extends VerticleBase {

    private final ScalerConfig config;
    private final KafkaConfig kafka;
    private final MeterRegistry registry;
    private ScalerEngine engine;
    private ExternalScalerService service;
    private HttpServer server;
    private volatile boolean kafkaReachable;
    private volatile String kafkaState = "not checked yet";
    private long probeTimer = -1;

    public ScalerVerticle(ScalerConfig config, KafkaConfig kafka, MeterRegistry registry) {
        this.config = config;
        this.kafka = kafka;
        this.registry = registry;
    }

    @Override
    public Future<?> start() {
        engine = new ScalerEngine(vertx, context, config, kafka, registry);
        service = new ExternalScalerService(engine, registry);
        GrpcServer grpc = GrpcServer.server(vertx);
        service.bind(grpc);
        probe();
        probeTimer = vertx.setPeriodic(5000, id -> probe());
        server = vertx.createHttpServer(
                        new HttpServerOptions().setHost(config.host()).setPort(config.grpcPort()))
                .requestHandler(grpc);
        return server.listen();
    }

    private void probe() {
        engine.probeKafka().onComplete(ar -> {
            kafkaReachable = ar.succeeded();
            kafkaState =
                    ar.succeeded() ? "reachable" : "unreachable: " + ar.cause().getMessage();
        });
    }

    public int grpcPort() {
        return server.actualPort();
    }

    public boolean kafkaReachable() {
        return kafkaReachable;
    }

    public String kafkaState() {
        return kafkaState;
    }

    /** Ends the activation streams (KEDA reconnects elsewhere), stops listening, closes the Kafka clients. */
    @Override
    public Future<?> stop() {
        vertx.cancelTimer(probeTimer);
        service.endStreams();
        return server.close().eventually(() -> engine.close());
    }
}
