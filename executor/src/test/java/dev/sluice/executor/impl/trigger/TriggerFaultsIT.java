package dev.sluice.executor.impl.trigger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.RouteConfig;
import dev.sluice.core.Settings;
import dev.sluice.core.db.Migrations;
import dev.sluice.core.trigger.Poll;
import dev.sluice.core.trigger.Schedule;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.sqlclient.Pool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * A schedule and a poll whose first send throws something no code expects (a real producer with
 * that fault put in): the failure is logged with its stack trace and counted, the runner keeps its
 * lease loop going, and the next wake fires: no tick is lost, every polled item is emitted.
 */
@SluiceInfra
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TriggerFaultsIT {

    private static final TriggerConfig CONFIG =
            TriggerConfig.from(Settings.of(Map.of("executor.triggers.lease", "2s")));

    /** A real producer whose first {@code failures} sends throw. */
    private static final class ThrowingFirst extends KafkaProducer<byte[], byte[]> {
        private final AtomicInteger failures;

        ThrowingFirst(String bootstrap, int failures) {
            super(props(bootstrap), new ByteArraySerializer(), new ByteArraySerializer());
            this.failures = new AtomicInteger(failures);
        }

        private static Properties props(String bootstrap) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            return p;
        }

        @Override
        public java.util.concurrent.Future<RecordMetadata> send(
                ProducerRecord<byte[], byte[]> record, Callback callback) {
            if (failures.getAndDecrement() > 0) {
                throw new IllegalStateException("a fault put in by the test");
            }
            return super.send(record, callback);
        }
    }

    private Vertx vertx;
    private Pool pool;
    private TriggerProducer producer;
    private TriggerRunner runner;
    private Context context;
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        context = vertx.getOrCreateContext();
        logged.start();
        ((Logger) LoggerFactory.getLogger(ScheduleRunner.class)).addAppender(logged);
        ((Logger) LoggerFactory.getLogger(PollRunner.class)).addAppender(logged);
    }

    @AfterEach
    void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger(ScheduleRunner.class)).detachAppender(logged);
        ((Logger) LoggerFactory.getLogger(PollRunner.class)).detachAppender(logged);
        if (runner != null) {
            context.runOnContext(v -> runner.halt());
        }
        if (producer != null) {
            producer.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private TriggerLeases leases(Postgres postgres, String database) throws Exception {
        pool = PgBuilder.pool()
                .connectingTo(postgres.createDatabase(database))
                .using(vertx)
                .build();
        Migrations.apply(pool).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return new TriggerLeases(pool);
    }

    private static Catalog catalog(String topic, String workflow, String trigger) {
        return Catalog.parse(new JsonObject("{\"routes\": [{\"source\": \"src\", \"topic\": \"" + topic
                + "\", \"ttl\": \"20s\","
                + " \"partitions\": 1}], \"workflows\": [{\"name\": \"" + workflow + "\", \"sources\": [\"src\"],"
                + " \"steps\": [{\"url\": \"http://127.0.0.1:9/unused\"}], " + trigger + "}]}"));
    }

    private long errorsLogged() {
        return logged.list.stream()
                .filter(e -> e.getLevel() == Level.ERROR && e.getThrowableProxy() != null)
                .count();
    }

    @Test
    void aTickThatThrowsIsLoggedAndCountedAndFiredAtTheNextWake(KafkaBroker kafka, Postgres postgres) throws Exception {
        int run = ThreadLocalRandom.current().nextInt(1 << 24);
        String topic = "it.trigger.fault.tick." + run;
        String workflow = "beat-" + run;
        kafka.createTopic(topic, 1, Duration.ofHours(1));
        Catalog catalog = catalog(topic, workflow, "\"schedule\": {\"cron\": \"* * * * * *\"}");
        Schedule schedule = (Schedule) catalog.workflows().get(0).triggers().get(0);
        RouteConfig route = catalog.routes().get("src");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TriggerMetrics metrics = new TriggerMetrics(registry, schedule.name(workflow), workflow);
        producer = new TriggerProducer(new ThrowingFirst(kafka.bootstrapServers(), 1));
        TriggerLeases leases = leases(postgres, "trigger_fault_tick");
        KafkaConfig kafkaConfig = KafkaConfig.of(kafka.bootstrapServers());
        runner = new ScheduleRunner(
                context,
                workflow,
                schedule,
                route,
                leases,
                producer,
                new TickLedger(kafkaConfig),
                metrics,
                "h",
                CONFIG);
        context.runOnContext(v -> runner.start());

        await().atMost(Duration.ofSeconds(20)).until(() -> metrics.unexpected.count() == 1 && kafka.count(topic) >= 4);
        assertEquals(1, errorsLogged(), "the failure is logged once, with its stack trace");
        assertTrue(runner.leading(), "the runner still holds its schedule");
        assertEquals(0, metrics.leaseErrors.count(), "an unexpected failure is not counted as PostgreSQL's");
        // Halted, so no tick fires between reading Kafka and reading the counter; a send in flight still lands.
        java.util.concurrent.CompletableFuture<Void> halted = new java.util.concurrent.CompletableFuture<>();
        context.runOnContext(v -> {
            runner.halt();
            halted.complete(null);
        });
        halted.get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> kafka.count(topic) == (long) metrics.fired.count());
        // The tick whose send threw was fired at the next wake: the ticks in Kafka are one a second, none skipped.
        List<Instant> ticks = kafka.readAll(topic, Duration.ofSeconds(2)).stream()
                .map(r ->
                        Instant.parse(new JsonObject(new String(r.value(), StandardCharsets.UTF_8)).getString("tick")))
                .toList();
        for (int i = 1; i < ticks.size(); i++) {
            assertEquals(1_000, ticks.get(i).toEpochMilli() - ticks.get(i - 1).toEpochMilli(), "ticks " + ticks);
        }
        assertEquals(ticks.size(), metrics.fired.count(), 1e-9);
    }

    @Test
    void aPollThatThrowsIsLoggedAndCountedAndTheNextPollEmitsTheItems(KafkaBroker kafka, Postgres postgres, Redis redis)
            throws Exception {
        int run = ThreadLocalRandom.current().nextInt(1 << 24);
        String topic = "it.trigger.fault.poll." + run;
        String workflow = "orders-" + run;
        kafka.createTopic(topic, 1, Duration.ofHours(1));
        HttpServer server = vertx.createHttpServer()
                .requestHandler(req -> req.response()
                        .putHeader("content-type", "application/json")
                        .end("{\"data\": [{\"id\": \"a\"}, {\"id\": \"b\"}]}"))
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        Catalog catalog = catalog(
                topic,
                workflow,
                "\"poll\": {\"url\": \"http://127.0.0.1:" + server.actualPort() + "/orders\","
                        + " \"every\": \"1s\", \"items\": \"/data\", \"id\": \"/id\"}");
        Poll poll = (Poll) catalog.workflows().get(0).triggers().get(0);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TriggerMetrics metrics = new TriggerMetrics(registry, poll.name(workflow), workflow);
        producer = new TriggerProducer(new ThrowingFirst(kafka.bootstrapServers(), 1));
        PollRunner.Collaborators with = new PollRunner.Collaborators(
                leases(postgres, "trigger_fault_poll"),
                producer,
                new PollFetch(vertx, vertx.createHttpClient(), 5_000, 1 << 20),
                new HostLimits(2),
                RedisAPI.api(io.vertx.redis.client.Redis.createClient(
                        vertx, new RedisOptions().setConnectionString(redis.uri()))),
                "h",
                CONFIG);
        runner = new PollRunner(context, workflow, poll, catalog.routes().get("src"), with, metrics);
        context.runOnContext(v -> runner.start());

        await().atMost(Duration.ofSeconds(20)).until(() -> metrics.emitted.count() == 2);
        assertEquals(1, metrics.unexpected.count(), 1e-9);
        assertTrue(metrics.pollFailed.count() >= 1, "the poll that threw is a failed poll");
        assertEquals(1, errorsLogged(), "the failure is logged once, with its stack trace");
        assertEquals(2, kafka.count(topic), "each item once, sent by the poll after the failed one");
        assertTrue(runner.leading());
    }
}
