package dev.sluice.executor.main;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Runtimes;
import dev.sluice.core.Settings;
import dev.sluice.core.tracing.Tracing;
import dev.sluice.core.tracing.TracingConfig;
import dev.sluice.executor.ExecutorApp;
import dev.sluice.executor.ExecutorConfig;
import dev.sluice.executor.impl.trigger.TriggerConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs an executor process from the environment until SIGTERM, then finishes in-flight runs within the bound. */
public final class ExecutorMain {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorMain.class);

    private ExecutorMain() {}

    public static void main(String[] args) throws Exception {
        run(Settings.fromEnvironment(System.getenv(), System.getProperties()));
    }

    /** Starts and registers the SIGTERM drain. Blocking: call from main. */
    public static ExecutorApp run(Settings settings) throws Exception {
        ExecutorConfig config = ExecutorConfig.from(settings);
        Catalog catalog = Catalog.load(Path.of(settings.get("catalog.file", "sluice.json")));
        KafkaConfig kafka = KafkaConfig.from(settings);
        LOG.info("starting executor: {} {}", config, kafka);
        Tracing tracing = Tracing.start(TracingConfig.from(settings, "sluice-executor"));
        Vertx vertx = Runtimes.vertx(settings, tracing);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ExecutorApp app = ExecutorApp.start(
                        vertx, config, TriggerConfig.from(settings), kafka, catalog, registry, tracing)
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        Runtimes.stopOnShutdown("executor", app::close, config.shutdownTimeout().plusSeconds(15), vertx, tracing);
        return app;
    }
}
