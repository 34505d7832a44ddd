package dev.sluice.core;

import java.util.HashMap;
import java.util.Map;

/**
 * How to reach Kafka and the pass-through client properties: {@code kafka.producer.*},
 * {@code kafka.consumer.*} and {@code kafka.admin.*} are handed to the clients as they are, on top
 * of the shared {@code kafka.common.*} (security settings, for instance).
 */
public record KafkaConfig(
        String bootstrapServers,
        Map<String, String> common,
        Map<String, String> producer,
        Map<String, String> consumer,
        Map<String, String> admin) {

    public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";

    public KafkaConfig {
        common = Map.copyOf(common);
        producer = Map.copyOf(producer);
        consumer = Map.copyOf(consumer);
        admin = Map.copyOf(admin);
    }

    public static KafkaConfig from(Settings s) {
        return new KafkaConfig(
                s.get("kafka.bootstrap.servers", DEFAULT_BOOTSTRAP),
                s.withPrefix("kafka.common."),
                s.withPrefix("kafka.producer."),
                s.withPrefix("kafka.consumer."),
                s.withPrefix("kafka.admin."));
    }

    public static KafkaConfig of(String bootstrapServers) {
        return new KafkaConfig(bootstrapServers, Map.of(), Map.of(), Map.of(), Map.of());
    }

    /** Producer properties: Sluice's defaults, then common, then the pass-through producer overrides. */
    public Map<String, Object> producerProperties(Map<String, Object> defaults) {
        return merge(defaults, producer);
    }

    public Map<String, Object> consumerProperties(Map<String, Object> defaults) {
        return merge(defaults, consumer);
    }

    public Map<String, Object> adminProperties(Map<String, Object> defaults) {
        return merge(defaults, admin);
    }

    private Map<String, Object> merge(Map<String, Object> defaults, Map<String, String> specific) {
        Map<String, Object> props = new HashMap<>(defaults);
        props.put("bootstrap.servers", bootstrapServers);
        props.putAll(common);
        props.putAll(specific);
        return props;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("KafkaConfig{bootstrap=").append(bootstrapServers);
        Map<String, Map<String, String>> parts =
                Map.of("common", common, "producer", producer, "consumer", consumer, "admin", admin);
        parts.forEach((name, m) -> m.forEach((k, v) ->
                sb.append(", ").append(name).append('.').append(k).append('=').append(Settings.redact(k, v))));
        return sb.append('}').toString();
    }
}
