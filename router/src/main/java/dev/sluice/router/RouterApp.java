package dev.sluice.router;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.management.JvmMeters;
import dev.sluice.core.management.LiveDashboard;
import dev.sluice.core.management.ManagementServer;
import dev.sluice.core.tracing.Tracing;
import dev.sluice.router.impl.admin.AdminApi;
import dev.sluice.router.impl.admin.ContractEndpoint;
import dev.sluice.router.impl.http.IngestState;
import dev.sluice.router.impl.http.IngestTracing;
import dev.sluice.router.impl.http.IngestVerticle;
import dev.sluice.router.impl.mqtt.MqttVerticle;
import dev.sluice.router.impl.mqtt.SessionMeters;
import dev.sluice.router.impl.ui.RouterFigures;
import dev.sluice.router.impl.workflow.WorkflowDirectory;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running router: ingest servers on every event loop, one shared producer, health and metrics. */
public final class RouterApp {

    private static final Logger LOG = LoggerFactory.getLogger(RouterApp.class);

    private final Vertx vertx;
    private final RouterConfig config;
    private final IngestState state;
    private final AtomicReference<StoredAccess> access;
    private final List<IngestVerticle> verticles = new CopyOnWriteArrayList<>();
    private final List<Long> timers = new CopyOnWriteArrayList<>();
    private final List<String> mqttDeployments = new CopyOnWriteArrayList<>();
    /** Shared by the MQTT listeners' verticles; made when the first is deployed. */
    private SessionMeters mqttMeters;

    private final JvmMeters jvmMeters;
    private final KafkaClientMetrics producerMeters;
    private volatile Optional<String> listening = Optional.empty();
    private volatile Optional<ManagementServer> management = Optional.empty();
    private final WorkflowDirectory workflows;

    private RouterApp(
            Vertx vertx,
            RouterConfig config,
            IngestState state,
            AtomicReference<StoredAccess> access,
            WorkflowDirectory workflows,
            PrometheusMeterRegistry registry) {
        this.vertx = vertx;
        this.config = config;
        this.state = state;
        this.access = access;
        this.workflows = workflows;
        // JVM, GC, process and the producer's own client metrics beside Sluice's.
        this.jvmMeters = JvmMeters.bind(registry);
        this.producerMeters = new KafkaClientMetrics(state.producer().unwrap());
        producerMeters.bindTo(registry);
    }

    public static Future<RouterApp> start(
            Vertx vertx, RouterConfig config, KafkaConfig kafka, Catalog catalog, PrometheusMeterRegistry registry) {
        return start(vertx, config, kafka, catalog, registry, Tracing.off());
    }

    /**
     * A router whose events are traced into {@code tracing} (see {@link IngestTracing}); the ingest
     * request spans come from Vert.x's tracer, so {@code vertx} should be {@link Tracing#vertx built by it}.
     */
    public static Future<RouterApp> start(
            Vertx vertx,
            RouterConfig config,
            KafkaConfig kafka,
            Catalog catalog,
            PrometheusMeterRegistry registry,
            Tracing tracing) {
        AtomicReference<StoredAccess> access = new AtomicReference<>(StoredAccess.none());
        // Manual runs find workflows in PostgreSQL (when the router has it) or else in the catalog file.
        WorkflowDirectory workflows = new WorkflowDirectory(
                catalog.workflows(), () -> access.get().pool().orElse(null));
        return vertx.executeBlocking(() -> IngestWiring.build(
                        vertx,
                        config,
                        kafka,
                        catalog,
                        registry,
                        () -> access.get().snapshot(),
                        tracing))
                .compose(state -> new RouterApp(vertx, config, state, access, workflows, registry).start(registry));
    }

    /**
     * Three independent starts run side by side (start-up time is what a new pod waits on): the
     * ingest listeners (and MQTT's); the access store and then the management server (its admin API
     * needs the store's pool); the access store and then the topics' check. Readiness stays false
     * until the listeners are up and every topic is known.
     */
    private Future<RouterApp> start(PrometheusMeterRegistry registry) {
        state.health().probe();
        timers.add(vertx.setPeriodic(
                config.healthInterval().toMillis(), id -> state.health().probe()));
        timers.add(vertx.setPeriodic(2000, id -> {
            if (!state.topics().allReady()) {
                refreshTopics();
            }
        }));
        Future<String> ingest = deploy(() -> {
                    IngestVerticle verticle = new IngestVerticle(
                            state, workflows, () -> access.get().snapshot());
                    verticles.add(verticle);
                    return verticle;
                })
                .onSuccess(id -> listening = Optional.of(id));
        RouterConfig.Mqtt mqtt = config.mqtt();
        boolean mqttTls = mqtt.enabled() && mqtt.tlsPort() > 0 && config.tls().isPresent();
        Future<?> mqttListeners = Future.all(
                mqtt.enabled() ? deployMqtt(false) : Future.succeededFuture(),
                mqttTls ? deployMqtt(true) : Future.succeededFuture());
        Future<StoredAccess> stored = config.stores()
                .pgUrl()
                .map(url -> StoredAccess.start(
                        vertx, url, config.stores().accessRefresh().toMillis(), state, registry))
                .orElse(Future.succeededFuture(StoredAccess.none()))
                .onSuccess(access::set);
        Future<ManagementServer> managed = stored.compose(s -> managementMounts(s, registry))
                .compose(mounts -> ManagementServer.start(
                        vertx,
                        config.listen().host(),
                        config.listen().managementPort(),
                        registry,
                        this::readiness,
                        mounts))
                .onSuccess(m -> management = Optional.of(m));
        Future<Void> topicsChecked = stored.compose(s -> refreshTopics());
        return Future.all(ingest, managed, topicsChecked, mqttListeners)
                .map(v -> {
                    LOG.info(
                            "router listening on {}:{} (management :{}{}), {} routes, {} instances",
                            config.listen().host(),
                            config.listen().port(),
                            config.listen().managementPort(),
                            mqtt.enabled()
                                    ? ", MQTT :" + mqtt.port()
                                            + (mqttTls
                                                    ? ", MQTT over TLS :" + mqtt.tlsPort() + " (client certificates: "
                                                            + mqtt.clientAuth()
                                                                    .name()
                                                                    .toLowerCase(java.util.Locale.ROOT)
                                                            + ")"
                                                    : "")
                                    : "",
                            state.routes().all().size(),
                            config.listen().instances());
                    return this;
                })
                .recover(err -> Future.join(ingest, managed, topicsChecked, mqttListeners)
                        .transform(x -> close().transform(y -> Future.<RouterApp>failedFuture(err))));
    }

    /** Verticles of one kind, one per event loop on a shared port. */
    private Future<String> deploy(Supplier<? extends Deployable> verticle) {
        return vertx.deployVerticle(
                verticle, new DeploymentOptions().setInstances(config.listen().instances()));
    }

    /** One MQTT listener (plain or TLS). */
    private Future<String> deployMqtt(boolean tls) {
        if (mqttMeters == null) {
            mqttMeters = new SessionMeters(state.metrics().registry());
        }
        return deploy(() -> new MqttVerticle(state, () -> access.get().snapshot(), mqttMeters, tls))
                .onSuccess(mqttDeployments::add);
    }

    private Future<Void> refreshTopics() {
        return vertx.executeBlocking(
                () -> {
                    state.topics().refresh(2000);
                    return null;
                },
                false);
    }

    /**
     * Reloads the catalog's routes from {@code file} whenever it changes (checked every
     * {@code router.catalog.reload}, never when that is 0); see {@link CatalogWatch}.
     */
    public void watchCatalog(Path file) {
        if (!config.catalogReload().isZero()) {
            timers.add(CatalogWatch.start(vertx, state, file, config.catalogReload()));
        }
    }

    /**
     * What the management port serves beside the probes and metrics: the contract, the live page,
     * and the admin API when it has a key (routed from the contract, which is read first).
     */
    private Future<Map<String, Handler<HttpServerRequest>>> managementMounts(
            StoredAccess stored, PrometheusMeterRegistry registry) {
        Map<String, Handler<HttpServerRequest>> mounts = new HashMap<>();
        ContractEndpoint contract = ContractEndpoint.load();
        for (String path : List.of(ContractEndpoint.PATH, ContractEndpoint.PATH + ".json")) {
            mounts.put(path, contract);
        }
        mounts.put(LiveDashboard.PATH, new LiveDashboard(vertx, "router", new RouterFigures(registry)));
        return config.adminKey()
                .map(key -> AdminApi.create(
                                vertx,
                                key,
                                stored.pool(),
                                source -> state.routes().get(source) != null,
                                contract.json())
                        .map(admin -> {
                            mounts.put(ManagementServer.ADMIN, admin);
                            return mounts;
                        }))
                .orElse(Future.succeededFuture(mounts));
    }

    /** Ready when Kafka is reachable, every routed topic exists, and the router is not draining. */
    public ManagementServer.Readiness readiness() {
        boolean kafka = state.health().reachable();
        boolean topics = state.topics().allReady();
        boolean draining = state.draining().get();
        JsonObject topicStates = new JsonObject();
        state.topics().states().forEach((t, s) -> topicStates.put(t, s.name().toLowerCase(Locale.ROOT)));
        JsonObject details = new JsonObject()
                .put(
                        "kafka",
                        kafka ? "reachable" : "unreachable: " + state.health().lastError())
                .put("topics", topicStates)
                .put("draining", draining)
                .put("inFlight", state.producer().inFlightRecords());
        access.get().details().ifPresent(a -> details.put("access", a));
        details.put("listening", listening.isPresent());
        return new ManagementServer.Readiness(listening.isPresent() && kafka && topics && !draining, details);
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
        long bound = config.timeouts().drain().toMillis();
        LOG.info("router draining (bound {} ms)", bound);
        timers.forEach(vertx::cancelTimer);
        long grace = Math.min(config.timeouts().drainGrace().toMillis(), bound / 2);
        // While draining, every response says "connection: close" and new requests get 503 draining;
        // after the grace period the listeners stop and in-flight requests get their answers.
        return vertx.timer(Math.max(1, grace))
                .<Void>mapEmpty()
                // Devices are told the router is going (MQTT 5: DISCONNECT 0x8B); what they had in flight they send
                // again elsewhere.
                .compose(v -> Future.join(
                        mqttDeployments.stream().map(vertx::undeploy).toList()))
                .<Void>mapEmpty()
                .recover(e -> Future.succeededFuture())
                .compose(v -> Future.join(verticles.stream()
                        .map(vert -> vert.shutdown(bound - grace))
                        .toList()))
                .<Void>mapEmpty()
                .recover(e -> Future.succeededFuture())
                .compose(v -> vertx.executeBlocking(() -> {
                    producerMeters.close();
                    jvmMeters.close();
                    state.producer().close(Duration.ofMillis(Math.max(1000, bound / 2)));
                    state.health().close();
                    return null;
                }))
                .compose(v -> listening.map(vertx::undeploy).orElse(Future.succeededFuture()))
                .compose(v -> management.map(ManagementServer::close).orElse(Future.succeededFuture()))
                .compose(v -> access.get().close())
                .onComplete(ar -> LOG.info("router stopped"));
    }
}
