package dev.sluice.executor.impl.trigger;

import dev.sluice.core.KafkaConfig;
import dev.sluice.core.RouteConfig;
import dev.sluice.core.db.Migrations;
import dev.sluice.core.trigger.Poll;
import dev.sluice.core.trigger.Schedule;
import dev.sluice.core.trigger.Trigger;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the triggers on one event loop, with their own PostgreSQL pool, Redis client, HTTP client
 * and producer. Stopping it (or the process dying) leaves held leases to lapse; {@link #release()}
 * gives them up first.
 */
final class TriggerVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(TriggerVerticle.class);

    /** A trigger of a workflow, and the route its events go to. */
    record Planned(String workflow, Trigger trigger, RouteConfig route) {
    }

    private final TriggerConfig config;
    private final List<Planned> planned;
    private final KafkaConfig kafka;
    private final String pgUrl;
    private final String redisUrl;
    private final MeterRegistry registry;
    private final String holder;
    private final List<TriggerRunner> runners = new ArrayList<>();
    private Pool pool;
    private Redis redis;
    private HttpClient http;
    private TriggerProducer producer;

    TriggerVerticle(TriggerConfig config, List<Planned> planned, KafkaConfig kafka, String pgUrl, String redisUrl, MeterRegistry registry,
                    String holder) {
        this.config = config;
        this.planned = List.copyOf(planned);
        this.kafka = kafka;
        this.pgUrl = pgUrl;
        this.redisUrl = redisUrl;
        this.registry = registry;
        this.holder = holder;
    }

    @Override
    public Future<?> start() {
        int timeout = (int) Math.min(Integer.MAX_VALUE, config.lease().toMillis());
        pool = PgBuilder.pool().with(new io.vertx.sqlclient.PoolOptions().setMaxSize(2))
                .connectingTo(PgConnectOptions.fromUri(pgUrl).addProperty("client_min_messages", "warning")
                        // A holder cut off mid-tick leaves no lock behind for longer than a lease.
                        .addProperty("statement_timeout", Integer.toString(timeout))
                        .addProperty("idle_in_transaction_session_timeout", Integer.toString(timeout)))
                .using(vertx).build();
        TriggerLeases leases = new TriggerLeases(pool);
        // The schema may be missing if PostgreSQL is down now: runners then retry their first write at each wake.
        Future<Void> schema = Migrations.apply(pool).recover(err -> {
            LOG.warn("trigger schema not applied yet (PostgreSQL unreachable?); triggers try again at each wake: {}", err.toString());
            return Future.succeededFuture();
        });
        return schema.compose(s -> vertx.executeBlocking(() -> TriggerProducer.create(kafka))).compose(p -> {
            producer = p;
            RedisAPI redisApi = null;
            if (redisUrl != null) {
                redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisUrl).setMaxPoolSize(4)
                        .setMaxPoolWaiting(10_000));
                redisApi = RedisAPI.api(redis);
            }
            http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(config.pollPerHost()));
            PollRunner.Collaborators with = new PollRunner.Collaborators(leases, producer,
                    new PollFetch(vertx, http, config.pollTimeout().toMillis(), config.pollMaxBytes()), new HostLimits(config.pollPerHost()),
                    redisApi, holder, config);
            TickLedger ledger = new TickLedger(kafka);
            List<Future<Void>> started = new ArrayList<>();
            for (Planned t : planned) {
                TriggerMetrics metrics = new TriggerMetrics(registry, t.trigger().name(t.workflow()), t.workflow());
                TriggerRunner runner = t.trigger() instanceof Schedule s
                        ? new ScheduleRunner(context, t.workflow(), s, t.route(), leases, producer, ledger, metrics, holder, config)
                        : new PollRunner(context, t.workflow(), (Poll) t.trigger(), t.route(), with, metrics);
                runners.add(runner);
                started.add(runner.start());
            }
            return Future.all(started);
        });
    }

    /** Gives every held lease up. Runs on this verticle's context. */
    Future<Void> release() {
        return Future.<Void>future(p -> context.runOnContext(v -> {
            List<Future<Void>> closed = new ArrayList<>();
            runners.forEach(r -> closed.add(r.close()));
            Future.join(closed).<Void>mapEmpty().onComplete(p);
        }));
    }

    List<String> leading() {
        return runners.stream().filter(TriggerRunner::leading).map(TriggerRunner::name).toList();
    }

    @Override
    public Future<?> stop() {
        runners.forEach(TriggerRunner::halt);
        List<Future<?>> closing = new ArrayList<>();
        closing.add(pool.close());
        if (redis != null) {
            redis.close();
        }
        closing.add(http.close());
        closing.add(vertx.executeBlocking(() -> {
            producer.close();
            return null;
        }));
        return Future.join(closing);
    }
}
