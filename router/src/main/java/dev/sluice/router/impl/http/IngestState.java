package dev.sluice.router.impl.http;

import dev.sluice.router.RouterConfig;
import dev.sluice.router.impl.RouterMetrics;
import dev.sluice.router.impl.kafka.BrokerHealth;
import dev.sluice.router.impl.kafka.EventProducer;
import dev.sluice.router.impl.kafka.TopicReadiness;
import dev.sluice.router.impl.redis.Deduplicator;
import java.util.concurrent.atomic.AtomicBoolean;

/** What every ingest verticle of a process shares: routes, the producer, health, metrics and the body bytes held. */
public record IngestState(
        RouterConfig config,
        RouteTable routes,
        EventProducer producer,
        BrokerHealth health,
        TopicReadiness topics,
        RouterMetrics metrics,
        AtomicBoolean draining,
        Deduplicator dedup,
        Admission admission,
        BodyBudget bodies,
        IngestTracing tracing) {}
