package dev.sluice.k8s;

import dev.sluice.core.Catalog;
import dev.sluice.core.RouteConfig;
import dev.sluice.core.Settings;
import dev.sluice.core.Topics;
import dev.sluice.executor.ExecutorConfig;
import dev.sluice.router.RouterConfig;
import dev.sluice.scaler.ScalerConfig;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the rendered manifests must agree on with the code and with each other. Each check
 * returns its problems as text (empty when fine), so a test can break a manifest on purpose and
 * see the one problem it expects.
 */
final class ManifestRules {

    /** What core's ManagementServer serves on every management port. */
    static final Set<String> MANAGEMENT_PATHS = Set.of("/health/live", "/health/ready", "/metrics");
    /** The external scaler's gRPC port with no settings (its own config code's default). */
    static final int SCALER_GRPC_PORT =
            ScalerConfig.from(Settings.of(java.util.Map.of())).grpcPort();
    /** Shutdown hooks wait this much beyond the configured bound (RouterMain: 5 s, ExecutorMain: 15 s). */
    static final Duration ROUTER_HOOK_SLACK = Duration.ofSeconds(5);

    static final Duration EXECUTOR_HOOK_SLACK = Duration.ofSeconds(15);
    static final Set<String> ROLES = Set.of("router", "executor", "scaler");

    private final List<ObjectNode> objects;

    ManifestRules(List<ObjectNode> objects) {
        this.objects = objects;
    }

    List<String> all() {
        List<String> out = new ArrayList<>();
        out.addAll(probes());
        out.addAll(shutdown());
        out.addAll(security());
        out.addAll(scaledObjects());
        out.addAll(topics());
        out.addAll(services());
        out.addAll(noSecrets());
        return out;
    }

    // ---- lookups ----

    List<ObjectNode> ofKind(String kind) {
        return objects.stream().filter(o -> Yaml.kind(o).equals(kind)).toList();
    }

    Optional<ObjectNode> find(String kind, String name) {
        return objects.stream()
                .filter(o -> Yaml.kind(o).equals(kind) && Yaml.name(o).equals(name))
                .findFirst();
    }

    /** Containers running a Sluice role: image "sluice" (any registry, any tag) with the role as first argument. */
    record RoleContainer(ObjectNode deployment, JsonNode container, String role) {
        JsonNode pod() {
            return deployment.path("spec").path("template").path("spec");
        }
    }

    List<RoleContainer> roleContainers() {
        List<RoleContainer> out = new ArrayList<>();
        for (ObjectNode d : ofKind("Deployment")) {
            for (JsonNode c : d.path("spec").path("template").path("spec").path("containers")) {
                String image = c.path("image").asString("");
                String repo = image.replaceAll("[:@].*$", "");
                repo = repo.substring(repo.lastIndexOf('/') + 1);
                String role = c.path("args").path(0).asString("");
                if (repo.equals("sluice") && ROLES.contains(role)) {
                    out.add(new RoleContainer(d, c, role));
                }
            }
        }
        return out;
    }

    /** The Settings the process in {@code c} will see: its literal env and its envFrom ConfigMaps. */
    Settings settings(JsonNode c) {
        Map<String, String> env = new HashMap<>();
        for (JsonNode from : c.path("envFrom")) {
            String cm = from.path("configMapRef").path("name").asString("");
            find("ConfigMap", cm)
                    .ifPresent(m -> m.path("data")
                            .properties()
                            .forEach(e -> env.put(e.getKey(), e.getValue().asString())));
        }
        for (JsonNode e : c.path("env")) {
            if (e.has("value")) {
                env.put(e.path("name").asString(), e.path("value").asString());
            }
        }
        return Settings.fromEnvironment(env, new Properties());
    }

    Set<String> envNames(JsonNode c) {
        Set<String> names = new java.util.HashSet<>(settingsEnv(c));
        for (JsonNode e : c.path("env")) {
            names.add(e.path("name").asString());
        }
        return names;
    }

    private Set<String> settingsEnv(JsonNode c) {
        Set<String> names = new java.util.HashSet<>();
        for (JsonNode from : c.path("envFrom")) {
            find("ConfigMap", from.path("configMapRef").path("name").asString(""))
                    .ifPresent(m -> names.addAll(m.path("data").propertyNames()));
        }
        return names;
    }

    /** The management port the role's real config code binds with this container's settings. */
    int managementPort(RoleContainer rc) {
        Settings s = settings(rc.container());
        return switch (rc.role()) {
            case "router" -> RouterConfig.from(s).listen().managementPort();
            case "executor" -> ExecutorConfig.from(s).managementPort();
            default -> ScalerConfig.from(s).managementPort();
        };
    }

    private static Optional<Integer> resolvePort(JsonNode container, JsonNode port) {
        if (port.isInt()) {
            return Optional.of(port.asInt());
        }
        for (JsonNode p : container.path("ports")) {
            if (p.path("name").asString("").equals(port.asString(""))) {
                return Optional.of(p.path("containerPort").asInt());
            }
        }
        return Optional.empty();
    }

    // ---- checks ----

    /** Every probe of a Sluice container is an HTTP GET of a health path on the port the process really serves it on. */
    List<String> probes() {
        List<String> out = new ArrayList<>();
        for (RoleContainer rc : roleContainers()) {
            String where = Yaml.id(rc.deployment()) + " container "
                    + rc.container().path("name").asString();
            int mgmt = managementPort(rc);
            Map<String, String> expected = Map.of(
                    "startupProbe", "/health/live", "livenessProbe", "/health/live", "readinessProbe", "/health/ready");
            for (Map.Entry<String, String> e : expected.entrySet()) {
                JsonNode probe = rc.container().path(e.getKey());
                if (probe.isMissingNode()) {
                    out.add(where + ": no " + e.getKey());
                    continue;
                }
                JsonNode get = probe.path("httpGet");
                if (get.isMissingNode()) {
                    out.add(where + ": " + e.getKey() + " is not an HTTP GET");
                    continue;
                }
                String path = get.path("path").asString("");
                if (!MANAGEMENT_PATHS.contains(path) || !path.equals(e.getValue())) {
                    out.add(where + ": " + e.getKey() + " path " + path + " (the " + rc.role() + " serves "
                            + e.getValue() + ")");
                }
                Optional<Integer> port = resolvePort(rc.container(), get.path("port"));
                if (port.isEmpty()) {
                    out.add(where + ": " + e.getKey() + " port " + get.path("port")
                            + " is not a port of the container");
                } else if (port.get() != mgmt) {
                    out.add(where + ": " + e.getKey() + " port " + port.get() + ", but the " + rc.role()
                            + " serves its health endpoints on " + mgmt);
                }
            }
            boolean declared = false;
            for (JsonNode p : rc.container().path("ports")) {
                declared |= p.path("containerPort").asInt() == mgmt
                        && p.path("name").asString("").equals("management");
            }
            if (!declared) {
                out.add(where + ": no container port named management = " + mgmt + " (the PodMonitor scrapes it)");
            }
        }
        return out;
    }

    /** terminationGracePeriodSeconds exceeds preStop + the drain bound + the shutdown hook's slack. */
    List<String> shutdown() {
        List<String> out = new ArrayList<>();
        for (RoleContainer rc : roleContainers()) {
            long grace = rc.pod().path("terminationGracePeriodSeconds").asLong(30);
            long preStop = rc.container()
                    .path("lifecycle")
                    .path("preStop")
                    .path("sleep")
                    .path("seconds")
                    .asLong(0);
            Settings s = settings(rc.container());
            Duration bound = switch (rc.role()) {
                case "router" -> RouterConfig.from(s).timeouts().drain().plus(ROUTER_HOOK_SLACK);
                case "executor" -> ExecutorConfig.from(s).shutdownTimeout().plus(EXECUTOR_HOOK_SLACK);
                default -> Duration.ofSeconds(10);
            };
            long needed = preStop + bound.toSeconds();
            if (grace <= needed) {
                out.add(Yaml.id(rc.deployment()) + ": terminationGracePeriodSeconds " + grace + " <= preStop " + preStop
                        + " s + shutdown bound " + bound.toSeconds() + " s");
            }
        }
        return out;
    }

    /** Non-root, read-only root filesystem, no privilege escalation, no capabilities, requests and limits. */
    List<String> security() {
        List<String> out = new ArrayList<>();
        for (RoleContainer rc : roleContainers()) {
            String where = Yaml.id(rc.deployment()) + " container "
                    + rc.container().path("name").asString();
            JsonNode sc = rc.container().path("securityContext");
            JsonNode podSc = rc.pod().path("securityContext");
            if (!(sc.path("runAsNonRoot").asBoolean(false)
                    || podSc.path("runAsNonRoot").asBoolean(false))) {
                out.add(where + ": not runAsNonRoot");
            }
            if (!sc.path("readOnlyRootFilesystem").asBoolean(false)) {
                out.add(where + ": root filesystem not read-only");
            }
            if (sc.path("allowPrivilegeEscalation").asBoolean(true)) {
                out.add(where + ": privilege escalation allowed");
            }
            if (!sc.path("capabilities").path("drop").toString().contains("\"ALL\"")) {
                out.add(where + ": capabilities not dropped");
            }
            for (String kind : List.of("requests", "limits")) {
                for (String res : List.of("cpu", "memory")) {
                    if (rc.container().path("resources").path(kind).path(res).isMissingNode()) {
                        out.add(where + ": no " + res + " " + kind);
                    }
                }
            }
        }
        return out;
    }

    /** Each ScaledObject scales a Deployment that exists, from settings its container really has. */
    List<String> scaledObjects() {
        List<String> out = new ArrayList<>();
        for (ObjectNode so : ofKind("ScaledObject")) {
            String target = so.path("spec").path("scaleTargetRef").path("name").asString("");
            Optional<ObjectNode> d = find("Deployment", target);
            if (d.isEmpty()) {
                out.add(Yaml.id(so) + ": scaleTargetRef names Deployment " + target
                        + ", which is not in the manifests");
                continue;
            }
            JsonNode container = d.get()
                    .path("spec")
                    .path("template")
                    .path("spec")
                    .path("containers")
                    .path(0);
            int min = so.path("spec").path("minReplicaCount").asInt(0);
            if (min < 1) {
                out.add(Yaml.id(so) + ": minReplicaCount " + min + " (executors stay warm: at least 1)");
            }
            for (JsonNode t : so.path("spec").path("triggers")) {
                for (Map.Entry<String, JsonNode> m : t.path("metadata").properties()) {
                    if (!m.getValue().isString()) {
                        out.add(Yaml.id(so) + ": trigger metadata " + m.getKey() + " must be a string");
                    }
                    if (m.getKey().endsWith("FromEnv")
                            && !envNames(container).contains(m.getValue().asString())) {
                        out.add(Yaml.id(so) + ": " + m.getKey() + " names "
                                + m.getValue().asString() + ", which the container of " + target + " does not have");
                    }
                }
                String topic = t.path("metadata").path("topic").asString("");
                Optional<ObjectNode> kt = ofKind("KafkaTopic").stream()
                        .filter(k -> k.path("spec")
                                .path("topicName")
                                .asString(Yaml.name(k))
                                .equals(topic))
                        .findFirst();
                if (kt.isEmpty()) {
                    out.add(Yaml.id(so) + ": trigger topic " + topic + " has no KafkaTopic");
                } else if (so.path("spec").path("maxReplicaCount").asInt(100)
                        != kt.get().path("spec").path("partitions").asInt()) {
                    out.add(Yaml.id(so) + ": maxReplicaCount "
                            + so.path("spec").path("maxReplicaCount").asInt() + " differs from the partitions of "
                            + topic);
                }
            }
        }
        return out;
    }

    /** KafkaTopics match the catalog: every route's topic, .expired and .dlq, partitions and TTL-derived retention. */
    List<String> topics() {
        List<String> out = new ArrayList<>();
        Optional<ObjectNode> cm = find("ConfigMap", "sluice-catalog");
        if (cm.isEmpty()) {
            return List.of("no ConfigMap sluice-catalog");
        }
        Catalog catalog = Catalog.parse(
                new JsonObject(cm.get().path("data").path("sluice.json").asString()));
        for (RouteConfig r : catalog.routes().values()) {
            Map<String, Duration> wanted = Map.of(
                    r.topic(),
                    Topics.liveRetention(r.ttl()),
                    r.expiredTopic(),
                    Topics.ACCOUNTING_RETENTION,
                    r.deadLetterTopic(),
                    Topics.ACCOUNTING_RETENTION);
            wanted.forEach((topic, retention) -> {
                Optional<ObjectNode> kt = ofKind("KafkaTopic").stream()
                        .filter(k -> k.path("spec")
                                .path("topicName")
                                .asString(Yaml.name(k))
                                .equals(topic))
                        .findFirst();
                if (kt.isEmpty()) {
                    out.add("route " + r.source() + ": no KafkaTopic for " + topic);
                    return;
                }
                JsonNode spec = kt.get().path("spec");
                if (spec.path("partitions").asInt() != r.partitions()) {
                    out.add(Yaml.id(kt.get()) + ": partitions "
                            + spec.path("partitions").asInt() + ", route " + r.source() + " has " + r.partitions());
                }
                long ms = spec.path("config").path("retention.ms").asLong(-1);
                if (ms != retention.toMillis()) {
                    out.add(Yaml.id(kt.get()) + ": retention.ms " + ms + ", expected " + retention.toMillis()
                            + " for a TTL of " + r.ttl().toSeconds() + " s");
                }
                long segment = spec.path("config").path("segment.ms").asLong(Long.MAX_VALUE);
                if (segment > retention.toMillis()) {
                    out.add(Yaml.id(kt.get()) + ": segment.ms " + segment + " exceeds the retention");
                }
            });
        }
        return out;
    }

    /** Services and Ingress backends reach ports that exist; the router Service reaches the ingest port. */
    List<String> services() {
        List<String> out = new ArrayList<>();
        for (RoleContainer rc : roleContainers()) {
            if (rc.role().equals("router")) {
                int ingest =
                        RouterConfig.from(settings(rc.container())).listen().port();
                Optional<ObjectNode> svc = find("Service", Yaml.name(rc.deployment()));
                if (svc.isEmpty()) {
                    out.add("no Service " + Yaml.name(rc.deployment()));
                    continue;
                }
                for (JsonNode p : svc.get().path("spec").path("ports")) {
                    Optional<Integer> target = resolvePort(rc.container(), p.path("targetPort"));
                    if (target.isEmpty() || target.get() != ingest) {
                        out.add(Yaml.id(svc.get()) + ": targetPort " + p.path("targetPort") + " is not the ingest port "
                                + ingest);
                    }
                }
                for (ObjectNode ing : ofKind("Ingress")) {
                    String hc = ing.path("metadata")
                            .path("annotations")
                            .path("alb.ingress.kubernetes.io/healthcheck-port")
                            .asString("");
                    if (!hc.isEmpty() && Integer.parseInt(hc) != managementPort(rc)) {
                        out.add(Yaml.id(ing) + ": ALB health check port " + hc + " is not the management port");
                    }
                }
            }
            if (rc.role().equals("scaler")) {
                int grpcPort = ScalerConfig.from(settings(rc.container())).grpcPort();
                Optional<ObjectNode> svc = find("Service", Yaml.name(rc.deployment()));
                boolean grpc = svc.isPresent()
                        && svc.get().path("spec").path("ports").toString().contains("\"port\":" + grpcPort);
                if (!grpc) {
                    out.add("Service " + Yaml.name(rc.deployment()) + " does not offer the scaler's gRPC port "
                            + grpcPort);
                }
            }
        }
        return out;
    }

    /** The repository holds references to Secrets, never Secrets. */
    List<String> noSecrets() {
        return ofKind("Secret").stream()
                .map(s -> Yaml.id(s) + ": a Secret in the manifests")
                .toList();
    }
}
