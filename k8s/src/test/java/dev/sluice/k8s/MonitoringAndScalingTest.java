package dev.sluice.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class MonitoringAndScalingTest {

    private static final Pattern METRIC = Pattern.compile("\\b((?:sluice|kube|up)[a-z_]*)\\b");

    private static Set<String> metrics(String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void dashboardPlotsEveryFigureTheAlertsWatch() throws IOException {
        List<ObjectNode> objects = Repo.rendered("dev");
        ObjectNode rule = objects.stream()
                .filter(o -> Yaml.kind(o).equals("PrometheusRule"))
                .findFirst()
                .orElseThrow();
        List<String> alerts = new ArrayList<>();
        Set<String> alerted = new TreeSet<>();
        for (JsonNode g : rule.path("spec").path("groups")) {
            for (JsonNode r : g.path("rules")) {
                alerts.add(r.path("alert").asString());
                alerted.addAll(metrics(r.path("expr").asString()));
            }
        }
        assertTrue(
                alerts.containsAll(List.of(
                        "SluiceRouter5xxRatioHigh",
                        "SluiceRouter503",
                        "SluiceRouterRejectedSpike",
                        "SluiceEventsExpired",
                        "SluiceEventsDeadLettered",
                        "SluiceIngestToStartP99Over1s",
                        "SluiceConsumerLagGrowing",
                        "SluiceTargetCircuitOpen",
                        "SluiceComponentNotReady")),
                alerts.toString());
        alerted.remove("up");
        String dashboard = Files.readString(Repo.K8S.resolve("base/sluice-dashboard.json"));
        JsonNode parsed = Yaml.STRICT.readTree(dashboard);
        assertTrue(parsed.path("panels").size() >= 8);
        Set<String> plotted = metrics(dashboard);
        Set<String> missing = new TreeSet<>(alerted);
        missing.removeAll(plotted);
        assertEquals(Set.of(), missing, "alerted but not on the dashboard");
        ObjectNode cm = objects.stream()
                .filter(o -> Yaml.id(o).equals("ConfigMap/sluice-grafana-dashboard"))
                .findFirst()
                .orElseThrow();
        assertEquals(dashboard, cm.path("data").path("sluice-dashboard.json").asString());
    }

    @Test
    void alertsUseOnlyMetricsTheCodeRegisters() throws IOException {
        // The Micrometer names in core and the executor/router meters, in Prometheus form.
        Set<String> known = new TreeSet<>();
        for (String module : List.of("core", "router", "executor")) {
            try (var files = Files.walk(Repo.ROOT.resolve(module).resolve("src/main/java"))) {
                for (var f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = Pattern.compile("\"(sluice(?:\\.[a-z]+)+)\"").matcher(Files.readString(f));
                    while (m.find()) {
                        known.add(m.group(1).replace('.', '_'));
                    }
                }
            }
        }
        List<ObjectNode> objects = Repo.rendered("dev");
        ObjectNode rule = objects.stream()
                .filter(o -> Yaml.kind(o).equals("PrometheusRule"))
                .findFirst()
                .orElseThrow();
        Set<String> used = new TreeSet<>();
        for (JsonNode g : rule.path("spec").path("groups")) {
            for (JsonNode r : g.path("rules")) {
                used.addAll(metrics(r.path("expr").asString()));
            }
        }
        assertTrue(used.size() >= 5, used.toString());
        for (String metric : used) {
            if (!metric.startsWith("sluice_")) {
                continue;
            }
            String base = metric.replaceAll("_(total|bucket|seconds_bucket|seconds)$", "")
                    .replaceAll("_seconds$", "");
            assertTrue(known.contains(base), metric + " is not registered by the code (known: " + known + ")");
        }
    }

    @Test
    void externalScalerVariantValidatesAndReachesTheScalerService() {
        List<ObjectNode> so = Yaml.documents(Repo.ROOT.resolve("keda-scalers/manifests/external/scaledobject.yaml"));
        assertEquals(1, so.size());
        assertEquals(List.of(), CustomResources.validate(so.get(0)).orElseThrow());
        List<ObjectNode> base = Kustomize.inJava(Repo.K8S.resolve("base"));
        String address = so.get(0)
                .path("spec")
                .path("triggers")
                .path(0)
                .path("metadata")
                .path("scalerAddress")
                .asString();
        String namespace = base.stream()
                .filter(o -> Yaml.kind(o).equals("Namespace"))
                .findFirst()
                .map(Yaml::name)
                .orElseThrow();
        ObjectNode svc = base.stream()
                .filter(o -> Yaml.id(o).equals("Service/sluice-scaler"))
                .findFirst()
                .orElseThrow();
        assertEquals(
                Yaml.name(svc) + "." + namespace + ".svc.cluster.local:" + ManifestRules.SCALER_GRPC_PORT, address);
        // the same bounds as the stock variant, and a target that exists
        ObjectNode stock = Yaml.documents(Repo.ROOT.resolve("keda-scalers/manifests/kafka/scaledobject.yaml"))
                .get(0);
        for (String field : List.of("minReplicaCount", "maxReplicaCount", "pollingInterval")) {
            assertEquals(stock.path("spec").path(field), so.get(0).path("spec").path(field), field);
        }
        List<ObjectNode> swapped = new ArrayList<>(
                base.stream().filter(o -> !Yaml.kind(o).equals("ScaledObject")).toList());
        swapped.addAll(so);
        assertEquals(List.of(), new ManifestRules(swapped).scaledObjects());
    }

    @Test
    void lagThresholdIsHalfASecondOfTheMeasuredPerReplicaRate() {
        ObjectNode stock = Yaml.documents(Repo.ROOT.resolve("keda-scalers/manifests/kafka/scaledobject.yaml"))
                .get(0);
        ObjectNode external = Yaml.documents(Repo.ROOT.resolve("keda-scalers/manifests/external/scaledobject.yaml"))
                .get(0);
        int replicaRate = Integer.parseInt(external.path("spec")
                .path("triggers")
                .path(0)
                .path("metadata")
                .path("replicaRate")
                .asString());
        int lagThreshold = Integer.parseInt(stock.path("spec")
                .path("triggers")
                .path(0)
                .path("metadata")
                .path("lagThreshold")
                .asString());
        assertEquals(replicaRate / 2, lagThreshold);
        for (String overlay : Repo.OVERLAYS) {
            ObjectNode rendered = Repo.rendered(overlay).stream()
                    .filter(o -> Yaml.kind(o).equals("ScaledObject"))
                    .findFirst()
                    .orElseThrow();
            assertEquals(
                    stock.path("spec").path("triggers").path(0).path("metadata").path("lagThreshold"),
                    rendered.path("spec")
                            .path("triggers")
                            .path(0)
                            .path("metadata")
                            .path("lagThreshold"),
                    overlay);
        }
    }
}
