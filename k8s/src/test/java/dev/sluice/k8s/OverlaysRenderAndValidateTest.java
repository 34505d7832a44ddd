package dev.sluice.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.node.ObjectNode;

/** Every overlay renders, and every rendered object validates against a schema or a strict model. */
class OverlaysRenderAndValidateTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev", "eks"})
    void everyRenderedObjectValidatesAgainstItsSchema(String overlay) {
        List<ObjectNode> objects = Repo.rendered(overlay);
        assertTrue(objects.size() > 15, "rendered " + objects.size() + " objects");
        List<String> problems = new ArrayList<>();
        for (ObjectNode o : objects) {
            Optional<List<String>> result = KubernetesSchemas.get().validate(o).or(() -> CustomResources.validate(o));
            if (result.isEmpty()) {
                problems.add(
                        Yaml.id(o) + " (" + o.path("apiVersion").asString() + "): no schema or model to validate it");
            } else {
                problems.addAll(result.get());
            }
        }
        assertEquals(List.of(), problems);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "eks"})
    void overlayKeepsTheRulesTheCodeImplies(String overlay) {
        assertEquals(List.of(), new ManifestRules(Repo.rendered(overlay)).all());
    }

    /**
     * kustomize itself (or kubectl's built-in one) renders the same objects as the Java renderer
     * the other tests use, so those tests check what a real apply would send.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "eks"})
    void kustomizeBinaryRendersTheSameObjects(String overlay) {
        Optional<List<String>> binary = Kustomize.binary();
        Assumptions.assumeTrue(
                binary.isPresent(),
                "neither kustomize nor kubectl is on the PATH: rendering by kustomize itself is not compared here"
                        + " (the Java renderer's output was validated by the other tests)");
        Map<String, ObjectNode> byBinary = index(Kustomize.withBinary(binary.get(), Repo.overlay(overlay)));
        Map<String, ObjectNode> inJava = index(Repo.rendered(overlay));
        assertEquals(byBinary.keySet(), inJava.keySet());
        for (String id : byBinary.keySet()) {
            assertEquals(
                    byBinary.get(id),
                    inJava.get(id),
                    id + " differs between " + binary.get() + " and the Java renderer");
        }
        assertFalse(byBinary.isEmpty());
    }

    private static Map<String, ObjectNode> index(List<ObjectNode> objects) {
        return objects.stream()
                .collect(Collectors.toMap(
                        o -> o.path("apiVersion").asString() + " " + Yaml.id(o),
                        Function.identity(),
                        (a, b) -> {
                            throw new IllegalStateException("duplicate " + Yaml.id(a));
                        },
                        TreeMap::new));
    }
}
