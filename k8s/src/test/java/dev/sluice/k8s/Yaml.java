package dev.sluice.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Reading manifests: multi-document YAML into Jackson trees. */
final class Yaml {

    static final YAMLMapper YAML = YAMLMapper.builder().build();
    /** Strict: a field a model does not declare is an error (custom resources, see {@link CustomResources}). */
    static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private Yaml() {}

    /** Every non-empty document of {@code text}. */
    static List<ObjectNode> documents(String text) {
        List<ObjectNode> out = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
            while (it.hasNextValue()) {
                JsonNode doc = it.nextValue();
                if (doc != null && doc.isObject() && !doc.isEmpty()) {
                    out.add((ObjectNode) doc);
                }
            }
        }
        return out;
    }

    static List<ObjectNode> documents(Path file) {
        try {
            return documents(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String kind(JsonNode o) {
        return o.path("kind").asString("");
    }

    static String name(JsonNode o) {
        return o.path("metadata").path("name").asString("");
    }

    static String id(JsonNode o) {
        return kind(o) + "/" + name(o);
    }
}
