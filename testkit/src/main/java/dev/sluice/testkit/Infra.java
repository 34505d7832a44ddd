package dev.sluice.testkit;

/**
 * One shared stack per JVM: each component is started on first use and stopped by the JVM
 * shutdown hook that every testkit component registers. A test that stops or restarts the
 * shared broker finds it running again on the next call; a test that closes a shared component
 * gets a new one on the next call. Tests that take components down on purpose are better off
 * with their own ({@link KafkaBroker#start()} and the like).
 */
public final class Infra {

    private static KafkaBroker kafka;
    private static KafkaCluster kafkaCluster;
    private static Postgres postgres;
    private static Redis redis;

    private Infra() {}

    public static synchronized KafkaBroker kafka() {
        kafka = RestartableServer.running(kafka, KafkaBroker::start);
        return kafka;
    }

    /**
     * The shared {@link KafkaCluster} of {@value KafkaCluster#DEFAULT_NODES} nodes; a node that a
     * test left killed, stopped or paused is running again on the next call.
     */
    public static synchronized KafkaCluster kafkaCluster() {
        if (kafkaCluster == null || kafkaCluster.isClosed()) {
            kafkaCluster = KafkaCluster.start();
        } else {
            kafkaCluster.ensureAllRunning();
        }
        return kafkaCluster;
    }

    public static synchronized Postgres postgres() {
        postgres = RestartableServer.running(postgres, Postgres::startOrFromEnv);
        return postgres;
    }

    public static synchronized Redis redis() {
        redis = RestartableServer.running(redis, Redis::startOrFromEnv);
        return redis;
    }
}
