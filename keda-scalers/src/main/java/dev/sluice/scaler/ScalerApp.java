package dev.sluice.scaler;

import dev.sluice.core.Deployed;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.management.ManagementServer;
import dev.sluice.scaler.impl.ScalerVerticle;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The deadline-aware KEDA external scaler: KEDA's {@code externalscaler.ExternalScaler} gRPC service
 * on {@code scaler.grpc.port}, health and Prometheus metrics on {@code scaler.management.port}.
 */
public final class ScalerApp {

    private final Deployed<ScalerVerticle> scaler;
    private final ManagementServer management;
    private final AtomicBoolean closing;

    private ScalerApp(Deployed<ScalerVerticle> scaler, ManagementServer management, AtomicBoolean closing) {
        this.scaler = scaler;
        this.management = management;
        this.closing = closing;
    }

    public static Future<ScalerApp> start(
            Vertx vertx, ScalerConfig config, KafkaConfig kafka, PrometheusMeterRegistry registry) {
        ScalerVerticle verticle = new ScalerVerticle(config, kafka, registry);
        AtomicBoolean closing = new AtomicBoolean();
        return Deployed.deploy(vertx, verticle)
                .compose(deployed -> ManagementServer.start(
                                vertx, config.host(), config.managementPort(), registry, () -> {
                                    boolean ready = !closing.get() && verticle.kafkaReachable();
                                    JsonObject details = new JsonObject()
                                            .put("kafka", verticle.kafkaState())
                                            .put("grpcPort", verticle.grpcPort());
                                    if (closing.get()) {
                                        details.put("draining", true);
                                    }
                                    return new ManagementServer.Readiness(ready, details);
                                })
                        .recover(e -> deployed.undeploy().transform(v -> Future.failedFuture(e)))
                        .map(m -> new ScalerApp(deployed, m, closing)));
    }

    public int grpcPort() {
        return scaler.verticle().grpcPort();
    }

    public int managementPort() {
        return management.port();
    }

    /** Graceful stop: readiness goes down, activation streams end, the ports close, Kafka clients close. */
    public Future<Void> close() {
        closing.set(true);
        return scaler.undeploy().eventually(management::close);
    }
}
