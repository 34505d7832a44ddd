package dev.sluice.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The catalog file (routes and workflows): any JSON either loads or fails with a
 * {@link ConfigException} that names the field; a valid catalog loads as written.
 */
class CatalogProperties {

    /**
     * The member names generated objects use: every route member the catalog knows (so a new one is
     * fuzzed as soon as it exists), then the rest of the catalog's vocabulary and a pointer.
     */
    static final List<String> KEYS = java.util.stream.Stream.concat(
                    Catalog.ROUTE_FIELDS.stream().sorted(),
                    java.util.stream.Stream.of(
                            "routes",
                            "workflows",
                            "events",
                            "bytes",
                            "scheme",
                            "secrets",
                            "secretsEnv",
                            "tolerance",
                            "name",
                            "sources",
                            "filter",
                            "steps",
                            "url",
                            "method",
                            "timeout",
                            "headers",
                            "http2",
                            "set",
                            "command",
                            "value",
                            "condition",
                            "exact",
                            "/a"))
            .toList();

    static final List<String> WORDS = List.of(
            "demo",
            "a",
            "sluice.demo",
            "20s",
            "250ms",
            "5m",
            "1h",
            "0s",
            "-1s",
            "9999999999999999h",
            "1e400s",
            "id",
            "subject",
            "header:X-Id",
            "pointer:/a",
            "pointer:/~2",
            "sluice",
            "github",
            "whsec_AA==",
            "fail-open",
            "key",
            "public",
            "http",
            "https://example.com/h",
            "POST",
            "transform",
            "publish",
            "redis",
            "filter",
            "set",
            "incr",
            "{{/a}}",
            "{{",
            "PATH",
            "SLUICE_UNSET_VARIABLE");

    @Provide
    Arbitrary<JsonObject> anyCatalog() {
        Arbitrary<Object> values = JsonGen.value(KEYS, WORDS, 4);
        return JsonGen.object(KEYS, values).withoutEdgeCases();
    }

    @Property
    void anyJsonLoadsOrFailsWithConfigException(@ForAll("anyCatalog") JsonObject json) {
        try {
            Catalog.parse(json);
        } catch (ConfigException expected) {
            // the typed, named error
        } catch (RuntimeException e) {
            throw new AssertionError("only ConfigException may escape, got " + e + " for " + json.encode(), e);
        }
    }

    /** A route as a catalog writes it, and the config it must load as. */
    record Route(
            JsonObject json,
            String source,
            String topic,
            Duration ttl,
            int partitions,
            String key,
            String tenant,
            String idempotency,
            String auth,
            long events) {}

    @Provide
    Arbitrary<List<Route>> routes() {
        Arbitrary<String> name = Arbitraries.strings()
                .alpha()
                .numeric()
                .withChars("._-")
                .ofMinLength(0)
                .ofMaxLength(20)
                .map(s -> "s" + s);
        Arbitrary<String> topic = Arbitraries.strings()
                .alpha()
                .numeric()
                .withChars("._-")
                .ofMinLength(1)
                .ofMaxLength(40);
        Arbitrary<Duration> ttl = Arbitraries.longs().between(1_000, 300_000).map(Duration::ofMillis);
        Arbitrary<String> key =
                Arbitraries.of("id", "subject", "header:X-Device-Id", "pointer:/device/id", "pointer:/a~1b/0");
        Arbitrary<String> tenant =
                Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(20);
        Arbitrary<String> idem = Arbitraries.of("fail-closed", "fail-open").injectNull(0.5);
        Arbitrary<String> auth = Arbitraries.of("public", "key");
        Arbitrary<Long> events = Arbitraries.longs().between(0, 1_000_000);
        Arbitrary<Route> route = Combinators.combine(List.of(
                        name.map(o -> (Object) o),
                        topic.map(o -> (Object) o),
                        ttl.map(o -> (Object) o),
                        Arbitraries.integers().between(1, 10_000).map(o -> (Object) o),
                        key.map(o -> (Object) o),
                        tenant.map(o -> (Object) o),
                        idem.map(o -> (Object) o),
                        auth.map(o -> (Object) o),
                        events.map(o -> (Object) o)))
                .as(v -> {
                    Duration t = (Duration) v.get(2);
                    JsonObject o = new JsonObject()
                            .put("source", v.get(0))
                            .put("topic", v.get(1))
                            .put("ttl", t.toMillis() % 1000 == 0 ? t.toSeconds() + "s" : t.toMillis() + "ms")
                            .put("partitions", v.get(3))
                            .put("key", v.get(4))
                            .put("tenant", v.get(5))
                            .put("auth", v.get(7))
                            .put(
                                    "rateLimit",
                                    new JsonObject().put("events", v.get(8)).put("bytes", 0));
                    if (v.get(6) != null) {
                        o.put("idempotency", v.get(6));
                    }
                    return new Route(
                            o,
                            (String) v.get(0),
                            (String) v.get(1),
                            t,
                            (Integer) v.get(3),
                            (String) v.get(4),
                            (String) v.get(5),
                            (String) v.get(6),
                            (String) v.get(7),
                            (Long) v.get(8));
                });
        return route.list()
                .ofMinSize(1)
                .ofMaxSize(4)
                .uniqueElements(Route::source)
                .withoutEdgeCases();
    }

    @Provide
    Arbitrary<List<JsonObject>> steps() {
        Arbitrary<JsonObject> http = Combinators.combine(
                        Arbitraries.of("http://", "https://"),
                        Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10),
                        Arbitraries.of("GET", "POST", "PUT", "PATCH", "DELETE"),
                        Arbitraries.integers().between(1, 60))
                .as((scheme, host, method, secs) -> new JsonObject()
                        .put("type", "http")
                        .put("url", scheme + host + "/h")
                        .put("method", method)
                        .put("timeout", secs + "s")
                        .put("headers", new JsonObject().put("x-a", host)));
        Arbitrary<JsonObject> publish = Arbitraries.strings()
                .alpha()
                .ofMinLength(1)
                .ofMaxLength(10)
                .map(t -> new JsonObject().put("type", "publish").put("topic", t));
        Arbitrary<JsonObject> redis = Arbitraries.strings()
                .alpha()
                .ofMinLength(1)
                .ofMaxLength(10)
                .map(k -> new JsonObject()
                        .put("type", "redis")
                        .put("command", "set")
                        .put("key", k + "-{{$id}}")
                        .put("value", "{{/a}}"));
        Arbitrary<JsonObject> filter = Arbitraries.strings()
                .alpha()
                .ofMaxLength(10)
                .map(t -> new JsonObject()
                        .put("type", "filter")
                        .put("condition", new JsonObject().put("exact", new JsonObject().put("type", t))));
        Arbitrary<JsonObject> transform = Arbitraries.strings()
                .alpha()
                .ofMinLength(1)
                .ofMaxLength(10)
                .map(f ->
                        new JsonObject().put("type", "transform").put("set", new JsonObject().put("/" + f, "{{/a}}")));
        return Arbitraries.oneOf(http, publish, redis, filter, transform)
                .list()
                .ofMinSize(1)
                .ofMaxSize(4);
    }

    @Property
    void aValidCatalogLoadsAsWritten(@ForAll("routes") List<Route> routes, @ForAll("steps") List<JsonObject> steps) {
        JsonArray rs = new JsonArray();
        routes.forEach(r -> rs.add(r.json()));
        List<String> sources =
                new ArrayList<>(routes.stream().map(Route::source).toList());
        JsonObject workflow = new JsonObject()
                .put("name", "w-" + sources.size())
                .put("sources", new JsonArray(sources))
                .put("steps", new JsonArray(new ArrayList<>(steps)));

        Catalog c = Catalog.parse(new JsonObject().put("routes", rs).put("workflows", new JsonArray().add(workflow)));

        assertEquals(routes.size(), c.routes().size());
        for (Route r : routes) {
            RouteConfig got = c.routes().get(r.source());
            assertEquals(r.topic(), got.topic());
            assertEquals(r.ttl(), got.ttl());
            assertEquals(r.partitions(), got.partitions());
            assertEquals(PartitionKey.parse(r.key()), got.key());
            assertEquals(r.tenant(), got.tenant());
            assertEquals(Idempotency.parse(r.idempotency(), "test"), got.idempotency());
            assertEquals(AuthMode.parse(r.auth(), "test"), got.auth());
            assertEquals(r.events() == 0 ? null : new RateLimit(r.events(), 0), got.rateLimit());
        }
        assertEquals(1, c.workflows().size());
        WorkflowConfig w = c.workflows().get(0);
        assertEquals(sources, w.sources());
        assertEquals(steps.size(), w.steps().size());
        for (int i = 0; i < steps.size(); i++) {
            JsonObject s = steps.get(i);
            StepConfig got = w.steps().get(i);
            switch (s.getString("type")) {
                case "http" -> {
                    StepConfig.Http h = assertInstanceOf(StepConfig.Http.class, got);
                    assertEquals(s.getString("url"), h.url());
                    assertEquals(s.getString("method"), h.method());
                    assertEquals(Durations.parse(s.getString("timeout")), h.timeout());
                    assertEquals(Map.of("x-a", s.getJsonObject("headers").getString("x-a")), h.headers());
                }
                case "publish" ->
                    assertEquals(
                            s.getString("topic"),
                            assertInstanceOf(StepConfig.Publish.class, got).topic());
                case "redis" ->
                    assertEquals(
                            s.getString("key"),
                            assertInstanceOf(StepConfig.Redis.class, got).key());
                case "filter" -> assertInstanceOf(StepConfig.Filter.class, got);
                default ->
                    assertEquals(
                            s.getJsonObject("set").getMap(),
                            Map.copyOf(assertInstanceOf(StepConfig.Transform.class, got)
                                    .set()));
            }
        }
        assertEquals(sources.size(), c.workflowsBySource().size());
    }
}
