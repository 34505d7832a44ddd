package dev.sluice.router.impl.workflow;

import dev.sluice.core.Catalog;
import dev.sluice.core.ConfigException;
import dev.sluice.core.WorkflowConfig;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Where the router looks a workflow up by name, for manual runs: the definitions stored in
 * PostgreSQL ({@code sluice_workflows}, the table the executors load with {@code
 * executor.workflows=postgres}) first, then the catalog file's workflows. A stored row that
 * does not validate is treated as absent (the executors leave it out too). Lookups are rare (one per
 * manual run), so they go to PostgreSQL each time rather than keeping a copy current.
 */
public final class WorkflowDirectory {

    private static final WorkflowDirectory NONE = new WorkflowDirectory(List.of(), () -> null);

    private final Map<String, WorkflowConfig> catalog;
    private final Supplier<Pool> pool;

    /** {@code pool} gives the PostgreSQL pool once the router has one, or null without PostgreSQL. */
    public WorkflowDirectory(List<WorkflowConfig> catalog, Supplier<Pool> pool) {
        this.catalog = catalog.stream()
                .collect(Collectors.toUnmodifiableMap(WorkflowConfig::name, Function.identity(), (a, b) -> a));
        this.pool = pool;
    }

    /** A directory that knows no workflow. */
    public static WorkflowDirectory none() {
        return NONE;
    }

    /** The workflow called {@code name}, if one is stored or in the catalog. Fails only when PostgreSQL does not answer. */
    public Future<Optional<WorkflowConfig>> find(String name) {
        Pool p = pool.get();
        if (p == null) {
            return Future.succeededFuture(Optional.ofNullable(catalog.get(name)));
        }
        return p.preparedQuery("SELECT definition FROM sluice_workflows WHERE name = $1")
                .execute(Tuple.of(name))
                .map(rows -> {
                    for (Row r : rows) {
                        return parse(name, r).or(() -> Optional.ofNullable(catalog.get(name)));
                    }
                    return Optional.ofNullable(catalog.get(name));
                });
    }

    /** A stored definition as a workflow, validated as the executors validate it; empty when it does not validate. */
    static Optional<WorkflowConfig> parse(String name, Row r) {
        try {
            Object raw = r.getJson("definition");
            JsonObject def =
                    (raw instanceof String text ? new JsonObject(text) : ((JsonObject) raw).copy()).put("name", name);
            return Optional.of(parse(def));
        } catch (ConfigException | ClassCastException | DecodeException e) {
            return Optional.empty();
        }
    }

    /**
     * One workflow definition (a catalog {@code workflows} element, with its name), checked as the
     * catalog checks it. Its sources are not checked against any route table here: callers do that.
     */
    public static WorkflowConfig parse(JsonObject def) {
        JsonArray routes = new JsonArray();
        java.util.Set<String> seen = new java.util.HashSet<>();
        Object sources = def.getValue("sources");
        if (sources instanceof JsonArray a) {
            for (Object s : a) {
                if (s instanceof String source
                        && source.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
                        && seen.add(source)) {
                    routes.add(new JsonObject().put("source", source));
                }
            }
        }
        return Catalog.parse(new JsonObject().put("routes", routes).put("workflows", new JsonArray().add(def)))
                .workflows()
                .get(0);
    }
}
