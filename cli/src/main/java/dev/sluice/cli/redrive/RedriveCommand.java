package dev.sluice.cli.redrive;

import dev.sluice.core.Condition;
import dev.sluice.core.ConfigException;
import dev.sluice.core.Durations;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.core.db.Migrations;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code sluice redrive --from <topic>.dlq|<topic>.expired [--since 10m] [--filter <condition>] [--dry-run]}:
 * re-publishes dead-lettered or expired events to their topic ({@link Redrive}), each original at
 * most once ({@link RedriveMarks}, in PostgreSQL: {@code SLUICE_PG_URL}). Prints a progress line a
 * second to stderr and the counts to stdout; exits 0, 1 when some events could not be re-published,
 * 2 on a usage error.
 */
public final class RedriveCommand {

    static final String USAGE = String.join(
            "\n",
            "usage: sluice redrive --from <topic>.dlq|<topic>.expired [--since 10m] [--filter <condition>] [--dry-run]",
            "  (SLUICE_KAFKA_BOOTSTRAP_SERVERS, SLUICE_PG_URL)",
            "  --since    only records dead-lettered or expired in this last span (e.g. 90s, 10m, 2h); default: all",
            "  --filter   a workflow filter condition in JSON over the event: its attributes (type, subject, source, ...),",
            "             workflow, error, reason, and JSON pointers into the payload,",
            "             e.g. '{\"all\": [{\"exact\": {\"workflow\": \"notify\"}}, {\"pointer\": \"/amount\", \"gt\": 100}]}'",
            "  --dry-run  count what would be re-driven; change nothing");

    /** Matches every event: the filter when none is given. */
    static final Condition EVERY = new Condition.All(List.of());

    private RedriveCommand() {}

    public static int run(Settings settings, String[] args, PrintStream out, PrintStream err) {
        Redrive.Options options;
        try {
            options = parse(args);
            options.origin();
        } catch (IllegalArgumentException | ConfigException e) {
            err.println("sluice redrive: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        String url = settings.get("pg.url", null);
        if (url == null) {
            err.println(
                    "sluice redrive: set SLUICE_PG_URL: the re-drive markers (each original at most once) live in PostgreSQL");
            return 2;
        }
        KafkaConfig kafka = KafkaConfig.from(settings);
        Vertx vertx = Vertx.vertx();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                        kafka.consumerProperties(Map.of("enable.auto.commit", "false", "max.poll.records", "500")),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                        kafka.producerProperties(Map.of("acks", "all", "enable.idempotence", "true", "linger.ms", "5")),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            Pool pool = PgBuilder.pool()
                    .with(new PoolOptions().setMaxSize(1))
                    .connectingTo(PgConnectOptions.fromUri(url).addProperty("client_min_messages", "warning"))
                    .using(vertx)
                    .build();
            RedriveMarks.await(Migrations.apply(pool));
            Redrive.Counts c = new Redrive(options, consumer, producer, new RedriveMarks(pool), err).run();
            err.println(Redrive.progressLine(c));
            print(options, c, out);
            return c.failed > 0 ? 1 : 0;
        } catch (IllegalArgumentException | IllegalStateException | org.apache.kafka.common.KafkaException e) {
            err.println("sluice redrive: " + e.getMessage());
            return 1;
        } finally {
            RedriveMarks.await(vertx.close());
        }
    }

    private static void print(Redrive.Options o, Redrive.Counts c, PrintStream out) {
        String would = o.dryRun() ? " (dry run: would be re-driven; nothing changed)" : "";
        out.println("from " + o.from() + " to " + o.origin()
                + (o.since().map(s -> ", since " + Durations.format(s) + " ago").orElse("")));
        out.println("scanned:          " + c.scanned);
        out.println("matched:          " + c.matched);
        out.println("re-driven:        " + c.redriven + would);
        out.println("already re-driven: " + c.already);
        out.println("skipped:          " + c.skippedTotal());
        c.skipped.forEach((why, n) -> out.println("  " + n + " " + why));
        if (c.failed > 0) {
            out.println(
                    "failed:           " + c.failed + " (Kafka refused them; their markers were removed, run again)");
        }
    }

    static Redrive.Options parse(String[] args) {
        String from = null;
        Optional<Duration> since = Optional.empty();
        Condition filter = EVERY;
        boolean dryRun = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--dry-run" -> dryRun = true;
                case "--from", "--since", "--filter" -> {
                    if (i + 1 == args.length) {
                        throw new IllegalArgumentException(a + " needs a value");
                    }
                    String v = args[++i];
                    if (a.equals("--from")) {
                        from = v;
                    } else if (a.equals("--since")) {
                        Duration d = Durations.parse(v);
                        if (d.isNegative() || d.isZero()) {
                            throw new IllegalArgumentException("--since must be a positive span, got " + v);
                        }
                        since = Optional.of(d);
                    } else {
                        filter = filter(v);
                    }
                }
                default -> throw new IllegalArgumentException("unknown option: " + a);
            }
        }
        if (from == null) {
            throw new IllegalArgumentException("--from <topic>.dlq or <topic>.expired is required");
        }
        return new Redrive.Options(from, since, filter, dryRun);
    }

    private static Condition filter(String json) {
        try {
            return Condition.parse(new JsonObject(json));
        } catch (DecodeException e) {
            throw new IllegalArgumentException("--filter is not JSON: " + e.getMessage(), e);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("--filter: " + e.getMessage(), e);
        }
    }
}
