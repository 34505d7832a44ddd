package dev.sluice.loadgen;

import java.util.List;

/** The Sluice under test: where to send events, where the executor's metrics are, which processes are its own. */
public interface Target extends AutoCloseable {

    /** {@code http://host:port/v1/events/<source>}. */
    String ingestUrl();

    /** With {@code --direct}: the Kafka bootstrap servers the generator produces to (the topic is the ingest URL's path), else null. */
    default String kafkaBootstrap() {
        return null;
    }

    /** The router's MQTT listener ({@code tcp://host:port}) when this target started it, else null. */
    default String mqttUrl() {
        return null;
    }

    /** The executor's Prometheus endpoint, or null when unknown. */
    String executorMetricsUrl();

    /** Processes whose CPU time the run reports (each with its descendants); empty when they are not ours to see. */
    List<ProcessHandle> processes();

    /** The Sluice JVMs: profiled with {@code --jfr}, their threads' CPU reported. */
    default List<ProcessHandle> profiledJvms() {
        return List.of();
    }

    @Override
    void close();

    /** A Sluice somebody else started. */
    static Target external(String ingestUrl, String executorMetricsUrl) {
        return new Target() {
            @Override
            public String ingestUrl() {
                return ingestUrl;
            }

            @Override
            public String executorMetricsUrl() {
                return executorMetricsUrl;
            }

            @Override
            public List<ProcessHandle> processes() {
                return List.of();
            }

            @Override
            public void close() {
                // not ours to stop
            }
        };
    }
}
