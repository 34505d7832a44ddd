package dev.sluice.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Each check fails on a manifest broken on purpose, and names what is wrong. */
class BrokenManifestsAreCaughtTest {

    private static ObjectNode object(List<ObjectNode> objects, String kind, String name) {
        return objects.stream()
                .filter(o -> Yaml.kind(o).equals(kind) && Yaml.name(o).equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static ObjectNode container(ObjectNode deployment) {
        return (ObjectNode) deployment
                .path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .path(0);
    }

    private static List<String> schemaProblems(ObjectNode o) {
        return KubernetesSchemas.get()
                .validate(o)
                .or(() -> CustomResources.validate(o))
                .orElseThrow();
    }

    private static void assertOneProblemMentioning(List<String> problems, String... words) {
        assertEquals(1, problems.size(), problems.toString());
        for (String w : words) {
            assertTrue(problems.get(0).contains(w), problems.get(0) + " should mention " + w);
        }
    }

    @Test
    void unknownFieldInAContainerIsRejected() {
        ObjectNode d = object(Repo.rendered("eks"), "Deployment", "sluice-router");
        assertEquals(List.of(), schemaProblems(d));
        container(d).put("livenesProbe", "typo");
        assertOneProblemMentioning(schemaProblems(d), "livenesProbe", "/spec/template/spec/containers/0");
    }

    @Test
    void unknownFieldDeepInAProbeIsRejected() {
        ObjectNode d = object(Repo.rendered("dev"), "Deployment", "sluice-executor");
        ((ObjectNode) container(d).path("readinessProbe").path("httpGet")).put("url", "/health/ready");
        assertOneProblemMentioning(schemaProblems(d), "url");
    }

    @Test
    void wrongTypeIsRejected() {
        ObjectNode hpa = object(Repo.rendered("dev"), "HorizontalPodAutoscaler", "sluice-router");
        ((ObjectNode) hpa.path("spec")).put("minReplicas", "two");
        assertOneProblemMentioning(schemaProblems(hpa), "minReplicas");
    }

    @Test
    void unknownFieldInAPrometheusRuleIsRejected() {
        ObjectNode rule = object(Repo.rendered("dev"), "PrometheusRule", "sluice");
        ((ObjectNode) rule.path("spec").path("groups").path(0).path("rules").path(0)).put("severity", "page");
        assertOneProblemMentioning(schemaProblems(rule), "severity");
    }

    @Test
    void unknownFieldInAScaledObjectIsRejected() {
        ObjectNode so = object(Repo.rendered("dev"), "ScaledObject", "sluice-executor");
        assertEquals(List.of(), schemaProblems(so));
        ((ObjectNode) so.path("spec")).put("maxReplicas", 12);
        assertOneProblemMentioning(schemaProblems(so), "maxReplicas");
    }

    @Test
    void misspeltTriggerMetadataIsRejected() {
        ObjectNode so = object(Repo.rendered("dev"), "ScaledObject", "sluice-executor");
        ((ObjectNode) so.path("spec").path("triggers").path(0).path("metadata")).put("lagTreshold", "550");
        assertOneProblemMentioning(schemaProblems(so), "lagTreshold");
    }

    @Test
    void unknownFieldInAKafkaTopicIsRejected() {
        ObjectNode kt = object(Repo.rendered("dev"), "KafkaTopic", "sluice-orders");
        ((ObjectNode) kt.path("spec")).put("retention", "6m");
        assertOneProblemMentioning(schemaProblems(kt), "retention");
    }

    @Test
    void probeOnTheIngestPortIsCaught() {
        List<ObjectNode> objects = Repo.rendered("eks");
        assertEquals(List.of(), new ManifestRules(objects).probes());
        ObjectNode probe = (ObjectNode) container(object(objects, "Deployment", "sluice-router"))
                .path("readinessProbe")
                .path("httpGet");
        probe.put("port", 8080);
        assertOneProblemMentioning(new ManifestRules(objects).probes(), "readinessProbe port 8080", "8081");
    }

    @Test
    void probeOnAnUndeclaredPortNameIsCaught() {
        List<ObjectNode> objects = Repo.rendered("dev");
        ObjectNode probe = (ObjectNode) container(object(objects, "Deployment", "sluice-executor"))
                .path("livenessProbe")
                .path("httpGet");
        probe.put("port", "admin");
        assertOneProblemMentioning(new ManifestRules(objects).probes(), "livenessProbe port", "admin");
    }

    @Test
    void probePortFollowsTheManagementPortSetting() {
        // Moving the executor's management port by env without moving the probes is caught: the
        // expected port comes from ExecutorConfig, not from the manifest.
        List<ObjectNode> objects = Repo.rendered("dev");
        ArrayNode env = (ArrayNode)
                container(object(objects, "Deployment", "sluice-executor")).path("env");
        for (var e : env) {
            if (e.path("name").asString().equals("SLUICE_EXECUTOR_MANAGEMENT_PORT")) {
                ((ObjectNode) e).put("value", "9092");
            }
        }
        List<String> problems = new ManifestRules(objects).probes();
        assertEquals(4, problems.size(), problems.toString()); // three probes and the declared port
        assertTrue(problems.stream().allMatch(p -> p.contains("9092")), problems.toString());
    }

    @Test
    void readinessOnTheLivenessPathIsCaught() {
        List<ObjectNode> objects = Repo.rendered("dev");
        ((ObjectNode) container(object(objects, "Deployment", "sluice-router"))
                        .path("readinessProbe")
                        .path("httpGet"))
                .put("path", "/health/live");
        assertOneProblemMentioning(new ManifestRules(objects).probes(), "readinessProbe path /health/live");
    }

    @Test
    void scaledObjectNamingAMissingDeploymentIsCaught() {
        List<ObjectNode> objects = Repo.rendered("dev");
        ((ObjectNode) object(objects, "ScaledObject", "sluice-executor")
                        .path("spec")
                        .path("scaleTargetRef"))
                .put("name", "sluice-executors");
        assertOneProblemMentioning(new ManifestRules(objects).scaledObjects(), "sluice-executors");
    }

    @Test
    void gracePeriodShorterThanTheDrainIsCaught() {
        List<ObjectNode> objects = Repo.rendered("eks");
        ((ObjectNode) object(objects, "Deployment", "sluice-router")
                        .path("spec")
                        .path("template")
                        .path("spec"))
                .put("terminationGracePeriodSeconds", 30);
        assertOneProblemMentioning(
                new ManifestRules(objects).shutdown(), "terminationGracePeriodSeconds 30", "preStop 15");
    }

    @Test
    void topicNotMatchingItsRouteIsCaught() {
        List<ObjectNode> objects = Repo.rendered("dev");
        ObjectNode config = (ObjectNode)
                object(objects, "KafkaTopic", "sluice-orders").path("spec").path("config");
        config.put("retention.ms", 20000);
        assertOneProblemMentioning(new ManifestRules(objects).topics(), "retention.ms 20000", "360000");
    }

    @Test
    void writableRootFilesystemIsCaught() {
        List<ObjectNode> objects = Repo.rendered("dev");
        ((ObjectNode) container(object(objects, "Deployment", "sluice-scaler")).path("securityContext"))
                .put("readOnlyRootFilesystem", false);
        assertOneProblemMentioning(new ManifestRules(objects).security(), "sluice-scaler", "read-only");
    }

    @Test
    void aSecretInTheManifestsIsCaught() {
        List<ObjectNode> objects = new java.util.ArrayList<>(Repo.rendered("dev"));
        objects.addAll(
                Yaml.documents("apiVersion: v1\nkind: Secret\nmetadata: {name: oops}\nstringData: {pw: hunter2}\n"));
        assertOneProblemMentioning(new ManifestRules(objects).noSecrets(), "Secret/oops");
    }

    @Test
    void objectOfAnUnknownTypeHasNoSchema() {
        ObjectNode o = Yaml.documents("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n")
                .get(0);
        assertEquals(Optional.empty(), KubernetesSchemas.get().validate(o).or(() -> CustomResources.validate(o)));
    }
}
