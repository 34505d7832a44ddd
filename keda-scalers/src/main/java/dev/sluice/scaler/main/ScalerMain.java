package dev.sluice.scaler.main;

import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Runtimes;
import dev.sluice.core.Settings;
import dev.sluice.scaler.ScalerApp;
import dev.sluice.scaler.ScalerConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the scaler from the environment ({@code SLUICE_SCALER_*}, {@code SLUICE_KAFKA_*}) until SIGTERM. */
public final class ScalerMain {

    private static final Logger LOG = LoggerFactory.getLogger(ScalerMain.class);

    private ScalerMain() {}

    public static void main(String[] args) throws Exception {
        run(Settings.fromEnvironment(System.getenv(), System.getProperties()));
        new CountDownLatch(1).await();
    }

    /** Starts the scaler and registers the SIGTERM shutdown. Blocking: call from main. */
    public static ScalerApp run(Settings settings) throws Exception {
        ScalerConfig config = ScalerConfig.from(settings);
        KafkaConfig kafka = KafkaConfig.from(settings);
        LOG.info("starting scaler: {} {}", config, kafka);
        Vertx vertx = Runtimes.vertx(settings);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ScalerApp app;
        try {
            app = ScalerApp.start(vertx, config, kafka, registry)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw e;
        }
        LOG.info(
                "scaler ready: gRPC (KEDA externalscaler) on {}:{}, management on {}:{}",
                config.host(),
                app.grpcPort(),
                config.host(),
                app.managementPort());
        Runtimes.stopOnShutdown(
                "scaler",
                () -> {
                    LOG.info("SIGTERM: ending activation streams, closing the ports and the Kafka clients");
                    return app.close();
                },
                java.time.Duration.ofSeconds(10),
                vertx);
        return app;
    }
}
