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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the triggers on one event loop, with their own PostgreSQL pool, Redis client, HTTP client
 * and producer; the set it runs may change ({@link #replan}). Stopping it (or the process dying)
 * leaves held leases to lapse; {@link #release()} gives them up first.
 */
final class TriggerVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(TriggerVerticle.class);

    /** A trigger of a workflow, and the route its events go to. */
    record Planned(String workflow, Trigger trigger, RouteConfig route) {

        String name() {
            return trigger.name(workflow);
        }

        /** Whether {@code other} runs the same way (a changed cron, zone, URL, route... restarts the trigger). */
        boolean sameAs(Planned other) {
            return workflow.equals(other.workflow)
                    && route.equals(other.route)
                    && definition(trigger).equals(definition(other.trigger));
        }

        private static Object definition(Trigger t) {
            // The parsed cron has no equality of its own; its text, zone and policy define it.
            return t instanceof Schedule s ? List.of(s.expression(), s.zone(), s.missed(), s.source()) : t;
        }
    }

    /** A trigger running here: what it runs, its runner and its meters. */
    private record Live(Planned planned, TriggerRunner runner, TriggerMetrics metrics) {}

    private final TriggerConfig config;
    private final List<Planned> initial;
    private final KafkaConfig kafka;
    private final String pgUrl;
    private final String redisUrl;
    private final MeterRegistry registry;
    private final String holder;
    /** By trigger name; read by {@link #leading()} from any thread, changed on this verticle's context only. */
    private final Map<String, Live> live = new ConcurrentHashMap<>();
    /** The last change of the running set; each waits for the one before, so two reloads never interleave. */
    private Future<Void> replanning = Future.succeededFuture();

    private boolean stopped;
    private Pool pool;
    private Redis redis;
    private HttpClient http;
    private TriggerProducer producer;
    private TriggerLeases leases;
    private PollRunner.Collaborators with;
    private TickLedger ledger;

    TriggerVerticle(
            TriggerConfig config,
            List<Planned> planned,
            KafkaConfig kafka,
            String pgUrl,
            String redisUrl,
            MeterRegistry registry,
            String holder) {
        this.config = config;
        this.initial = List.copyOf(planned);
        this.kafka = kafka;
        this.pgUrl = pgUrl;
        this.redisUrl = redisUrl;
        this.registry = registry;
        this.holder = holder;
    }

    @Override
    public Future<?> start() {
        int timeout = (int) Math.min(Integer.MAX_VALUE, config.lease().toMillis());
        pool = PgBuilder.pool()
                .with(new io.vertx.sqlclient.PoolOptions().setMaxSize(2))
                .connectingTo(PgConnectOptions.fromUri(pgUrl)
                        .addProperty("client_min_messages", "warning")
                        // A holder cut off mid-tick leaves no lock behind for longer than a lease.
                        .addProperty("statement_timeout", Integer.toString(timeout))
                        .addProperty("idle_in_transaction_session_timeout", Integer.toString(timeout)))
                .using(vertx)
                .build();
        leases = new TriggerLeases(pool);
        // The schema may be missing if PostgreSQL is down now: runners then retry their first write at each wake.
        Future<Void> schema = Migrations.apply(pool).recover(err -> {
            LOG.warn(
                    "trigger schema not applied yet (PostgreSQL unreachable?); triggers try again at each wake: {}",
                    err.toString());
            return Future.succeededFuture();
        });
        return schema.compose(s -> vertx.executeBlocking(() -> TriggerProducer.create(kafka)))
                .compose(p -> {
                    producer = p;
                    RedisAPI redisApi = null;
                    if (redisUrl != null) {
                        redis = Redis.createClient(
                                vertx,
                                new RedisOptions()
                                        .setConnectionString(redisUrl)
                                        .setMaxPoolSize(4)
                                        .setMaxPoolWaiting(10_000));
                        redisApi = RedisAPI.api(redis);
                    }
                    http = vertx.createHttpClient(
                            new HttpClientOptions().setKeepAlive(true),
                            new PoolOptions().setHttp1MaxSize(config.pollPerHost()));
                    with = new PollRunner.Collaborators(
                            leases,
                            producer,
                            new PollFetch(vertx, http, config.pollTimeout().toMillis(), config.pollMaxBytes()),
                            new HostLimits(config.pollPerHost()),
                            redisApi,
                            holder,
                            config);
                    ledger = new TickLedger(kafka);
                    return apply(initial);
                });
    }

    /** Runs {@code next} from now on (see {@link Triggers#update}). Any thread. */
    Future<Void> replan(List<Planned> next) {
        return Future.<Void>future(p -> context.runOnContext(v -> {
            replanning = replanning.transform(ar -> stopped ? Future.<Void>succeededFuture() : apply(next));
            replanning.onComplete(p);
        }));
    }

    /** Stops the triggers not in {@code next} or changed, then starts the new ones. On this verticle's context. */
    private Future<Void> apply(List<Planned> next) {
        Map<String, Planned> wanted = new LinkedHashMap<>();
        next.forEach(p -> wanted.put(p.name(), p));
        List<Future<Void>> stopping = new ArrayList<>();
        for (Iterator<Live> it = live.values().iterator(); it.hasNext(); ) {
            Live l = it.next();
            Planned w = wanted.get(l.planned().name());
            if (w == null || !w.sameAs(l.planned())) {
                it.remove();
                LOG.info(
                        "trigger {} {}",
                        l.planned().name(),
                        w == null
                                ? "stops: its workflow is gone or defines it no more"
                                : "restarts: its definition changed");
                stopping.add(l.runner().close().eventually(() -> {
                    l.metrics().remove();
                    return Future.succeededFuture();
                }));
            }
        }
        return Future.join(stopping).transform(ar -> {
            List<Future<Void>> started = new ArrayList<>();
            for (Planned t : wanted.values()) {
                if (!live.containsKey(t.name()) && !stopped) {
                    TriggerMetrics metrics = new TriggerMetrics(registry, t.name(), t.workflow());
                    TriggerRunner runner = t.trigger() instanceof Schedule s
                            ? new ScheduleRunner(
                                    context,
                                    t.workflow(),
                                    s,
                                    t.route(),
                                    leases,
                                    producer,
                                    ledger,
                                    metrics,
                                    holder,
                                    config)
                            : new PollRunner(context, t.workflow(), (Poll) t.trigger(), t.route(), with, metrics);
                    live.put(t.name(), new Live(t, runner, metrics));
                    started.add(runner.start());
                }
            }
            return Future.all(started).<Void>mapEmpty();
        });
    }

    /** Gives every held lease up. Runs on this verticle's context. */
    Future<Void> release() {
        return Future.<Void>future(p -> context.runOnContext(v -> {
            stopped = true;
            List<Future<Void>> closed = new ArrayList<>();
            live.values().forEach(l -> closed.add(l.runner().close()));
            Future.join(closed).<Void>mapEmpty().onComplete(p);
        }));
    }

    List<String> leading() {
        return live.values().stream()
                .map(Live::runner)
                .filter(TriggerRunner::leading)
                .map(TriggerRunner::name)
                .toList();
    }

    @Override
    public Future<?> stop() {
        stopped = true;
        live.values().forEach(l -> l.runner().halt());
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
