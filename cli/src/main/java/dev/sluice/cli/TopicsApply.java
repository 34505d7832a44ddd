package dev.sluice.cli;

import dev.sluice.core.Catalog;
import dev.sluice.core.RouteConfig;
import dev.sluice.core.Topics;
import dev.sluice.router.impl.kafka.EventProducer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * Creates each route's topic, {@code <topic>.expired} and {@code <topic>.dlq}, with the route's
 * partition count and retention matched to its TTL; grows partitions that are too few. Topics are
 * created here and only here, never by a produce. Idempotent.
 */
public final class TopicsApply {

    /** What was done to one topic. */
    public record Change(String topic, String action) {}

    private TopicsApply() {}

    public static List<NewTopic> plan(Catalog catalog, Optional<Short> replication) {
        List<NewTopic> out = new ArrayList<>();
        for (RouteConfig r : catalog.routes().values()) {
            out.add(topic(r.topic(), r.partitions(), replication, Topics.liveRetention(r.ttl())));
            out.add(topic(r.expiredTopic(), r.partitions(), replication, Topics.ACCOUNTING_RETENTION));
            out.add(topic(r.deadLetterTopic(), r.partitions(), replication, Topics.ACCOUNTING_RETENTION));
        }
        return out;
    }

    private static NewTopic topic(String name, int partitions, Optional<Short> replication, Duration retention) {
        Map<String, String> configs = new HashMap<>();
        configs.put("retention.ms", Long.toString(retention.toMillis()));
        // Short segments so retention (which deletes whole segments) tracks the TTL closely.
        configs.put("segment.ms", Long.toString(Math.max(60_000, retention.toMillis() / 4)));
        configs.put("message.timestamp.type", "CreateTime");
        // A route's largest single event, with its headers, as the router's producer sends it (Kafka's default is 1
        // MiB).
        configs.put("max.message.bytes", Integer.toString(EventProducer.DEFAULT_MAX_REQUEST_SIZE));
        return new NewTopic(name, Optional.of(partitions), replication).configs(configs);
    }

    /** Blocking: creates what is missing and adds partitions where there are too few. */
    public static List<Change> apply(Admin admin, Catalog catalog, Optional<Short> replication, Duration timeout)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        List<NewTopic> wanted = plan(catalog, replication);
        Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        List<Change> changes = new ArrayList<>();
        List<NewTopic> create =
                wanted.stream().filter(t -> !existing.contains(t.name())).toList();
        if (!create.isEmpty()) {
            admin.createTopics(create).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            create.forEach(t -> changes.add(new Change(t.name(), "created with " + t.numPartitions() + " partitions")));
        }
        List<String> present =
                wanted.stream().map(NewTopic::name).filter(existing::contains).toList();
        if (!present.isEmpty()) {
            Map<String, TopicDescription> described =
                    admin.describeTopics(present).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Map<String, NewPartitions> grow = new HashMap<>();
            for (NewTopic t : wanted) {
                TopicDescription d = described.get(t.name());
                if (d != null && d.partitions().size() < t.numPartitions()) {
                    grow.put(t.name(), NewPartitions.increaseTo(t.numPartitions()));
                    changes.add(
                            new Change(t.name(), "partitions " + d.partitions().size() + " -> " + t.numPartitions()));
                } else if (d != null) {
                    changes.add(new Change(t.name(), "exists"));
                }
            }
            if (!grow.isEmpty()) {
                admin.createPartitions(grow).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        return changes;
    }
}
