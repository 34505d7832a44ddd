package dev.sluice.router.impl.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The producer settings "202 means the event is in Kafka" rests on, read the way the Kafka client
 * itself reads them (its {@link ProducerConfig}, so that aliases such as {@code acks=-1} and the
 * client's own defaults count): every in-sync replica acknowledges ({@code acks=all}), sends are
 * idempotent (a retry cannot duplicate or reorder), the client retries, and no more than five
 * requests are in flight per connection (idempotence keeps order only up to five).
 */
public final class ProducerGuarantees {

    private ProducerGuarantees() {}

    /** The producer's effective configuration for these properties. */
    public static ProducerConfig effective(Map<String, Object> props) {
        return new ProducerConfig(props);
    }

    /** Each setting that breaks the guarantee, named with its value; empty when none does. */
    public static List<String> violations(Map<String, Object> props) {
        List<String> out = new ArrayList<>();
        ProducerConfig c;
        try {
            c = effective(props);
        } catch (org.apache.kafka.common.config.ConfigException e) {
            out.add(e.getMessage());
            return out;
        }
        String acks = c.getString(ProducerConfig.ACKS_CONFIG);
        if (!acks.equals("all") && !acks.equals("-1")) {
            out.add("acks=" + acks + " (must be all)");
        }
        Boolean idempotence = c.getBoolean(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);
        if (!Boolean.TRUE.equals(idempotence)) {
            out.add("enable.idempotence=" + idempotence + " (must be true)");
        }
        int retries = c.getInt(ProducerConfig.RETRIES_CONFIG);
        if (retries == 0) {
            out.add("retries=0 (must be above 0)");
        }
        int inFlight = c.getInt(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION);
        if (inFlight > 5) {
            out.add("max.in.flight.requests.per.connection=" + inFlight + " (must be at most 5)");
        }
        return out;
    }
}
