package dev.sluice.k8s;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON schemas of the Kubernetes API (core, apps, autoscaling, policy, networking) and of the
 * Prometheus Operator's resources, as shipped in fabric8's model jars (Maven Central, 6.13.x,
 * {@code schema/validation-schema.json}), made strict before use:
 * <ul>
 * <li>fabric8 generates Java from them, so every object allows additional properties (the
 *     classes keep unknown fields in a map). Here an object with declared properties allows no
 *     others: a misspelt or misplaced field is an error, as it is for the API server.</li>
 * <li>{@code IntOrString} and {@code Quantity} are objects there (their Java shape); in a
 *     manifest they are a string or a number.</li>
 * <li>Draft-03 style {@code "required": true} on properties and the {@code java*} hints are
 *     dropped.</li>
 * </ul>
 * Custom resources of KEDA and Strimzi are not here: see {@link CustomResources}.
 */
final class KubernetesSchemas {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String RESOURCE = "schema/validation-schema.json";

    private final ObjectNode definitions = JsonNodeFactory.instance.objectNode();
    /** "apiVersion kind" → definition name. */
    private final Map<String, String> byType = new HashMap<>();

    private final Map<String, Schema> compiled = new ConcurrentHashMap<>();
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);
    private final List<String> modules = new ArrayList<>();

    private static final KubernetesSchemas INSTANCE = load();

    static KubernetesSchemas get() {
        return INSTANCE;
    }

    private static KubernetesSchemas load() {
        KubernetesSchemas s = new KubernetesSchemas();
        try {
            Enumeration<URL> urls = KubernetesSchemas.class.getClassLoader().getResources(RESOURCE);
            for (URL url : Collections.list(urls)) {
                try (InputStream in = url.openStream()) {
                    JsonNode doc = JSON.readTree(in);
                    s.modules.add(doc.path("$module").asString("?"));
                    for (Map.Entry<String, JsonNode> e : doc.path("definitions").properties()) {
                        s.definitions.set(e.getKey(), strict(e.getValue().deepCopy()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Map.Entry<String, JsonNode> e : s.definitions.properties()) {
            if (e.getKey().endsWith("IntOrString")) {
                s.definitions.set(e.getKey(), types("integer", "string"));
            } else if (e.getKey().endsWith("_Quantity")) {
                s.definitions.set(e.getKey(), types("number", "string"));
            }
            JsonNode props = e.getValue().path("properties");
            String apiVersion = props.path("apiVersion").path("default").asString("");
            String kind = props.path("kind").path("default").asString("");
            if (!apiVersion.isEmpty() && !kind.isEmpty() && props.has("metadata")) {
                s.byType.put(apiVersion + " " + kind, e.getKey());
                ArrayNode required = ((ObjectNode) e.getValue()).putArray("required");
                required.add("apiVersion").add("kind").add("metadata");
            }
        }
        if (s.byType.isEmpty()) {
            throw new IllegalStateException("no Kubernetes schemas on the test classpath (" + RESOURCE + ")");
        }
        return s;
    }

    private static ObjectNode types(String... types) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        ArrayNode t = n.putArray("type");
        for (String type : types) {
            t.add(type);
        }
        return n;
    }

    private static JsonNode strict(JsonNode node) {
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            List<String> drop = new ArrayList<>();
            for (String k : o.propertyNames()) {
                if (k.startsWith("java")
                        || k.equals("existingJavaType")
                        || (k.equals("required") && o.get(k).isBoolean())) {
                    drop.add(k);
                }
            }
            o.remove(drop);
            if (o.has("properties") && o.path("properties").isObject()) {
                o.put("additionalProperties", false);
                for (Map.Entry<String, JsonNode> p : o.path("properties").properties()) {
                    strict(p.getValue());
                }
            }
            for (String k : List.of("items", "additionalProperties")) {
                if (o.path(k).isObject()) {
                    strict(o.get(k));
                }
            }
        }
        return node;
    }

    /** Whether there is a schema for this apiVersion and kind. */
    boolean knows(JsonNode object) {
        return byType.containsKey(type(object));
    }

    /** The violations of {@code object} (empty when valid), or empty when its type is not known. */
    Optional<List<String>> validate(JsonNode object) {
        String definition = byType.get(type(object));
        if (definition == null) {
            return Optional.empty();
        }
        Schema schema = compiled.computeIfAbsent(definition, d -> {
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            root.put("$schema", "http://json-schema.org/draft-07/schema#");
            root.put("$ref", "#/definitions/" + d);
            root.set("definitions", definitions);
            return registry.getSchema(root);
        });
        List<String> out = new ArrayList<>();
        for (Error e : schema.validate(object)) {
            out.add(Yaml.id(object) + " " + e.getInstanceLocation() + ": " + e.getMessage());
        }
        return Optional.of(out);
    }

    List<String> modules() {
        return modules;
    }

    private static String type(JsonNode o) {
        return o.path("apiVersion").asString("") + " " + Yaml.kind(o);
    }
}
