package dev.sluice.cli.chaos;

import dev.sluice.core.Topics;
import dev.sluice.testkit.KafkaCluster;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.WebhookTarget;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The system under a fault: a route's topic (and its {@code .expired} and {@code .dlq}) on the
 * replicated cluster, a router and one or more executors as child JVMs, and the catalog they share.
 * Two sources write to the one topic, so their events share partitions: {@value #SOURCE} (tenant
 * {@code steady}, deduplicated fail-closed in Redis) to the main target, and {@value #NOISY} (tenant
 * {@code noisy}) to a target of its own. The infrastructure ({@link Infra}) is given, so that tests
 * share it; this object owns only its children.
 */
public final class ChaosStack implements AutoCloseable {

    public static final String SOURCE = "chaos";
    public static final String NOISY = "noisy";
    public static final String WORKFLOW = "w-chaos";
    public static final String NOISY_WORKFLOW = "w-noisy";
    public static final String HOOK = "/hook";
    static final int PARTITIONS = 3;
    private static final Duration READY = Duration.ofSeconds(90);
    private static final Duration SCALE_IN_GRACE = Duration.ofSeconds(20);

    /** What the stack runs on. */
    public record Infra(
            KafkaCluster cluster, Redis redis, Postgres postgres, WebhookTarget target, WebhookTarget noisyTarget) {}

    private final Infra infra;
    private final String topic;
    private final Duration ttl;
    private final Child.Jvm jvm;
    private final Path dir;
    private final String pgUri;
    private final Map<String, String> env = new HashMap<>();
    private final int routerPort = Ports.freePort();
    private final String group;
    private Child router;
    private final List<Child> executors = new ArrayList<>();
    private int started;

    private ChaosStack(Infra infra, String topic, Duration ttl, Child.Jvm jvm, Path dir, String pgUri) {
        this.jvm = jvm;
        this.infra = infra;
        this.topic = topic;
        this.ttl = ttl;
        this.dir = dir;
        this.pgUri = pgUri;
        this.group = "chaos-" + ThreadLocalRandom.current().nextInt(1 << 20);
    }

    /**
     * Creates the topics and the run-log database, starts a router and one executor in {@code jvm}s,
     * and waits until both are ready.
     */
    public static ChaosStack start(Infra infra, String topic, Duration ttl, Child.Jvm jvm) {
        for (String t : List.of(topic, Topics.expired(topic), Topics.deadLetter(topic))) {
            infra.cluster().createTopic(t, PARTITIONS, Duration.ofMinutes(30));
        }
        String database = "chaos_" + ThreadLocalRandom.current().nextInt(1 << 20);
        ChaosStack stack;
        try {
            stack = new ChaosStack(
                    infra,
                    topic,
                    ttl,
                    jvm,
                    Files.createTempDirectory("sluice-chaos"),
                    infra.postgres().createDatabase(database));
            Files.writeString(
                    stack.dir.resolve("catalog.json"),
                    catalog(infra, topic, ttl).encodePrettily());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the chaos catalog", e);
        }
        stack.env.putAll(Map.of(
                "SLUICE_KAFKA_BOOTSTRAP_SERVERS",
                infra.cluster().bootstrapServers(),
                "SLUICE_CATALOG_FILE",
                stack.dir.resolve("catalog.json").toString(),
                "SLUICE_REDIS_URL",
                infra.redis().uri()));
        try {
            stack.startRouter();
            stack.startExecutor().awaitReady(READY);
            stack.router.awaitReady(READY);
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
        return stack;
    }

    /** The catalog: both sources on one topic, each with a workflow calling its own target. */
    static JsonObject catalog(Infra infra, String topic, Duration ttl) {
        String ttlText = ttl.toSeconds() + "s";
        return new JsonObject()
                .put(
                        "routes",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("source", SOURCE)
                                        .put("topic", topic)
                                        .put("partitions", PARTITIONS)
                                        .put("ttl", ttlText)
                                        .put("tenant", "steady")
                                        .put("idempotency", "fail-closed"))
                                .add(new JsonObject()
                                        .put("source", NOISY)
                                        .put("topic", topic)
                                        .put("partitions", PARTITIONS)
                                        .put("ttl", ttlText)
                                        .put("tenant", NOISY)))
                .put(
                        "workflows",
                        new JsonArray()
                                .add(workflow(WORKFLOW, SOURCE, infra.target().url(HOOK), "5s"))
                                .add(workflow(
                                        NOISY_WORKFLOW,
                                        NOISY,
                                        infra.noisyTarget().url(HOOK),
                                        "2s")));
    }

    private static JsonObject workflow(String name, String source, String url, String timeout) {
        return new JsonObject()
                .put("name", name)
                .put("sources", new JsonArray().add(source))
                .put(
                        "steps",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("type", "http")
                                        .put("url", url)
                                        .put("timeout", timeout)));
    }

    /** Starts a router on the stack's ingest port (a replacement takes the same port); returns without waiting. */
    Child startRouter() {
        router = startChild(
                Child.Role.ROUTER,
                Map.of("SLUICE_ROUTER_PORT", Integer.toString(routerPort), "SLUICE_ROUTER_HEALTH_INTERVAL", "200ms"));
        return router;
    }

    /** Starts one more executor in the stack's consumer group; returns without waiting. */
    Child startExecutor() {
        Child child = startChild(
                Child.Role.EXECUTOR,
                Map.of(
                        "SLUICE_EXECUTOR_GROUP",
                        group,
                        "SLUICE_PG_URL",
                        pgUri,
                        "SLUICE_EXECUTOR_RUNLOG_FLUSH",
                        "100ms",
                        "SLUICE_EXECUTOR_RETRY_BACKOFF",
                        "200ms",
                        "SLUICE_EXECUTOR_SHUTDOWN_TIMEOUT",
                        "5s"));
        executors.add(child);
        return child;
    }

    /**
     * Starts a child of {@code role} with the stack's environment plus what every child gets (the
     * loopback host, a management port of its own, two instances) and the role's own {@code settings}.
     */
    private Child startChild(Child.Role role, Map<String, String> settings) {
        int management = Ports.freePort();
        String prefix = "SLUICE_" + role.name() + "_";
        Map<String, String> e = new HashMap<>(env);
        e.put(prefix + "HOST", Ports.LOOPBACK_HOST);
        e.put(prefix + "MANAGEMENT_PORT", Integer.toString(management));
        e.put(prefix + "INSTANCES", "2");
        e.putAll(settings);
        return Child.start(role, jvm, role.command + "-" + (++started), e, management, dir);
    }

    /** SIGKILLs the router. */
    void killRouter() {
        router.kill();
    }

    /** SIGKILLs the oldest executor. */
    void killExecutor() {
        executors.remove(0).kill();
    }

    /** SIGTERMs the newest executors until {@code count} are left (a scale-in). */
    void scaleExecutorsIn(int count) {
        while (executors.size() > count) {
            executors.remove(executors.size() - 1).stop(SCALE_IN_GRACE);
        }
    }

    /** Every child that should run does; none exited on its own. */
    public List<String> deadChildren() {
        List<String> dead = new ArrayList<>();
        if (!router.alive()) {
            dead.add(router.name());
        }
        executors.stream().filter(c -> !c.alive()).forEach(c -> dead.add(c.name()));
        return dead;
    }

    /** Children started since the stack began, the first router and executor included. */
    public int childrenStarted() {
        return started;
    }

    public URI ingest(String source) {
        return URI.create("http://" + Ports.LOOPBACK_HOST + ":" + routerPort + "/v1/events/" + source);
    }

    public Infra infra() {
        return infra;
    }

    public String topic() {
        return topic;
    }

    public Duration ttl() {
        return ttl;
    }

    public String pgUri() {
        return pgUri;
    }

    /** Where the children's logs are. */
    public Path logDir() {
        return dir;
    }

    /** Stops the children (SIGTERM, bounded); the infrastructure is the caller's. */
    @Override
    public void close() {
        List<Child> all = new ArrayList<>(executors);
        if (router != null) {
            all.add(router);
        }
        all.forEach(c -> c.stop(Duration.ofSeconds(15)));
        executors.clear();
    }
}
