package dev.sluice.router.impl.kafka;

import dev.sluice.core.KafkaConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the broker is reachable, probed with a short {@code describeCluster} on a fixed
 * interval. The admin client is asynchronous, so the probe never blocks the timer's thread. The
 * router refuses ingest with 503 at once while the broker is unreachable, instead of letting
 * requests wait for delivery timeouts.
 */
public final class BrokerHealth implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerHealth.class);

    private final Admin admin;
    private final int timeoutMs;
    private final AtomicBoolean reachable = new AtomicBoolean(false);
    private final AtomicBoolean probing = new AtomicBoolean(false);
    private final AtomicLong lastChange = new AtomicLong(System.currentTimeMillis());
    private final AtomicReference<String> lastError = new AtomicReference<>("not probed yet");

    public BrokerHealth(Admin admin, Duration timeout) {
        this.admin = admin;
        this.timeoutMs = (int) timeout.toMillis();
    }

    public static BrokerHealth create(KafkaConfig kafka, Duration timeout) {
        Map<String, Object> defaults = new HashMap<>();
        defaults.put(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-router-health");
        defaults.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        defaults.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        defaults.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        return new BrokerHealth(Admin.create(kafka.adminProperties(defaults)), timeout);
    }

    /** Starts one probe unless one is already running. Safe to call from any thread; never blocks. */
    public void probe() {
        if (!probing.compareAndSet(false, true)) {
            return;
        }
        admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
                .clusterId()
                .whenComplete((id, err) -> {
                    probing.set(false);
                    if (err == null) {
                        update(true, null);
                    } else {
                        update(false, err.getClass().getSimpleName() + ": " + err.getMessage());
                    }
                });
    }

    private void update(boolean ok, String error) {
        if (reachable.getAndSet(ok) != ok) {
            lastChange.set(System.currentTimeMillis());
            if (ok) {
                LOG.info("Kafka is reachable");
            } else {
                LOG.warn("Kafka is unreachable: {}", error);
            }
        }
        lastError.set(error);
    }

    /**
     * Something on the produce path looked like the cluster is unwell (a produce timed out, a
     * retriable error): probe now rather than at the next interval. Only the probe decides: one
     * partition's leader moving (a timeout on one partition) must not refuse every route.
     */
    public void suspect(String why) {
        LOG.debug("broker suspected ({}); probing now", why);
        probe();
    }

    public boolean reachable() {
        return reachable.get();
    }

    public String lastError() {
        return lastError.get();
    }

    public Admin admin() {
        return admin;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
