package dev.sluice.router.main;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Runtimes;
import dev.sluice.core.Settings;
import dev.sluice.core.tracing.Tracing;
import dev.sluice.core.tracing.TracingConfig;
import dev.sluice.router.RouterApp;
import dev.sluice.router.RouterConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a router process from the environment until SIGTERM, then drains within the configured bound. */
public final class RouterMain {

    private static final Logger LOG = LoggerFactory.getLogger(RouterMain.class);

    private RouterMain() {}

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.fromEnvironment(System.getenv(), System.getProperties());
        run(settings);
    }

    /** Starts, registers the SIGTERM drain, and returns the running app. Blocking: call from main. */
    public static RouterApp run(Settings settings) throws Exception {
        RouterConfig config = RouterConfig.from(settings);
        Path catalogFile = Path.of(settings.get("catalog.file", "sluice.json"));
        Catalog catalog = Catalog.load(catalogFile);
        KafkaConfig kafka = KafkaConfig.from(settings);
        LOG.info("starting router: {} {}", config, kafka);
        Tracing tracing = Tracing.start(TracingConfig.from(settings, "sluice-router"));
        Vertx vertx = Runtimes.vertx(settings, tracing);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RouterApp app = RouterApp.start(vertx, config, kafka, catalog, registry, tracing)
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        app.watchCatalog(catalogFile);
        Runtimes.stopOnShutdown("router", app::close, config.timeouts().drain().plusSeconds(5), vertx, tracing);
        return app;
    }
}
