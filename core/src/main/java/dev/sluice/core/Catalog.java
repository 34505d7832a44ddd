package dev.sluice.core;

import dev.sluice.core.trigger.Trigger;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The routes and workflows Sluice runs, read from a JSON file:
 * <pre>{@code
 * {"routes":    [{"source": "demo", "topic": "sluice.demo", "ttl": "20s", "partitions": 6,
 *                 "maxBodyBytes": 1048576, "key": "header:X-Device-Id", "type": "com.example.reading",
 *                 "tenant": "acme"}],
 *  "workflows": [{"name": "notify", "sources": ["demo"],
 *                 "steps": [{"type": "http", "url": "https://example.com/hook", "timeout": "5s"}],
 *                 "schedule": {"cron": "0 *&#47;5 * * * *", "zone": "Europe/Paris", "missed": "fire-once"}}]}
 * }</pre>
 * Errors name the offending field, e.g. {@code routes[0].ttl}.
 */
public record Catalog(Map<String, RouteConfig> routes, List<WorkflowConfig> workflows) {

    /** The members a route may have; anything else is refused, naming it. */
    static final Set<String> ROUTE_FIELDS = Set.of(
            "source",
            "topic",
            "ttl",
            "partitions",
            "maxBodyBytes",
            "key",
            "type",
            "tenant",
            "contentTypes",
            "maxBatchEvents",
            "keyFallback",
            "signature",
            "idempotency",
            "auth",
            "rateLimit",
            "mqtt",
            "schema");

    private static final Set<String> RATE_FIELDS = Set.of("events", "bytes");
    private static final Set<String> SIGNATURE_FIELDS = Set.of("scheme", "secrets", "secretsEnv", "tolerance");
    private static final Set<String> WORKFLOW_FIELDS =
            Set.of("name", "sources", "filter", "steps", "delivery", "signing", "schedule", "poll");
    private static final Set<String> SIGNING_FIELDS = Set.of("secrets", "secretsEnv");
    private static final Set<String> HTTP_STEP_FIELDS = Set.of("type", "url", "method", "timeout", "headers", "http2");
    private static final Set<String> TRANSFORM_FIELDS = Set.of("type", "set");
    private static final Set<String> PUBLISH_FIELDS = Set.of("type", "topic", "timeout");
    private static final Set<String> REDIS_FIELDS = Set.of("type", "command", "key", "value", "ttl", "timeout");
    private static final Set<String> FILTER_FIELDS = Set.of("type", "condition");

    public Catalog {
        routes = Map.copyOf(routes);
        workflows = List.copyOf(workflows);
        for (WorkflowConfig w : workflows) {
            for (String s : w.sources()) {
                if (!routes.containsKey(s)) {
                    throw new ConfigException("workflow " + w.name() + " subscribes to unknown source '" + s + "'");
                }
            }
        }
    }

    public static Catalog of(List<RouteConfig> routes, List<WorkflowConfig> workflows) {
        Map<String, RouteConfig> bySource = new LinkedHashMap<>();
        for (RouteConfig r : routes) {
            if (bySource.put(r.source(), r) != null) {
                throw new ConfigException("source '" + r.source() + "' is defined twice");
            }
        }
        return new Catalog(bySource, workflows);
    }

    public static Catalog load(Path file) {
        try {
            return parse(new JsonObject(Files.readString(file)));
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (DecodeException e) {
            throw new ConfigException(file + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    public static Catalog parse(JsonObject json) {
        List<RouteConfig> routes = new ArrayList<>();
        JsonArray rs =
                field("routes", () -> java.util.Objects.requireNonNull(json.getJsonArray("routes", new JsonArray())));
        for (int i = 0; i < rs.size(); i++) {
            int at = i;
            routes.add(field("routes[" + i + "]", () -> route(java.util.Objects.requireNonNull(rs.getJsonObject(at)))));
        }
        List<WorkflowConfig> workflows = new ArrayList<>();
        JsonArray ws = field(
                "workflows", () -> java.util.Objects.requireNonNull(json.getJsonArray("workflows", new JsonArray())));
        for (int i = 0; i < ws.size(); i++) {
            int at = i;
            workflows.add(field(
                    "workflows[" + i + "]", () -> workflow(java.util.Objects.requireNonNull(ws.getJsonObject(at)))));
        }
        return of(routes, workflows);
    }

    /** The workflows subscribed to each source. */
    public Map<String, List<WorkflowConfig>> workflowsBySource() {
        Map<String, List<WorkflowConfig>> out = new HashMap<>();
        for (WorkflowConfig w : workflows) {
            for (String s : w.sources()) {
                out.computeIfAbsent(s, k -> new ArrayList<>()).add(w);
            }
        }
        return out;
    }

    private static RouteConfig route(JsonObject o) {
        unknownFields(o, ROUTE_FIELDS);
        String source = field("source", () -> o.getString("source"));
        RouteConfig d = RouteConfig.defaults(source == null ? "x" : source);
        return new RouteConfig(
                source,
                field("topic", () -> o.getString("topic", "sluice." + source)),
                field("ttl", () -> o.containsKey("ttl") ? Durations.parse(o.getString("ttl")) : Deadlines.DEFAULT_TTL),
                field("partitions", () -> o.getInteger("partitions", d.partitions())),
                field("maxBodyBytes", () -> o.getInteger("maxBodyBytes", d.maxBodyBytes())),
                field("key", () -> o.containsKey("key") ? PartitionKey.parse(o.getString("key")) : d.key()),
                field("type", () -> o.getString("type", d.eventType())),
                field("tenant", () -> o.getString("tenant", d.tenant())),
                field(
                        "contentTypes",
                        () -> o.getJsonArray("contentTypes", new JsonArray()).stream()
                                .map(String.class::cast)
                                .toList()),
                field("maxBatchEvents", () -> o.getInteger("maxBatchEvents", d.maxBatchEvents())),
                field(
                        "keyFallback",
                        () -> o.containsKey("keyFallback") ? PartitionKey.parse(o.getString("keyFallback")) : null),
                field("signature", () -> o.containsKey("signature") ? signature(o.getJsonObject("signature")) : null),
                field("idempotency", () -> Idempotency.parse(o.getString("idempotency"), "source " + source)),
                field("auth", () -> AuthMode.parse(o.getString("auth"), "source " + source)),
                field("rateLimit", () -> o.containsKey("rateLimit") ? rateLimit(o.getJsonObject("rateLimit")) : null),
                field("mqtt", () -> o.containsKey("mqtt") ? mqtt(o.getJsonObject("mqtt")) : MqttBinding.NONE),
                field(
                        "schema",
                        () -> o.containsKey("schema")
                                ? new PayloadSchema(o.getJsonObject("schema").encode())
                                : PayloadSchema.NONE));
    }

    /** One route as the catalog writes it (a {@code routes} element), validated the same way. */
    public static RouteConfig parseRoute(JsonObject o) {
        return route(o);
    }

    private static MqttBinding mqtt(JsonObject o) {
        unknownFields(o, java.util.Set.of("topics", "key"));
        return new MqttBinding(
                field(
                        "topics",
                        () -> o.getJsonArray("topics", new JsonArray()).stream()
                                .map(String.class::cast)
                                .toList()),
                field("key", () -> o.getString("key", "id")));
    }

    private static RateLimit rateLimit(JsonObject o) {
        unknownFields(o, RATE_FIELDS);
        return RateLimit.of(
                field("events", () -> o.getLong("events", 0L)), field("bytes", () -> o.getLong("bytes", 0L)));
    }

    /** Secrets come from {@code secretsEnv} (an environment variable, comma-separated) or, for development, {@code secrets}. */
    private static SignatureConfig signature(JsonObject o) {
        unknownFields(o, SIGNATURE_FIELDS);
        List<String> secrets = secrets(o);
        return new SignatureConfig(
                field("scheme", () -> o.getString("scheme")),
                secrets,
                field(
                        "tolerance",
                        () -> o.containsKey("tolerance") ? Durations.parse(o.getString("tolerance")) : null));
    }

    /** Secrets from {@code secretsEnv} (an environment variable, comma-separated) and, for development, {@code secrets}. */
    private static List<String> secrets(JsonObject o) {
        List<String> secrets = new ArrayList<>();
        fieldDo("secrets", () -> o.getJsonArray("secrets", new JsonArray()).forEach(v -> secrets.add((String) v)));
        if (o.containsKey("secretsEnv")) {
            String env = o.getString("secretsEnv");
            String value = System.getenv(env);
            if (value == null) {
                throw new ConfigException("secretsEnv: environment variable " + env + " is not set");
            }
            for (String s : value.split(",")) {
                if (!s.isBlank()) {
                    secrets.add(s.trim());
                }
            }
        }
        return secrets;
    }

    private static WorkflowConfig workflow(JsonObject o) {
        unknownFields(o, WORKFLOW_FIELDS);
        List<String> sources = new ArrayList<>();
        fieldDo("sources", () -> o.getJsonArray("sources", new JsonArray()).forEach(s -> sources.add((String) s)));
        List<StepConfig> steps = new ArrayList<>();
        JsonArray ss = field("steps", () -> o.getJsonArray("steps", new JsonArray()));
        for (int i = 0; i < ss.size(); i++) {
            JsonObject so = ss.getJsonObject(i);
            steps.add(field("steps[" + i + "]", () -> step(so)));
        }
        Condition filter =
                field("filter", () -> o.containsKey("filter") ? Condition.parse(o.getValue("filter")) : null);
        WorkflowConfig.Delivery delivery = field(
                "delivery",
                () -> o.containsKey("delivery")
                        ? WorkflowConfig.Delivery.parse(o.getString("delivery"))
                        : WorkflowConfig.Delivery.AT_LEAST_ONCE);
        WebhookSigning signing = field(
                "signing",
                () -> o.containsKey("signing") ? signing(o.getJsonObject("signing")) : WebhookSigning.none());
        List<Trigger> triggers = new ArrayList<>();
        if (o.containsKey("schedule")) {
            triggers.add(field("schedule", () -> TriggerFields.schedule(o.getJsonObject("schedule"), sources)));
        }
        if (o.containsKey("poll")) {
            triggers.add(field("poll", () -> TriggerFields.poll(o.getJsonObject("poll"), sources)));
        }
        return new WorkflowConfig(o.getString("name"), sources, filter, steps, delivery, signing, triggers);
    }

    /** Outgoing webhook secrets come from {@code secretsEnv} (comma-separated) or, for development, {@code secrets}. */
    private static WebhookSigning signing(JsonObject o) {
        unknownFields(o, SIGNING_FIELDS);
        List<String> secrets = secrets(o);
        if (secrets.isEmpty()) {
            throw new ConfigException("secrets: at least one signing secret is needed");
        }
        return new WebhookSigning(secrets);
    }

    /** The object field {@code name} (empty when absent) as text by key, in its order. */
    private static Map<String, String> strings(JsonObject o, String name) {
        Map<String, String> m = new LinkedHashMap<>();
        fieldDo(
                name,
                () -> o.getJsonObject(name, new JsonObject())
                        .forEach(e -> m.put(e.getKey(), String.valueOf(e.getValue()))));
        return m;
    }

    private static StepConfig step(JsonObject o) {
        String type = o.getString("type", "http");
        switch (type) {
            case "http" -> {
                unknownFields(o, HTTP_STEP_FIELDS);
                Map<String, String> headers = strings(o, "headers");
                return new StepConfig.Http(
                        field("url", () -> o.getString("url")),
                        field("method", () -> o.getString("method", "POST")),
                        timeout(o, Duration.ofSeconds(10)),
                        headers,
                        field("http2", () -> o.getBoolean("http2", false)));
            }
            case "transform" -> {
                unknownFields(o, TRANSFORM_FIELDS);
                return new StepConfig.Transform(strings(o, "set"));
            }
            case "publish" -> {
                unknownFields(o, PUBLISH_FIELDS);
                return new StepConfig.Publish(
                        field("topic", () -> o.getString("topic")), timeout(o, Duration.ofSeconds(5)));
            }
            case "redis" -> {
                unknownFields(o, REDIS_FIELDS);
                return new StepConfig.Redis(
                        field("command", () -> StepConfig.Redis.Command.parse(o.getString("command"))),
                        field("key", () -> o.getString("key")),
                        field("value", () -> o.getValue("value") == null ? null : String.valueOf(o.getValue("value"))),
                        field("ttl", () -> o.containsKey("ttl") ? Durations.parse(o.getString("ttl")) : null),
                        timeout(o, Duration.ofSeconds(2)));
            }
            case "filter" -> {
                unknownFields(o, FILTER_FIELDS);
                return new StepConfig.Filter(field("condition", () -> Condition.parse(o.getValue("condition"))));
            }
            default ->
                throw new ConfigException(
                        "type: unknown step type '" + type + "' (known: http, transform, publish, redis, filter)");
        }
    }

    private static Duration timeout(JsonObject o, Duration otherwise) {
        return field("timeout", () -> o.containsKey("timeout") ? Durations.parse(o.getString("timeout")) : otherwise);
    }

    static void unknownFields(JsonObject o, Set<String> known) {
        for (String k : o.fieldNames()) {
            if (!known.contains(k)) {
                throw new ConfigException(
                        k + ": unknown field (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        }
    }

    interface Getter<T> {
        T get();
    }

    private interface Action {
        void run();
    }

    private static void fieldDo(String path, Action a) {
        field(path, () -> {
            a.run();
            return null;
        });
    }

    static <T> T field(String path, Getter<T> g) {
        try {
            return g.get();
        } catch (ConfigException e) {
            throw new ConfigException(path + ": " + e.getMessage(), e);
        } catch (ClassCastException | IllegalArgumentException | ArithmeticException e) {
            throw new ConfigException(path + ": wrong type or out of range (" + e.getMessage() + ")", e);
        } catch (NullPointerException e) {
            throw new ConfigException(path + ": missing or null where a value is required", e);
        }
    }
}
