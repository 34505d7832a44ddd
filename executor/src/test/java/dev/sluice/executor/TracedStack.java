package dev.sluice.executor;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.core.tracing.Tracing;
import dev.sluice.executor.impl.trigger.TriggerConfig;
import dev.sluice.router.RouterApp;
import dev.sluice.router.RouterConfig;
import dev.sluice.testkit.Ports;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A router and an executor in this JVM on one Vert.x (built by the router's tracing, so that its
 * tracer makes the ingest span), each with its own {@link Tracing}, the executor assigned its one
 * partition before this returns: the stack of the tracing tests.
 */
final class TracedStack implements AutoCloseable {

    final RouterApp router;
    final ExecutorApp executor;
    /** The router's ingest port. */
    final int port;

    private TracedStack(RouterApp router, ExecutorApp executor, int port) {
        this.router = router;
        this.executor = executor;
        this.port = port;
    }

    static TracedStack start(
            Vertx vertx,
            String bootstrap,
            Catalog catalog,
            String group,
            Tracing routerTracing,
            Tracing executorTracing)
            throws Exception {
        KafkaConfig kafka = KafkaConfig.of(bootstrap);
        int port = Ports.freePort();
        RouterConfig rc =
                RouterConfig.from(Settings.of(Map.of("router.instances", "1", "router.produce.timeout", "5s")))
                        .toBuilder()
                        .ports("127.0.0.1", port, Ports.freePort())
                        .build();
        RouterApp router = await(RouterApp.start(
                vertx, rc, kafka, catalog, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), routerTracing));
        ExecutorConfig ec = ExecutorConfig.from(Settings.of(Map.of("executor.instances", "1")))
                .withManagement("127.0.0.1", Ports.freePort())
                .withGroup(group + "-" + ThreadLocalRandom.current().nextInt(1 << 20));
        ExecutorApp executor = await(ExecutorApp.start(
                vertx,
                ec,
                TriggerConfig.defaults(),
                kafka,
                catalog,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                executorTracing));
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .until(() ->
                        executor.readiness().ready() && executor.assignment().size() == 1);
        return new TracedStack(router, executor, port);
    }

    @Override
    public void close() throws Exception {
        try {
            await(executor.close());
        } finally {
            await(router.close());
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
}
