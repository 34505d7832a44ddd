package dev.sluice.router.impl.http;

import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.ingest.SchemaCheck;
import dev.sluice.router.impl.ingest.SignatureVerifier;
import dev.sluice.router.impl.kafka.EventProducer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes in force: those of the catalog file (the bootstrap) and those stored in PostgreSQL,
 * a stored source winning over a file one of the same name. Each part is replaced whole when it
 * changes; readers take the merged map without locks on every request.
 */
public final class RouteTable {

    private static final Logger LOG = LoggerFactory.getLogger(RouteTable.class);

    private volatile Map<String, RouteConfig> routes;
    private volatile Map<String, SignatureVerifier> verifiers;
    private volatile Map<String, SchemaCheck> schemas = Map.of();
    private Map<String, RouteConfig> fromFile;
    private Map<String, RouteConfig> stored = Map.of();
    private final int bodyLimit;

    /**
     * @param bodyLimit the largest body the producer can carry in one record (its {@code max.request.size}
     *                  less room for key and headers): a route whose limit is above it is logged, since its
     *                  single events above it are refused with 413 (each event's record is checked before it is sent)
     */
    public RouteTable(Map<String, RouteConfig> routes, int bodyLimit) {
        this.bodyLimit = bodyLimit;
        replace(routes);
    }

    /** The routes whose {@code maxBodyBytes} exceeds what the producer can carry, named with both figures. */
    public static List<String> overProducerLimit(Map<String, RouteConfig> routes, int bodyLimit) {
        return routes.values().stream()
                .filter(r -> r.maxBodyBytes() > bodyLimit)
                .map(r -> "source " + r.source() + " has maxBodyBytes " + r.maxBodyBytes())
                .sorted()
                .toList();
    }

    /** Replaces the stored sources (from PostgreSQL). */
    public synchronized void replaceStored(Map<String, RouteConfig> next) {
        merge(fromFile, Map.copyOf(next));
    }

    /** The schema check of a source ({@link SchemaCheck#NONE} without a schema), compiled once per change of the route. */
    public SchemaCheck schema(String source) {
        return schemas.getOrDefault(source, SchemaCheck.NONE);
    }

    /** The signature check of a signed source, or null. */
    public SignatureVerifier verifier(String source) {
        return verifiers.get(source);
    }

    public RouteConfig get(String source) {
        return routes.get(source);
    }

    public Map<String, RouteConfig> all() {
        return routes;
    }

    /** Replaces the routes of the catalog file. */
    public synchronized void replace(Map<String, RouteConfig> file) {
        merge(Map.copyOf(file), stored);
    }

    /**
     * Puts {@code file} and {@code stored} in force together. A route that does not compile (its
     * schema) throws before anything changed, so the routes in force stay as they were.
     */
    private void merge(Map<String, RouteConfig> file, Map<String, RouteConfig> stored) {
        Map<String, RouteConfig> next = new HashMap<>(file);
        next.putAll(stored);
        for (String over : overProducerLimit(next, bodyLimit)) {
            LOG.warn(
                    "{}, above the {} bytes one Kafka record can carry (kafka.producer.max.request.size less {} for key and"
                            + " headers): batches may use the whole limit, a single event over {} bytes is refused with 413",
                    over,
                    bodyLimit,
                    EventProducer.RECORD_ALLOWANCE,
                    bodyLimit);
        }
        Map<String, RouteConfig> before = routes == null ? Map.of() : routes;
        Map<String, SignatureVerifier> v = compiled(
                next,
                before,
                verifiers == null ? Map.of() : verifiers,
                RouteConfig::signature,
                (source, route) -> new SignatureVerifier(route.signature()));
        Map<String, SchemaCheck> compiled = compiled(
                next,
                before,
                schemas,
                route -> route.schema().present() ? route.schema() : null,
                (source, route) -> SchemaCheck.compile(source, route.schema()));
        this.fromFile = file;
        this.stored = stored;
        schemas = compiled;
        verifiers = v;
        routes = Map.copyOf(next);
    }

    /**
     * What each route of {@code next} with a {@code part} (a signature, a schema; null for none)
     * compiles to: the {@code previous} form while the part is unchanged since {@code before}, a
     * new one otherwise.
     */
    private static <T> Map<String, T> compiled(
            Map<String, RouteConfig> next,
            Map<String, RouteConfig> before,
            Map<String, T> previous,
            Function<RouteConfig, Object> part,
            BiFunction<String, RouteConfig, T> compile) {
        Map<String, T> out = new HashMap<>();
        next.forEach((source, route) -> {
            Object spec = part.apply(route);
            if (spec != null) {
                RouteConfig old = before.get(source);
                T kept = previous.get(source);
                out.put(
                        source,
                        kept != null && old != null && spec.equals(part.apply(old))
                                ? kept
                                : compile.apply(source, route));
            }
        });
        return Map.copyOf(out);
    }
}
