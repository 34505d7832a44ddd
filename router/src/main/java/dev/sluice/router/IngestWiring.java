package dev.sluice.router;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.MetricNames;
import dev.sluice.core.RouteConfig;
import dev.sluice.core.redis.TurnBatchedRedis;
import dev.sluice.core.tracing.Tracing;
import dev.sluice.router.impl.RouterMetrics;
import dev.sluice.router.impl.auth.AccessSnapshot;
import dev.sluice.router.impl.http.Admission;
import dev.sluice.router.impl.http.BodyBudget;
import dev.sluice.router.impl.http.IngestState;
import dev.sluice.router.impl.http.IngestTracing;
import dev.sluice.router.impl.http.RouteTable;
import dev.sluice.router.impl.kafka.BrokerHealth;
import dev.sluice.router.impl.kafka.EventProducer;
import dev.sluice.router.impl.kafka.TopicReadiness;
import dev.sluice.router.impl.ratelimit.RateLimiter;
import dev.sluice.router.impl.redis.Deduplicator;
import dev.sluice.router.impl.redis.RedisDeduplicator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/** Builds what every ingest verticle of a process shares: the producer, broker health, Redis, routes and admission. */
final class IngestWiring {

    private IngestWiring() {}

    /** Blocking (the producer and the admin client are created here): call it off the event loops. */
    static IngestState build(
            Vertx vertx,
            RouterConfig config,
            KafkaConfig kafka,
            Catalog catalog,
            PrometheusMeterRegistry registry,
            Supplier<AccessSnapshot> access,
            Tracing tracing) {
        List<String> topics = catalog.routes().values().stream()
                .map(RouteConfig::topic)
                .distinct()
                .toList();
        EventProducer producer = EventProducer.create(
                kafka,
                config.timeouts().produce(),
                config.limits().inFlightRecords(),
                config.limits().inFlightBytes(),
                config.unsafeProducer());
        BrokerHealth health = BrokerHealth.create(kafka, config.timeouts().produce());
        TopicReadiness readiness = new TopicReadiness(health.admin(), producer, topics);
        RouterMetrics metrics = new RouterMetrics(registry, catalog.routes().keySet());
        Gauge.builder(MetricNames.ROUTER_IN_FLIGHT, producer, EventProducer::inFlightRecords)
                .description("Records sent to Kafka and not yet acknowledged")
                .register(registry);
        Optional<Redis> redis = config.stores().redisUrl().map(url -> redis(vertx, url, config.stores()));
        Deduplicator dedup = redis.<Deduplicator>map(r -> new RedisDeduplicator(
                        vertx, r, config.stores().redisTimeout().toMillis()))
                .orElse(Deduplicator.none());
        Counter degraded = Counter.builder("sluice.router.ratelimit.degraded")
                .description("Rate budget leases granted locally because Redis was unreachable")
                .register(registry);
        RouteTable routes = new RouteTable(catalog.routes(), bodyLimit(producer));
        Admission admission =
                new Admission(routes, access, new RateLimiter(redis.map(RedisAPI::api), degraded::increment));
        return new IngestState(
                config,
                routes,
                producer,
                health,
                readiness,
                metrics,
                new AtomicBoolean(),
                dedup,
                admission,
                new BodyBudget(config.limits().bodies(), registry),
                IngestTracing.of(tracing));
    }

    /**
     * Single commands from an ingest event loop go in that loop's pipelined batch, which leaves
     * router.redis.batch.window after its first command: the duplicate claims and replay checks of
     * many requests share one Redis round trip (docs/benchmarks/history.md: the window roughly halved
     * Redis's and the router's CPU per signed, deduplicated event).
     */
    private static Redis redis(Vertx vertx, String url, RouterConfig.Stores stores) {
        RedisOptions options =
                new RedisOptions().setConnectionString(url).setMaxPoolSize(16).setMaxPoolWaiting(10_000);
        return new TurnBatchedRedis(
                Redis.createClient(vertx, options),
                loop -> Redis.createClient(vertx, new RedisOptions(options).setMaxPoolSize(4)),
                stores.redisBatchWindow());
    }

    /** The largest body one record of this producer can carry. */
    private static int bodyLimit(EventProducer producer) {
        return Math.max(1, producer.maxRecordBytes() - EventProducer.RECORD_ALLOWANCE);
    }
}
