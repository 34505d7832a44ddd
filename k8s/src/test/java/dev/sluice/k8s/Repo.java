package dev.sluice.k8s;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.node.ObjectNode;

/** Paths in the repository, and rendered overlays (rendered once per test JVM). */
final class Repo {

    static final Path ROOT = findRoot();
    static final Path K8S = ROOT.resolve("k8s");
    static final List<String> OVERLAYS = List.of("dev", "eks");

    private static final Map<String, List<ObjectNode>> RENDERED = new ConcurrentHashMap<>();

    private Repo() {}

    private static Path findRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null
                && !(Files.isDirectory(p.resolve("k8s/base")) && Files.isRegularFile(p.resolve("Jenkinsfile")))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException(
                    "repository root not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    static Path overlay(String name) {
        return K8S.resolve("overlays").resolve(name);
    }

    /** The overlay as the Java renderer gives it (a fresh copy each call: tests may break it). */
    static List<ObjectNode> rendered(String overlay) {
        return RENDERED.computeIfAbsent(overlay, o -> Kustomize.inJava(overlay(o))).stream()
                .map(ObjectNode::deepCopy)
                .toList();
    }
}
