package dev.sluice.router;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.MetricNames;
import dev.sluice.core.RouteConfig;
import dev.sluice.core.management.ManagementServer;
import dev.sluice.router.impl.RouterMetrics;
import dev.sluice.router.impl.http.IngestState;
import dev.sluice.router.impl.http.RouteTable;
import dev.sluice.router.impl.http.IngestVerticle;
import dev.sluice.router.impl.kafka.BrokerHealth;
import dev.sluice.router.impl.kafka.EventProducer;
import dev.sluice.router.impl.kafka.TopicReadiness;
import dev.sluice.router.impl.redis.Deduplicator;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running router: ingest servers on every event loop, one shared producer, health and metrics. */
public final class RouterApp {

    private static final Logger LOG = LoggerFactory.getLogger(RouterApp.class);

    private final Vertx vertx;
    private final RouterConfig config;
    private final IngestState state;
    private final List<IngestVerticle> verticles;
    private final long[] timers;
    private final List<Long> extraTimers = new CopyOnWriteArrayList<>();
    private String deploymentId;
    private ManagementServer management;

    private RouterApp(Vertx vertx, RouterConfig config, IngestState state, List<IngestVerticle> verticles, long[] timers) {
        this.vertx = vertx;
        this.config = config;
        this.state = state;
        this.verticles = verticles;
        this.timers = timers;
    }

    public static Future<RouterApp> start(Vertx vertx, RouterConfig config, KafkaConfig kafka, Catalog catalog,
                                          PrometheusMeterRegistry registry) {
        List<String> topics = catalog.routes().values().stream().map(RouteConfig::topic).distinct().collect(Collectors.toList());
        return vertx.executeBlocking(() -> {
            EventProducer producer = EventProducer.create(kafka, config.produceTimeout(), config.maxInFlightRecords(),
                    config.maxInFlightBytes());
            BrokerHealth health = BrokerHealth.create(kafka, config.produceTimeout());
            TopicReadiness readiness = new TopicReadiness(health.admin(), producer, topics);
            RouterMetrics metrics = new RouterMetrics(registry, catalog.routes().keySet());
            Gauge.builder(MetricNames.ROUTER_IN_FLIGHT, producer, EventProducer::inFlightRecords)
                    .description("Records sent to Kafka and not yet acknowledged").register(registry);
            Deduplicator dedup = config.redisUrl() == null ? null : new Deduplicator(vertx, RedisAPI.api(Redis.createClient(vertx,
                    new RedisOptions().setConnectionString(config.redisUrl()).setMaxPoolSize(16).setMaxPoolWaiting(10_000))));
            return new IngestState(config, new RouteTable(catalog.routes()), producer, health, readiness, metrics, new AtomicBoolean(),
                    dedup);
        }).compose(state -> {
            state.health().probe();
            long healthTimer = vertx.setPeriodic(config.healthInterval().toMillis(), id -> state.health().probe());
            long topicTimer = vertx.setPeriodic(2000, id -> {
                if (!state.topics().allReady()) {
                    refreshTopics(vertx, state);
                }
            });
            List<IngestVerticle> verticles = new CopyOnWriteArrayList<>();
            RouterApp app = new RouterApp(vertx, config, state, verticles, new long[] {healthTimer, topicTimer});
            return refreshTopics(vertx, state)
                    .compose(v -> vertx.deployVerticle(() -> {
                        IngestVerticle verticle = new IngestVerticle(state);
                        verticles.add(verticle);
                        return verticle;
                    }, new DeploymentOptions().setInstances(config.instances())))
                    .compose(id -> {
                        app.deploymentId = id;
                        return ManagementServer.start(vertx, config.host(), config.managementPort(), registry, app::readiness);
                    })
                    .map(m -> {
                        app.management = m;
                        LOG.info("router listening on {}:{} (management :{}), {} routes, {} instances", config.host(), config.port(),
                                config.managementPort(), state.routes().all().size(), config.instances());
                        return app;
                    });
        });
    }

    private static Future<Void> refreshTopics(Vertx vertx, IngestState state) {
        return vertx.executeBlocking(() -> {
            state.topics().refresh(2000);
            return null;
        }, false);
    }

    /**
     * Reloads the catalog's routes from {@code file} whenever it changes (checked every
     * {@code router.catalog.reload}). A file that does not parse is logged and ignored: the routes
     * in force stay. New topics are checked before their routes take traffic.
     */
    public void watchCatalog(Path file) {
        if (config.catalogReload().isZero()) {
            return;
        }
        long[] lastModified = {modified(file)};
        long timer = vertx.setPeriodic(config.catalogReload().toMillis(), id -> vertx.executeBlocking(() -> {
            long m = modified(file);
            if (m == lastModified[0]) {
                return null;
            }
            lastModified[0] = m;
            try {
                Catalog next = Catalog.load(file);
                state.topics().track(next.routes().values().stream().map(RouteConfig::topic).distinct().toList());
                state.topics().refresh(2000);
                next.routes().keySet().forEach(state.metrics()::route);
                state.routes().replace(next.routes());
                LOG.info("catalog reloaded from {}: {} routes", file, next.routes().size());
            } catch (RuntimeException e) {
                LOG.error("catalog {} not reloaded, the routes in force stay: {}", file, e.getMessage());
            }
            return null;
        }, false));
        extraTimers.add(timer);
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis() ^ Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Ready when Kafka is reachable, every routed topic exists, and the router is not draining. */
    public ManagementServer.Readiness readiness() {
        boolean kafka = state.health().reachable();
        boolean topics = state.topics().allReady();
        boolean draining = state.draining().get();
        JsonObject topicStates = new JsonObject();
        state.topics().states().forEach((t, s) -> topicStates.put(t, s.name().toLowerCase(java.util.Locale.ROOT)));
        JsonObject details = new JsonObject().put("kafka", kafka ? "reachable" : "unreachable: " + state.health().lastError())
                .put("topics", topicStates).put("draining", draining).put("inFlight", state.producer().inFlightRecords());
        return new ManagementServer.Readiness(kafka && topics && !draining, details);
    }

    public RouterConfig config() {
        return config;
    }

    /**
     * Drains and stops: readiness turns false, new requests get 503, requests in progress are
     * answered (up to the drain timeout), the producer is flushed, and everything is closed.
     */
    public Future<Void> close() {
        if (!state.draining().compareAndSet(false, true)) {
            return Future.succeededFuture();
        }
        LOG.info("router draining (bound {} ms)", config.drainTimeout().toMillis());
        for (long t : timers) {
            vertx.cancelTimer(t);
        }
        extraTimers.forEach(vertx::cancelTimer);
        long bound = config.drainTimeout().toMillis();
        long grace = Math.min(config.drainGrace().toMillis(), bound / 2);
        // While draining, every response says "connection: close" and new requests get 503 draining;
        // after the grace period the listeners stop and in-flight requests get their answers.
        return vertx.timer(Math.max(1, grace)).<Void>mapEmpty()
                .compose(v -> Future.join(verticles.stream().map(vert -> vert.shutdown(bound - grace)).collect(Collectors.toList())))
                .<Void>mapEmpty().recover(e -> Future.succeededFuture())
                .compose(v -> vertx.executeBlocking(() -> {
                    state.producer().close(Duration.ofMillis(Math.max(1000, bound / 2)));
                    state.health().close();
                    return null;
                }))
                .compose(v -> deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId))
                .compose(v -> management == null ? Future.succeededFuture() : management.close())
                .onComplete(ar -> LOG.info("router stopped"));
    }
}
