package dev.sluice.executor;

import dev.sluice.core.Catalog;
import dev.sluice.core.EventRecords;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.WebhookTarget;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What the executor's guarantee tests share: one catalog of routes (each test reads only its own
 * topics), the run log in PostgreSQL, claims in Redis, a real webhook target, a producer of test
 * records, and executors started in this JVM on a chosen subset of the catalog.
 */
final class GuaranteeRig implements AutoCloseable {

    private static final String CATALOG = """
            {"routes": [
              {"source": "order", "topic": "it.g.order", "partitions": 3},
              {"source": "slow", "topic": "it.g.slow", "partitions": 1},
              {"source": "short", "topic": "it.g.short", "partitions": 1, "ttl": "2s"},
              {"source": "retry", "topic": "it.g.retry", "partitions": 1, "ttl": "3s"},
              {"source": "dup", "topic": "it.g.dup", "partitions": 1},
              {"source": "kill", "topic": "it.g.kill", "partitions": 3, "ttl": "120s"},
              {"source": "span", "topic": "it.g.span", "partitions": 1, "ttl": "30s"},
              {"source": "pool", "topic": "it.g.pool", "partitions": 1, "ttl": "2s"}],
             "workflows": [
              {"name": "w-order", "sources": ["order"], "steps": [{"url": "%1$s/order"}]},
              {"name": "w-slow", "sources": ["slow"], "steps": [{"url": "%1$s/slow", "timeout": "10s"}]},
              {"name": "w-short", "sources": ["short"], "steps": [{"url": "%1$s/short", "timeout": "10s"}]},
              {"name": "w-retry", "sources": ["retry"], "steps": [{"url": "%1$s/retry"}]},
              {"name": "w-dup", "sources": ["dup"], "steps": [{"url": "%1$s/dup"}]},
              {"name": "w-kill", "sources": ["kill"], "steps": [{"url": "%1$s/kill"}]},
              {"name": "w-span", "sources": ["span"], "steps": [{"url": "%1$s/span"}]},
              {"name": "w-pool", "sources": ["pool"], "steps": [{"url": "%1$s/pool", "timeout": "10s"}]}]}
            """;

    final KafkaBroker kafka;
    final WebhookTarget webhook;
    final Fixtures fixtures;
    /** A consumer group name of this run; tests derive theirs from it. */
    final String group;

    final String pgUri;
    final String redisUri;
    private final String catalogJson;
    private final Vertx vertx;
    private final Pool pg;

    /** Creates the topics (with their .expired and .dlq) of {@code sources} and a database of its own. */
    GuaranteeRig(
            KafkaBroker kafka,
            Postgres postgres,
            Redis redis,
            WebhookTarget webhook,
            String database,
            String... sources) {
        this.kafka = kafka;
        this.webhook = webhook;
        JsonObject all = new JsonObject(CATALOG);
        for (String source : sources) {
            int partitions = route(all, source).getInteger("partitions");
            for (String suffix : List.of("", ".expired", ".dlq")) {
                kafka.createTopic("it.g." + source + suffix, partitions, Duration.ofHours(1));
            }
        }
        this.catalogJson = CATALOG.formatted(webhook.url("").replaceAll("/$", ""));
        this.pgUri = postgres.createDatabase(database);
        this.redisUri = redis.uri();
        this.vertx = Vertx.vertx();
        this.pg = PgBuilder.pool().connectingTo(pgUri).using(vertx).build();
        this.fixtures = new Fixtures(kafka.bootstrapServers());
        this.group = "it-" + database + "-" + ThreadLocalRandom.current().nextInt(1 << 20);
    }

    private static JsonObject route(JsonObject catalog, String source) {
        return catalog.getJsonArray("routes").stream()
                .map(JsonObject.class::cast)
                .filter(r -> r.getString("source").equals(source))
                .findFirst()
                .orElseThrow();
    }

    /** The catalog JSON restricted to some sources, so each executor reads only its tests' topics. */
    JsonObject catalogFor(String... sources) {
        Set<String> keep = Set.of(sources);
        JsonObject all = new JsonObject(catalogJson);
        JsonArray routes = new JsonArray();
        all.getJsonArray("routes").stream()
                .map(JsonObject.class::cast)
                .filter(r -> keep.contains(r.getString("source")))
                .forEach(routes::add);
        JsonArray workflows = new JsonArray();
        all.getJsonArray("workflows").stream()
                .map(JsonObject.class::cast)
                .filter(w -> keep.contains(w.getJsonArray("sources").getString(0)))
                .forEach(workflows::add);
        return new JsonObject().put("routes", routes).put("workflows", workflows);
    }

    ExecutorApp startExecutor(String group, String... sources) throws Exception {
        return startExecutor(Map.of(), group, sources);
    }

    /** An executor in this JVM, ready and assigned partitions before it is returned. */
    ExecutorApp startExecutor(Map<String, String> extra, String group, String... sources) throws Exception {
        Catalog catalog = Catalog.parse(catalogFor(sources));
        Map<String, String> settings = new HashMap<>(Map.of(
                "executor.instances",
                "2",
                "executor.retry.attempts",
                "50",
                "executor.retry.backoff",
                "200ms",
                "executor.runlog.flush",
                "100ms"));
        settings.putAll(extra);
        ExecutorConfig config = ExecutorConfig.from(Settings.of(settings))
                .withManagement("127.0.0.1", Ports.freePort())
                .withGroup(group)
                .withState(redisUri, pgUri);
        ExecutorApp app = await(ExecutorApp.start(
                vertx,
                config,
                KafkaConfig.of(kafka.bootstrapServers()),
                catalog,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .until(() -> app.readiness().ready() && !app.assignment().isEmpty());
        return app;
    }

    static void stop(ExecutorApp app) throws Exception {
        if (app != null) {
            await(app.close());
        }
    }

    List<WebhookTarget.Received> calls(String path) {
        return webhook.received(path);
    }

    List<Row> runLog(String workflow) throws Exception {
        List<Row> rows = new ArrayList<>();
        await(pg.preparedQuery(
                                "SELECT event_id, outcome, attempts, error FROM sluice_run_log WHERE workflow = $1 ORDER BY ended_at")
                        .execute(Tuple.of(workflow)))
                .forEach(rows::add);
        return rows;
    }

    ConsumerRecord<byte[], byte[]> find(String topic, String id) {
        return kafka.readAll(topic, Duration.ofSeconds(10)).stream()
                .filter(r -> id.equals(EventRecords.text(r.headers(), "ce_id")))
                .findFirst()
                .orElse(null);
    }

    @Override
    public void close() throws Exception {
        try {
            fixtures.close();
            pg.close();
        } finally {
            await(vertx.close());
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
}
