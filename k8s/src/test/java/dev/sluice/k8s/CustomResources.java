package dev.sluice.k8s;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Strict models of the custom resources the manifests use, for the fields they use and their
 * documented siblings. No package registry reachable from the build ships the KEDA or Strimzi
 * CRD schemas (Strimzi's {@code io.strimzi:api} jar has Java classes that keep unknown fields,
 * not the CRD YAML), so these records stand in: read with FAIL_ON_UNKNOWN_PROPERTIES, a field
 * they do not declare is an error, as the API server's structural-schema pruning would silently
 * drop it. Field names follow KEDA 2.x ({@code keda.sh/v1alpha1}) and Strimzi 0.4x
 * ({@code kafka.strimzi.io/v1beta2}).
 */
final class CustomResources {

    private CustomResources() {}

    record ObjectMeta(String name, String namespace, Map<String, String> labels, Map<String, String> annotations) {
        ObjectMeta {
            require(name, "metadata.name");
        }
    }

    // ---- KEDA ----

    record ScaledObject(String apiVersion, String kind, ObjectMeta metadata, ScaledObjectSpec spec) {
        ScaledObject {
            require(spec, "spec");
        }
    }

    record ScaledObjectSpec(
            ScaleTargetRef scaleTargetRef,
            Integer pollingInterval,
            Integer cooldownPeriod,
            Integer initialCooldownPeriod,
            Integer idleReplicaCount,
            Integer minReplicaCount,
            Integer maxReplicaCount,
            Fallback fallback,
            Advanced advanced,
            List<Trigger> triggers) {
        ScaledObjectSpec {
            require(scaleTargetRef, "spec.scaleTargetRef");
            require(triggers, "spec.triggers");
        }
    }

    record ScaleTargetRef(String apiVersion, String kind, String name, String envSourceContainerName) {
        ScaleTargetRef {
            require(name, "spec.scaleTargetRef.name");
        }
    }

    record Fallback(Integer failureThreshold, Integer replicas) {}

    record Advanced(Boolean restoreToOriginalReplicaCount, HpaConfig horizontalPodAutoscalerConfig) {}

    record HpaConfig(String name, Behavior behavior) {}

    /** autoscaling/v2 HorizontalPodAutoscalerBehavior. */
    record Behavior(ScalingRules scaleUp, ScalingRules scaleDown) {}

    record ScalingRules(Integer stabilizationWindowSeconds, String selectPolicy, List<ScalingPolicy> policies) {}

    record ScalingPolicy(String type, Integer value, Integer periodSeconds) {
        ScalingPolicy {
            require(type, "policy type");
            require(value, "policy value");
            require(periodSeconds, "policy periodSeconds");
        }
    }

    record Trigger(
            String type,
            String name,
            Map<String, String> metadata,
            AuthenticationRef authenticationRef,
            String metricType,
            Boolean useCachedMetrics) {
        Trigger {
            require(type, "trigger type");
            require(metadata, "trigger metadata");
        }
    }

    record AuthenticationRef(String name, String kind) {
        AuthenticationRef {
            require(name, "authenticationRef.name");
        }
    }

    record TriggerAuthentication(String apiVersion, String kind, ObjectMeta metadata, TriggerAuthenticationSpec spec) {}

    record TriggerAuthenticationSpec(
            List<SecretTargetRef> secretTargetRef, List<EnvRef> env, PodIdentity podIdentity) {}

    record SecretTargetRef(String parameter, String name, String key) {
        SecretTargetRef {
            require(parameter, "secretTargetRef.parameter");
            require(name, "secretTargetRef.name");
            require(key, "secretTargetRef.key");
        }
    }

    record EnvRef(String parameter, String name, String containerName) {}

    record PodIdentity(String provider, String roleArn, String identityOwner) {}

    /**
     * The trigger metadata keys each trigger type reads (KEDA's kafka scaler; Sluice's external
     * scaler). Trigger metadata is a string map, so the API server accepts any key: a misspelt
     * one would be ignored by the scaler. Here it is an error.
     */
    static final Map<String, List<String>> TRIGGER_KEYS = Map.of(
            "kafka",
                    List.of(
                            "bootstrapServers",
                            "bootstrapServersFromEnv",
                            "consumerGroup",
                            "consumerGroupFromEnv",
                            "topic",
                            "topicFromEnv",
                            "lagThreshold",
                            "activationLagThreshold",
                            "offsetResetPolicy",
                            "allowIdleConsumers",
                            "scaleToZeroOnInvalidOffset",
                            "excludePersistentLag",
                            "version",
                            "partitionLimitation",
                            "sasl",
                            "tls",
                            "unsafeSsl",
                            "limitToPartitionsWithLag",
                            "ensureEvenDistributionOfPartitions"),
            "external", List.of("scalerAddress", "topic", "group", "budget", "ttl", "replicaRate"),
            "external-push", List.of("scalerAddress", "topic", "group", "budget", "ttl", "replicaRate"));

    // ---- Strimzi ----

    record KafkaTopic(String apiVersion, String kind, ObjectMeta metadata, KafkaTopicSpec spec) {
        KafkaTopic {
            require(spec, "spec");
        }
    }

    record KafkaTopicSpec(String topicName, Integer partitions, Integer replicas, Map<String, Object> config) {
        KafkaTopicSpec {
            require(partitions, "spec.partitions");
        }
    }

    record Kafka(String apiVersion, String kind, ObjectMeta metadata, KafkaSpec spec) {}

    record KafkaSpec(KafkaClusterSpec kafka, EntityOperator entityOperator) {
        KafkaSpec {
            require(kafka, "spec.kafka");
        }
    }

    record KafkaClusterSpec(
            String version,
            String metadataVersion,
            List<Listener> listeners,
            Map<String, Object> config,
            Map<String, Object> resources) {
        KafkaClusterSpec {
            require(listeners, "spec.kafka.listeners");
        }
    }

    record Listener(
            String name,
            Integer port,
            String type,
            Boolean tls,
            Map<String, Object> authentication,
            Map<String, Object> configuration) {
        Listener {
            require(name, "listener name");
            require(port, "listener port");
            require(type, "listener type");
            require(tls, "listener tls");
        }
    }

    record EntityOperator(OperatorSpec topicOperator, OperatorSpec userOperator) {}

    record OperatorSpec(String watchedNamespace, Integer reconciliationIntervalMs, Map<String, Object> resources) {}

    record KafkaNodePool(String apiVersion, String kind, ObjectMeta metadata, KafkaNodePoolSpec spec) {}

    record KafkaNodePoolSpec(Integer replicas, List<String> roles, Storage storage, Map<String, Object> resources) {
        KafkaNodePoolSpec {
            require(replicas, "spec.replicas");
            require(roles, "spec.roles");
            require(storage, "spec.storage");
        }
    }

    record Storage(
            String type, String size, Boolean deleteClaim, String kraftMetadata, List<Storage> volumes, Integer id) {
        Storage {
            require(type, "storage type");
        }
    }

    private static final Map<String, Class<?>> MODELS = Map.of(
            "keda.sh/v1alpha1 ScaledObject", ScaledObject.class,
            "keda.sh/v1alpha1 TriggerAuthentication", TriggerAuthentication.class,
            "kafka.strimzi.io/v1beta2 KafkaTopic", KafkaTopic.class,
            "kafka.strimzi.io/v1beta2 Kafka", Kafka.class,
            "kafka.strimzi.io/v1beta2 KafkaNodePool", KafkaNodePool.class);

    static boolean knows(JsonNode o) {
        return MODELS.containsKey(o.path("apiVersion").asString("") + " " + Yaml.kind(o));
    }

    /** The problems of {@code o} (empty when valid), or empty when it is not a modelled custom resource. */
    static Optional<List<String>> validate(JsonNode o) {
        Class<?> model = MODELS.get(o.path("apiVersion").asString("") + " " + Yaml.kind(o));
        if (model == null) {
            return Optional.empty();
        }
        try {
            Object parsed = Yaml.STRICT.treeToValue(o, model);
            if (parsed instanceof ScaledObject so) {
                return Optional.of(triggerKeys(so));
            }
            return Optional.of(List.of());
        } catch (JacksonException | IllegalArgumentException e) {
            return Optional.of(List.of(
                    Yaml.id(o) + ": " + e.getMessage().lines().findFirst().orElse("")));
        }
    }

    private static List<String> triggerKeys(ScaledObject so) {
        return so.spec().triggers().stream()
                .flatMap(t -> {
                    List<String> allowed = TRIGGER_KEYS.get(t.type());
                    if (allowed == null) {
                        return java.util.stream.Stream.of("ScaledObject/"
                                + so.metadata().name() + ": trigger type " + t.type() + " is not modelled");
                    }
                    return t.metadata().keySet().stream()
                            .filter(k -> !allowed.contains(k))
                            .map(k -> "ScaledObject/" + so.metadata().name() + ": " + t.type()
                                    + " trigger has no metadata key '" + k + "'");
                })
                .toList();
    }

    private static void require(Object value, String what) {
        if (value == null) {
            throw new IllegalArgumentException("missing " + what);
        }
    }
}
