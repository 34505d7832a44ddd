package dev.sluice.executor.impl.trigger;

import dev.sluice.core.EventRecords;
import dev.sluice.core.IngestedEvent;
import dev.sluice.core.RouteConfig;
import dev.sluice.core.SluiceHeaders;
import dev.sluice.core.Timestamps;
import dev.sluice.core.trigger.Schedule;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The events triggers emit, as the router would have written them: CloudEvents attributes, tenant,
 * route, ingest time and deadline, and {@code sluice_target} naming the workflow whose trigger it is. Ids are derived from what the event stands for (a workflow's tick,
 * a polled item), so an event sent twice carries the same id and executors' run claims see it once.
 */
final class TriggerEvents {

    static final String SCHEDULE_TYPE = "dev.sluice.schedule";
    static final String POLL_TYPE = "dev.sluice.poll";
    /** CloudEvents extension on a fire-once event: how many missed ticks it stands for. */
    static final String MISSED_EXTENSION = "sluicemissed";

    private static final String JSON = "application/json";

    private TriggerEvents() {}

    /** The id of a workflow's tick: the same for every firing of that tick, by any holder. */
    static String tickId(String workflow, Instant tick) {
        return UUID.nameUUIDFromBytes(
                        ("sluice/schedule/" + workflow + "/" + tick.toEpochMilli()).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    /** The id of a polled item: the same whenever that item is emitted. */
    static String itemId(String workflow, String item) {
        return UUID.nameUUIDFromBytes(("sluice/poll/" + workflow + "/" + item).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    /**
     * One tick of a schedule. The payload says which; {@code missed} above zero marks an event that
     * stands for that many ticks whose deadline passed unfired.
     */
    static ProducerRecord<byte[], byte[]> tick(
            String workflow,
            Schedule schedule,
            RouteConfig route,
            Instant tick,
            long missed,
            long ingestMillis,
            long deadlineMillis) {
        JsonObject payload = new JsonObject()
                .put("workflow", workflow)
                .put("cron", schedule.expression())
                .put("zone", schedule.zone().getId())
                .put("tick", Timestamps.rfc3339Millis(tick.toEpochMilli()));
        Map<String, String> extensions = Map.of();
        if (missed > 0) {
            payload.put("missed", missed);
            extensions = Map.of(MISSED_EXTENSION, Long.toString(missed));
        }
        IngestedEvent e = new IngestedEvent(
                tickId(workflow, tick),
                "sluice/schedule/" + workflow,
                SCHEDULE_TYPE,
                workflow,
                Timestamps.rfc3339Millis(tick.toEpochMilli()),
                JSON,
                null,
                null,
                route.tenant(),
                route.source(),
                ingestMillis,
                deadlineMillis,
                workflow.getBytes(StandardCharsets.UTF_8),
                payload.toBuffer().getBytes(),
                extensions);
        return targeted(EventRecords.toRecord(route.topic(), e), workflow);
    }

    /** One new item of a poll: its JSON as the payload, its id as subject and key. */
    static ProducerRecord<byte[], byte[]> item(
            String workflow, RouteConfig route, String item, byte[] json, long ingestMillis) {
        IngestedEvent e = new IngestedEvent(
                itemId(workflow, item),
                "sluice/poll/" + workflow,
                POLL_TYPE,
                item,
                null,
                JSON,
                null,
                null,
                route.tenant(),
                route.source(),
                ingestMillis,
                ingestMillis + route.ttl().toMillis(),
                item.getBytes(StandardCharsets.UTF_8),
                json,
                Map.of());
        return targeted(EventRecords.toRecord(route.topic(), e), workflow);
    }

    /** The record for {@code workflow} alone: the other workflows of its route skip it. */
    private static ProducerRecord<byte[], byte[]> targeted(ProducerRecord<byte[], byte[]> record, String workflow) {
        record.headers().add(SluiceHeaders.TARGET, workflow.getBytes(StandardCharsets.UTF_8));
        return record;
    }
}
