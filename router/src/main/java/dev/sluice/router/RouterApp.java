package dev.sluice.router;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.MetricNames;
import dev.sluice.core.RouteConfig;
import dev.sluice.core.management.JvmMeters;
import dev.sluice.core.management.LiveDashboard;
import dev.sluice.core.management.ManagementServer;
import dev.sluice.router.impl.ui.RouterFigures;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import dev.sluice.router.impl.RouterMetrics;
import dev.sluice.router.impl.http.IngestState;
import dev.sluice.router.impl.http.RouteTable;
import dev.sluice.router.impl.http.IngestVerticle;
import dev.sluice.router.impl.kafka.BrokerHealth;
import dev.sluice.router.impl.kafka.EventProducer;
import dev.sluice.router.impl.kafka.TopicReadiness;
import dev.sluice.router.impl.redis.Deduplicator;
import dev.sluice.core.db.Migrations;
import dev.sluice.core.redis.TurnBatchedRedis;
import dev.sluice.router.impl.admin.AdminApi;
import dev.sluice.router.impl.workflow.WorkflowDirectory;
import dev.sluice.router.impl.auth.AccessSnapshot;
import dev.sluice.router.impl.auth.AccessStore;
import dev.sluice.router.impl.http.Admission;
import dev.sluice.router.impl.mqtt.MqttVerticle;
import dev.sluice.router.impl.http.BodyBudget;
import dev.sluice.router.impl.ratelimit.RateLimiter;
import io.micrometer.core.instrument.Counter;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.concurrent.atomic.AtomicReference;
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
import java.util.function.Supplier;
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
    private volatile String deploymentId;
    private final List<String> mqttDeployments = new CopyOnWriteArrayList<>();
    private volatile JvmMeters jvmMeters;
    private volatile KafkaClientMetrics producerMeters;
    private volatile AccessStore access;
    private volatile Pool pool;
    private volatile ManagementServer management;

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
        AtomicReference<AccessStore> store = new AtomicReference<>();
        Pool[] pool = {null};
        return vertx.executeBlocking(() -> {
            EventProducer producer = EventProducer.create(kafka, config.produceTimeout(), config.maxInFlightRecords(),
                    config.maxInFlightBytes(), config.unsafeProducer());
            int bodyLimit = bodyLimit(producer);
            BrokerHealth health = BrokerHealth.create(kafka, config.produceTimeout());
            TopicReadiness readiness = new TopicReadiness(health.admin(), producer, topics);
            RouterMetrics metrics = new RouterMetrics(registry, catalog.routes().keySet());
            Gauge.builder(MetricNames.ROUTER_IN_FLIGHT, producer, EventProducer::inFlightRecords)
                    .description("Records sent to Kafka and not yet acknowledged").register(registry);
            // Single commands from an ingest event loop go in that loop's pipelined batch, which leaves
            // router.redis.batch.window after its first command: the duplicate claims and replay checks of
            // many requests share one Redis round trip (docs/benchmarks/history.md: the window roughly halved Redis's
            // and the router's CPU per signed, deduplicated event).
            RedisOptions redisOptions = config.redisUrl() == null ? null
                    : new RedisOptions().setConnectionString(config.redisUrl()).setMaxPoolSize(16).setMaxPoolWaiting(10_000);
            Redis redisClient = redisOptions == null ? null : new TurnBatchedRedis(Redis.createClient(vertx, redisOptions),
                    loop -> Redis.createClient(vertx, new RedisOptions(redisOptions).setMaxPoolSize(4)), config.redisBatchWindow());
            RedisAPI redis = redisClient == null ? null : RedisAPI.api(redisClient);
            Deduplicator dedup = redisClient == null ? null : new Deduplicator(vertx, redisClient, config.redisTimeout().toMillis());
            Counter degraded = Counter.builder("sluice.router.ratelimit.degraded")
                    .description("Rate budget leases granted locally because Redis was unreachable").register(registry);
            RouteTable routes = new RouteTable(catalog.routes(), bodyLimit);
            Admission admission = new Admission(routes, () -> {
                AccessStore s = store.get();
                return s == null ? AccessSnapshot.EMPTY : s.snapshot();
            }, new RateLimiter(redis, degraded::increment));
            return new IngestState(config, routes, producer, health, readiness, metrics, new AtomicBoolean(), dedup, admission,
                    new BodyBudget(config.bodies(), registry));
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
            // JVM, GC, process and the producer's own client metrics beside Sluice's.
            app.jvmMeters = JvmMeters.bind(registry);
            app.producerMeters = new KafkaClientMetrics(state.producer().unwrap());
            app.producerMeters.bindTo(registry);
            // Three independent starts run side by side (start-up time is what a new pod waits on):
            // the ingest listeners; the access store and then the management server (its admin API
            // needs the store's pool); the access store and then the topics' check. Readiness stays
            // false until the listeners are up and every topic is known.
            Supplier<AccessSnapshot> snapshots = () -> {
                AccessStore s = store.get();
                return s == null ? AccessSnapshot.EMPTY : s.snapshot();
            };
            WorkflowDirectory workflows = new WorkflowDirectory(catalog.workflows(), () -> pool[0]);
            Future<String> listening = vertx.deployVerticle(() -> {
                IngestVerticle verticle = new IngestVerticle(state, workflows, snapshots);
                verticles.add(verticle);
                return verticle;
            }, new DeploymentOptions().setInstances(config.instances())).onSuccess(id -> app.deploymentId = id);
            Future<?> mqtt = !config.mqtt().enabled() ? Future.succeededFuture() : Future.all(
                    mqttListener(vertx, config, state, snapshots, false, app),
                    config.mqtt().tlsPort() > 0 && config.tls() ? mqttListener(vertx, config, state, snapshots, true, app)
                            : Future.succeededFuture());
            Future<Void> access = startAccess(vertx, config, state, registry, store, pool).onSuccess(v -> {
                app.access = store.get();
                app.pool = pool[0];
            });
            Future<ManagementServer> management = access.compose(v -> ManagementServer.start(vertx, config.host(),
                            config.managementPort(), registry, app::readiness,
                            config.adminKey() == null ? null : new AdminApi(vertx, config.adminKey(), pool[0],
                                    source -> state.routes().get(source) != null),
                            new LiveDashboard(vertx, "router", new RouterFigures(registry))))
                    .onSuccess(m -> app.management = m);
            Future<Void> topicsChecked = access.compose(v -> refreshTopics(vertx, state));
            return Future.all(listening, management, topicsChecked, mqtt)
                    .map(v -> {
                        LOG.info("router listening on {}:{} (management :{}{}), {} routes, {} instances", config.host(), config.port(),
                                config.managementPort(), config.mqtt().enabled() ? ", MQTT :" + config.mqtt().port()
                                        + (config.mqtt().tlsPort() > 0 && config.tls() ? ", MQTT over TLS :" + config.mqtt().tlsPort() : "")
                                        : "", state.routes().all().size(), config.instances());
                        return app;
                    })
                    .recover(err -> Future.join(listening, management, topicsChecked, mqtt).transform(x ->
                            app.close().transform(y -> Future.<RouterApp>failedFuture(err))));
        });
    }

    /** One MQTT listener (plain or TLS), one verticle per event loop on a shared port. */
    private static Future<String> mqttListener(Vertx vertx, RouterConfig config, IngestState state, Supplier<AccessSnapshot> snapshots,
                                               boolean tls, RouterApp app) {
        return vertx.deployVerticle(() -> new MqttVerticle(state, snapshots, tls), new DeploymentOptions().setInstances(config.instances()))
                .onSuccess(app.mqttDeployments::add);
    }

    /**
     * With {@code pg.url}: applies the schema, loads tenants, keys and stored sources, and keeps them
     * current through LISTEN/NOTIFY. PostgreSQL being down does not stop the start: the store keeps
     * trying, and sources that need a key refuse every request until the first load.
     */
    private static Future<Void> startAccess(Vertx vertx, RouterConfig config, IngestState state, PrometheusMeterRegistry registry,
                                            AtomicReference<AccessStore> store, Pool[] pool) {
        if (config.pgUrl() == null) {
            return Future.succeededFuture();
        }
        PgConnectOptions connect = PgConnectOptions.fromUri(config.pgUrl()).addProperty("client_min_messages", "warning");
        pool[0] = PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(connect).using(vertx).build();
        AtomicReference<AccessStore> self = new AtomicReference<>();
        AccessStore s = new AccessStore(vertx, pool[0], connect, config.accessRefresh().toMillis(),
                snapshot -> applyStored(vertx, state, snapshot, () -> self.get().snapshot()));
        self.set(s);
        store.set(s);
        Gauge.builder("sluice.router.access.store.up", s, st -> st.healthy() ? 1 : 0)
                .description("1 while tenants, keys and sources are loaded and listened to; 0 while served from memory only")
                .register(registry);
        return Migrations.apply(pool[0])
                .onFailure(e -> LOG.warn("schema not applied (PostgreSQL unreachable?); the access store keeps retrying: {}",
                        e.toString()))
                .otherwiseEmpty()
                .compose(v -> s.start())
                // Stored sources take traffic from the first request on.
                .compose(v -> applyStored(vertx, state, s.snapshot(), s::snapshot));
    }

    /**
     * Stored sources take effect once their topics have been looked at, so they never start with
     * "unknown"; a snapshot overtaken by a newer one while its topics were checked is not applied.
     */
    private static Future<Void> applyStored(Vertx vertx, IngestState state, AccessSnapshot snapshot,
                                            java.util.function.Supplier<AccessSnapshot> current) {
        List<String> topics = snapshot.sources().values().stream().map(RouteConfig::topic).distinct().toList();
        return vertx.executeBlocking(() -> {
            state.topics().track(topics);
            state.topics().refresh(2000);
            return null;
        }, false).otherwiseEmpty().map(v -> {
            if (current.get() == snapshot) {
                snapshot.sources().keySet().forEach(state.metrics()::route);
                state.routes().replaceStored(snapshot.sources());
            }
            return null;
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

    /** The largest body one record of this producer can carry. */
    private static int bodyLimit(EventProducer producer) {
        return Math.max(1, producer.maxRecordBytes() - EventProducer.RECORD_ALLOWANCE);
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
        if (access != null) {
            // PostgreSQL down does not make the router unready: ingest goes on with the keys in memory.
            AccessSnapshot s = access.snapshot();
            JsonObject a = new JsonObject().put("store", access.healthy() ? "live" : "serving from memory: " + access.lastError())
                    .put("loadedAt", access.loadedAtMillis() == 0 ? null : java.time.Instant.ofEpochMilli(access.loadedAtMillis()).toString())
                    .put("tenants", s.tenants().size()).put("keys", s.keys().size()).put("sources", s.sources().size());
            if (!s.rejected().isEmpty()) {
                a.put("rejectedSources", new io.vertx.core.json.JsonArray(s.rejected()));
            }
            details.put("access", a);
        }
        boolean listening = deploymentId != null;
        details.put("listening", listening);
        return new ManagementServer.Readiness(listening && kafka && topics && !draining, details);
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
                // Devices are told the router is going (MQTT 5: DISCONNECT 0x8B); what they had in flight they send again elsewhere.
                .compose(v -> Future.join(mqttDeployments.stream().map(vertx::undeploy).collect(Collectors.toList())))
                .<Void>mapEmpty().recover(e -> Future.succeededFuture())
                .compose(v -> Future.join(verticles.stream().map(vert -> vert.shutdown(bound - grace)).collect(Collectors.toList())))
                .<Void>mapEmpty().recover(e -> Future.succeededFuture())
                .compose(v -> vertx.executeBlocking(() -> {
                    if (producerMeters != null) {
                        producerMeters.close();
                    }
                    if (jvmMeters != null) {
                        jvmMeters.close();
                    }
                    state.producer().close(Duration.ofMillis(Math.max(1000, bound / 2)));
                    state.health().close();
                    return null;
                }))
                .compose(v -> deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId))
                .compose(v -> management == null ? Future.succeededFuture() : management.close())
                .compose(v -> access == null ? Future.succeededFuture() : access.close())
                .compose(v -> pool == null ? Future.succeededFuture() : pool.close())
                .onComplete(ar -> LOG.info("router stopped"));
    }
}
