package dev.sluice.scaler;

import dev.sluice.core.Settings;
import java.time.Duration;

/**
 * The scaler process's settings ({@code scaler.*}); Kafka comes from {@code KafkaConfig} like the
 * router's and the executor's.
 *
 * @param host             bind address of both ports
 * @param grpcPort         KEDA's external scaler endpoint
 * @param managementPort   {@code /health/live}, {@code /health/ready}, {@code /metrics}
 * @param activationPoll   how often the log-end offsets of streamed topics are read
 * @param sampleInterval   how often a watched topic's offsets are sampled for the rates
 * @param rateWindow       the span the arrival and drain rates are measured over
 * @param idleTimeout      a watch nobody asked about for this long is dropped
 * @param kafkaTimeout     bound on one Kafka admin request
 */
public record ScalerConfig(
        String host,
        int grpcPort,
        int managementPort,
        Duration activationPoll,
        Duration sampleInterval,
        Duration rateWindow,
        Duration idleTimeout,
        Duration kafkaTimeout) {

    public static ScalerConfig from(Settings s) {
        return new ScalerConfig(
                s.get("scaler.host", "0.0.0.0"),
                s.getInt("scaler.grpc.port", 6000),
                s.getInt("scaler.management.port", 8083),
                s.getDuration("scaler.activation.poll", Duration.ofMillis(100)),
                s.getDuration("scaler.sample.interval", Duration.ofSeconds(1)),
                s.getDuration("scaler.rate.window", Duration.ofSeconds(10)),
                s.getDuration("scaler.idle.timeout", Duration.ofMinutes(5)),
                s.getDuration("scaler.kafka.timeout", Duration.ofSeconds(5)));
    }
}
