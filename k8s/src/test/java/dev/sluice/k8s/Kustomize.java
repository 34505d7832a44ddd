package dev.sluice.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Renders a kustomization. {@link #withBinary} runs {@code kustomize build} or
 * {@code kubectl kustomize} when one is on the PATH; {@link #inJava} is a renderer for the subset
 * of kustomize this project's overlays keep to (resources, namespace, patches as strategic merge
 * by kind and name, configMapGenerator from files without a name suffix, images). Anything else
 * in a kustomization is an error here, so the overlays cannot drift out of that subset unseen.
 */
final class Kustomize {

    private static final Set<String> SUPPORTED =
            Set.of("apiVersion", "kind", "namespace", "resources", "patches", "configMapGenerator", "images");
    private static final Set<String> CLUSTER_SCOPED = Set.of(
            "Namespace",
            "ClusterRole",
            "ClusterRoleBinding",
            "CustomResourceDefinition",
            "PersistentVolume",
            "StorageClass",
            "PriorityClass",
            "IngressClass");
    /** Strategic-merge keys of the built-in list fields the overlays patch; other lists are replaced. */
    private static final Map<String, String> MERGE_KEYS = Map.of(
            "containers",
            "name",
            "initContainers",
            "name",
            "env",
            "name",
            "volumes",
            "name",
            "volumeMounts",
            "mountPath",
            "ports",
            "containerPort");

    private Kustomize() {}

    /** The command that renders with a binary on this machine, if there is one. */
    static Optional<List<String>> binary() {
        for (List<String> cmd : List.of(List.of("kustomize", "build"), List.of("kubectl", "kustomize"))) {
            if (onPath(cmd.get(0))) {
                return Optional.of(cmd);
            }
        }
        return Optional.empty();
    }

    private static boolean onPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, exe))) {
                return true;
            }
        }
        return false;
    }

    static List<ObjectNode> withBinary(List<String> command, Path dir) {
        List<String> cmd = new ArrayList<>(command);
        cmd.add(dir.toString());
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + err);
            }
            return Yaml.documents(new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static List<ObjectNode> inJava(Path dir) {
        Path file = dir.resolve("kustomization.yaml");
        ObjectNode k = Yaml.documents(file).get(0);
        for (String key : k.propertyNames()) {
            if (!SUPPORTED.contains(key)) {
                throw new IllegalArgumentException(
                        file + ": '" + key + "' is outside the kustomize subset rendered here");
            }
        }
        List<ObjectNode> objects = new ArrayList<>();
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asString()).normalize();
            objects.addAll(Files.isDirectory(p) ? inJava(p) : Yaml.documents(p));
        }
        for (JsonNode g : k.path("configMapGenerator")) {
            objects.add(configMap(dir, g));
        }
        for (JsonNode patch : k.path("patches")) {
            if (!patch.has("path") || patch.size() != 1) {
                throw new IllegalArgumentException(file + ": only patches given by path are rendered here");
            }
            for (ObjectNode p : Yaml.documents(dir.resolve(patch.path("path").asString()))) {
                ObjectNode target = objects.stream()
                        .filter(o -> Yaml.id(o).equals(Yaml.id(p)))
                        .findFirst()
                        .orElseThrow(() ->
                                new IllegalArgumentException(file + ": patch target " + Yaml.id(p) + " not found"));
                merge(target, p, builtIn(target));
            }
        }
        if (k.has("namespace")) {
            for (ObjectNode o : objects) {
                if (!CLUSTER_SCOPED.contains(Yaml.kind(o))) {
                    ((ObjectNode) o.path("metadata"))
                            .put("namespace", k.path("namespace").asString());
                }
            }
        }
        for (JsonNode image : k.path("images")) {
            objects.forEach(o -> setImages(o, image));
        }
        return objects;
    }

    private static ObjectNode configMap(Path dir, JsonNode g) {
        JsonNode options = g.path("options");
        if (!options.path("disableNameSuffixHash").asBoolean(false) || g.has("literals") || g.has("envs")) {
            throw new IllegalArgumentException(
                    "configMapGenerator " + g.path("name") + ": only files, with disableNameSuffixHash");
        }
        ObjectNode cm = JsonNodeFactory.instance.objectNode();
        cm.put("apiVersion", "v1").put("kind", "ConfigMap");
        ObjectNode meta = cm.putObject("metadata");
        meta.put("name", g.path("name").asString());
        if (options.has("labels")) {
            meta.set("labels", options.path("labels").deepCopy());
        }
        ObjectNode data = cm.putObject("data");
        for (JsonNode f : g.path("files")) {
            Path p = dir.resolve(f.asString());
            try {
                data.put(p.getFileName().toString(), Files.readString(p));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return cm;
    }

    /** Built-in kinds get strategic merge; custom resources a JSON merge patch (lists replaced). */
    private static boolean builtIn(JsonNode o) {
        String apiVersion = o.path("apiVersion").asString();
        return !apiVersion.contains("/")
                || !apiVersion.substring(0, apiVersion.indexOf('/')).contains(".")
                || apiVersion.contains(".k8s.io/");
    }

    static void merge(ObjectNode target, ObjectNode patch, boolean strategic) {
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            String key = e.getKey();
            JsonNode value = e.getValue();
            JsonNode current = target.get(key);
            if (value.isNull()) {
                target.remove(key);
            } else if (value.isObject() && current != null && current.isObject()) {
                merge((ObjectNode) current, (ObjectNode) value, strategic);
            } else if (strategic
                    && value.isArray()
                    && current != null
                    && current.isArray()
                    && MERGE_KEYS.containsKey(key)) {
                mergeList((ArrayNode) current, (ArrayNode) value, MERGE_KEYS.get(key));
            } else {
                target.set(key, value.deepCopy());
            }
        }
    }

    private static void mergeList(ArrayNode current, ArrayNode patch, String mergeKey) {
        for (JsonNode item : patch) {
            JsonNode key = item.get(mergeKey);
            ObjectNode match = null;
            for (JsonNode c : current) {
                if (key != null && key.equals(c.get(mergeKey))) {
                    match = (ObjectNode) c;
                }
            }
            if (match != null) {
                merge(match, (ObjectNode) item, true);
            } else {
                current.add(item.deepCopy());
            }
        }
    }

    /** kustomize's images transformer: every containers[].image / initContainers[].image named {@code name}. */
    private static void setImages(JsonNode node, JsonNode image) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if ((e.getKey().equals("containers") || e.getKey().equals("initContainers"))
                        && e.getValue().isArray()) {
                    for (JsonNode c : e.getValue()) {
                        retag((ObjectNode) c, image);
                    }
                }
                setImages(e.getValue(), image);
            }
        } else if (node.isArray()) {
            for (Iterator<JsonNode> it = node.values().iterator(); it.hasNext(); ) {
                setImages(it.next(), image);
            }
        }
    }

    private static void retag(ObjectNode container, JsonNode image) {
        String current = container.path("image").asString("");
        String name = image.path("name").asString();
        String bare = current.contains("@") ? current.substring(0, current.indexOf('@')) : current;
        int colon = bare.lastIndexOf(':');
        String tag = colon > bare.lastIndexOf('/') ? bare.substring(colon + 1) : null;
        if (colon > bare.lastIndexOf('/')) {
            bare = bare.substring(0, colon);
        }
        if (!bare.equals(name)) {
            return;
        }
        String newName = image.path("newName").asString(name);
        String newTag = image.path("newTag").asString(tag);
        container.put("image", newTag == null ? newName : newName + ":" + newTag);
    }
}
