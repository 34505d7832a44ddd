package dev.sluice.scaler.impl;

import dev.sluice.core.KafkaConfig;
import dev.sluice.scaler.Evaluation;
import dev.sluice.scaler.ScalerConfig;
import dev.sluice.scaler.ScalerException;
import dev.sluice.scaler.ScalerMetadata;
import dev.sluice.scaler.impl.kafka.KafkaOffsets;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scaler's state: one {@link KafkaOffsets} per bootstrap servers, one {@link Watch} per distinct
 * metadata (sampled every {@code sampleInterval} while in use), and one {@link EndOffsetPoller} per
 * streamed topic. Everything runs on one event loop ({@code context}); nothing here blocks it
 * (admin clients are created and closed on worker threads).
 */
public final class ScalerEngine {

    private static final Logger LOG = LoggerFactory.getLogger(ScalerEngine.class);

    /** Hears a watch's evaluations, and new records as soon as the activation poll sees them. */
    public interface Listener {
        void onEvaluation(Evaluation e);

        void onArrival();
    }

    /** A stream's hold on a watch; {@link #cancel()} releases it. */
    public interface Subscription {
        void cancel();
    }

    private final Vertx vertx;
    private final Context context;
    private final ScalerConfig config;
    private final KafkaConfig kafka;
    private final MeterRegistry registry;
    private final Map<String, Future<KafkaOffsets>> clients = new HashMap<>();
    private final Map<ScalerMetadata, Watch> watches = new HashMap<>();
    private final Map<String, EndOffsetPoller> pollers = new HashMap<>();
    private final long sweepTimer;
    private boolean closed;

    public ScalerEngine(Vertx vertx, Context context, ScalerConfig config, KafkaConfig kafka, MeterRegistry registry) {
        this.vertx = vertx;
        this.context = context;
        this.config = config;
        this.kafka = kafka;
        this.registry = registry;
        long sweep = Math.max(1000, Math.min(30_000, config.idleTimeout().toMillis() / 4));
        this.sweepTimer = vertx.setPeriodic(sweep, id -> context.runOnContext(v -> sweep()));
    }

    public String defaultBootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** A fresh evaluation (reads Kafka now). */
    public Future<Evaluation> evaluate(ScalerMetadata md) {
        return watch(md)
                .compose(w -> w.evaluate().onFailure(e -> {
                    // metadata that never worked (a topic or group that does not exist) is not kept watching
                    if (w.last() == null && !w.hasListeners() && watches.get(md) == w) {
                        drop(md);
                    }
                }));
    }

    /**
     * Listens to every evaluation of {@code md}'s watch: the periodic samples, and one within an
     * activation poll of new records on the topic. The first evaluation is started at once.
     */
    public Future<Subscription> subscribe(ScalerMetadata md, Listener listener) {
        return watch(md).map(w -> {
            w.listen(listener);
            String key = md.bootstrapServers() + "|" + md.topic();
            EndOffsetPoller poller = pollers.computeIfAbsent(
                    key,
                    k -> new EndOffsetPoller(
                            vertx,
                            context,
                            w.kafka,
                            md.topic(),
                            config.activationPoll(),
                            Counter.builder(ScalerMetrics.ACTIVATION_POLLS)
                                    .description("Answered log-end offset reads of the activation poller")
                                    .tag("topic", md.topic())
                                    .register(registry)));
            poller.add(w);
            w.refresh();
            return () -> {
                w.unlisten(listener);
                if (!w.hasListeners()) {
                    poller.remove(w);
                    if (poller.isEmpty()) {
                        pollers.remove(key, poller);
                    }
                }
            };
        });
    }

    /** Whether the default Kafka answers a cluster description within the Kafka timeout. */
    public Future<Void> probeKafka() {
        return client(kafka.bootstrapServers())
                .compose(k -> Future.fromCompletionStage(
                        k.admin().describeCluster().clusterId().toCompletionStage(), context))
                .mapEmpty();
    }

    public int watchCount() {
        return watches.size();
    }

    private Future<Watch> watch(ScalerMetadata md) {
        if (closed) {
            return Future.failedFuture(
                    new ScalerException(ScalerException.Kind.UNAVAILABLE, "the scaler is shutting down"));
        }
        Watch existing = watches.get(md);
        if (existing != null) {
            existing.lastUsedMillis = System.currentTimeMillis();
            return Future.succeededFuture(existing);
        }
        return client(md.bootstrapServers()).map(k -> {
            Watch w = watches.get(md); // another request may have made it meanwhile
            if (w == null) {
                w = new Watch(md, k, new RateHistory(config.rateWindow().toMillis(), 500));
                Watch watch = w;
                w.samplerTimer = vertx.setPeriodic(
                        config.sampleInterval().toMillis(), id -> context.runOnContext(v -> watch.refresh()));
                w.registerGauges(registry);
                watches.put(md, w);
                LOG.info(
                        "watching topic {} for group {} on {} (budget {} ms, ttl {} ms, replicaRate {}/s)",
                        md.topic(),
                        md.group(),
                        md.bootstrapServers(),
                        md.budget().toMillis(),
                        md.ttl().toMillis(),
                        md.replicaRate());
            }
            w.lastUsedMillis = System.currentTimeMillis();
            return w;
        });
    }

    private Future<KafkaOffsets> client(String bootstrap) {
        return clients.computeIfAbsent(bootstrap, b -> {
            Map<String, Object> defaults = new HashMap<>();
            int timeout = (int) config.kafkaTimeout().toMillis();
            defaults.put(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-scaler");
            defaults.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout);
            defaults.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout);
            defaults.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2000);
            Map<String, Object> props = new KafkaConfig(
                            b, kafka.common(), kafka.producer(), kafka.consumer(), kafka.admin())
                    .adminProperties(defaults);
            Future<KafkaOffsets> f = vertx.executeBlocking(() -> Admin.create(props), false)
                    .<KafkaOffsets>map(admin -> new KafkaOffsets(admin, context, Duration.ofSeconds(30)))
                    .recover(e -> Future.failedFuture(new ScalerException(
                            ScalerException.Kind.UNAVAILABLE,
                            "no Kafka client for bootstrap servers '" + b + "': " + rootMessage(e),
                            e)));
            f.onFailure(e -> context.runOnContext(v -> clients.remove(b)));
            return f;
        });
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /** Drops watches nobody asked about for {@code idleTimeout}, and admin clients no watch uses (but the default). */
    private void sweep() {
        long now = System.currentTimeMillis();
        List<ScalerMetadata> idle = new ArrayList<>();
        watches.forEach((md, w) -> {
            if (!w.hasListeners()
                    && now - w.lastUsedMillis > config.idleTimeout().toMillis()) {
                idle.add(md);
            }
        });
        idle.forEach(md -> {
            drop(md);
            LOG.info(
                    "stopped watching topic {} for group {}: not asked for {}",
                    md.topic(),
                    md.group(),
                    config.idleTimeout());
        });
        List<String> unused = new ArrayList<>();
        clients.keySet().forEach(b -> {
            if (!b.equals(kafka.bootstrapServers())
                    && watches.keySet().stream()
                            .noneMatch(md -> md.bootstrapServers().equals(b))) {
                unused.add(b);
            }
        });
        unused.forEach(b -> clients.remove(b).onSuccess(this::closeClient));
    }

    private void drop(ScalerMetadata md) {
        Watch w = watches.remove(md);
        if (w != null) {
            w.close();
            vertx.cancelTimer(w.samplerTimer);
            w.removeGauges(registry);
        }
    }

    private Future<Void> closeClient(KafkaOffsets k) {
        return vertx.executeBlocking(
                () -> {
                    k.admin().close(Duration.ofSeconds(2));
                    return null;
                },
                false);
    }

    public Future<Void> close() {
        closed = true;
        vertx.cancelTimer(sweepTimer);
        pollers.values().forEach(EndOffsetPoller::stop);
        pollers.clear();
        new ArrayList<>(watches.keySet()).forEach(this::drop);
        List<Future<Void>> closing = new ArrayList<>();
        clients.values().forEach(f -> closing.add(f.compose(this::closeClient).otherwiseEmpty()));
        clients.clear();
        return Future.join(closing).mapEmpty();
    }
}
