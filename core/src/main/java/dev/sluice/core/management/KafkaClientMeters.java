package dev.sluice.core.management;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka client's own metrics as Micrometer meters, pushed by the client itself: Kafka hands each
 * metric to this reporter as it is made, and a meter reads {@link KafkaMetric#metricValue()}, which
 * is safe from any thread. (Micrometer's {@code KafkaClientMetrics} instead calls the client's
 * {@code metrics()}, which a {@code KafkaConsumer} refuses while another thread polls it.)
 *
 * <p>Names follow Micrometer's Kafka binder: {@code kafka.<group>.<name>} with the group's
 * {@code -metrics} suffix dropped and dashes as dots ({@code kafka_consumer_fetch_manager_records_lag_max}
 * in Prometheus), tagged with the metric's own tags. Per-topic and per-partition metrics are left
 * out (Sluice's own lag meters cover partitions, and their tag sets differ from the client-wide
 * metric of the same name). Cumulative {@code *-total} metrics are counters, the rest gauges.
 *
 * <p>Use: {@code KafkaClientMeters.report(props, registry)} before the client is created.
 */
public final class KafkaClientMeters implements MetricsReporter {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaClientMeters.class);
    /** The client property that carries the registry to the reporter Kafka instantiates. */
    static final String REGISTRY = "sluice.meter.registry";

    private static final Set<String> PER_TOPIC = Set.of("topic", "partition");

    private MeterRegistry registry;
    private final Map<MetricName, Meter> meters = new ConcurrentHashMap<>();
    /** The tag keys each meter name was registered with: one name, one set of keys. */
    private final Map<String, Set<String>> keysByName = new ConcurrentHashMap<>();

    /** Adds this reporter, with {@code registry}, to a Kafka client's properties. */
    public static Map<String, Object> report(Map<String, Object> props, MeterRegistry registry) {
        Object existing = props.get(CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG);
        String reporters = existing == null || existing.toString().isBlank()
                ? KafkaClientMeters.class.getName()
                : existing + "," + KafkaClientMeters.class.getName();
        props.put(CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG, reporters);
        props.put(REGISTRY, registry);
        return props;
    }

    @Override
    public void configure(Map<String, ?> configs) {
        Object r = configs.get(REGISTRY);
        if (r instanceof MeterRegistry given) {
            registry = given;
        } else {
            LOG.warn("Kafka client meters: no meter registry in the client's properties; its metrics are not exported");
        }
    }

    @Override
    public void init(List<KafkaMetric> metrics) {
        metrics.forEach(this::metricChange);
    }

    @Override
    public void metricChange(KafkaMetric metric) {
        if (registry == null) {
            return;
        }
        MetricName name = metric.metricName();
        if (name.tags().keySet().stream().anyMatch(PER_TOPIC::contains)) {
            return;
        }
        try {
            String meterName = meterName(name);
            Set<String> keys = new TreeSet<>(name.tags().keySet());
            if (!keysByName.computeIfAbsent(meterName, n -> keys).equals(keys)) {
                return; // the same name with other tags would be refused by Prometheus
            }
            List<Tag> tags = new ArrayList<>();
            name.tags().forEach((k, v) -> tags.add(Tag.of(k.replace('-', '.'), v)));
            Meter old = meters.remove(name);
            if (old != null) {
                registry.remove(old);
            }
            Meter meter = name.name().endsWith("-total")
                    ? FunctionCounter.builder(meterName, metric, KafkaClientMeters::value)
                            .tags(tags)
                            .description(name.description())
                            .register(registry)
                    : Gauge.builder(meterName, metric, KafkaClientMeters::value)
                            .tags(tags)
                            .description(name.description())
                            .register(registry);
            meters.put(name, meter);
        } catch (RuntimeException e) {
            // Never into the Kafka client's own threads: a meter that cannot be made is only missing.
            LOG.debug("Kafka client meter {} not registered", name, e);
        }
    }

    @Override
    public void metricRemoval(KafkaMetric metric) {
        Meter meter = meters.remove(metric.metricName());
        if (meter != null && registry != null) {
            registry.remove(meter);
        }
    }

    @Override
    public void close() {
        if (registry != null) {
            meters.values().forEach(registry::remove);
        }
        meters.clear();
    }

    static String meterName(MetricName name) {
        String group = name.group().endsWith("-metrics")
                ? name.group().substring(0, name.group().length() - "-metrics".length())
                : name.group();
        return ("kafka." + group + "." + name.name()).replace('-', '.').toLowerCase(Locale.ROOT);
    }

    private static double value(KafkaMetric metric) {
        Object v = metric.metricValue();
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
