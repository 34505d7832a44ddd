package dev.sluice.executor.impl.workflow;

import dev.sluice.core.Condition;
import dev.sluice.core.EventRecords;
import dev.sluice.core.SluiceHeaders;
import dev.sluice.executor.impl.guard.TargetGuard;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** One event's progress through its workflows. Confined to the event loop. */
final class EventRun implements Condition.Event {

    final ConsumerRecord<byte[], byte[]> record;
    final String id;
    final String route;
    final long deadline;
    /** The one workflow the event is for ({@code sluice_target}), or "" when it is for every workflow of its route. */
    final String target;
    /** Hears when the event's calls wait for a target's budget. */
    final TargetGuard.Queueing queueing;
    /** The event's run-log rows, each complete once durable (or its loss counted). */
    final List<Future<Void>> records = new ArrayList<>(1);

    boolean started;
    /** The span of this event's run ({@link RunTracing#run}); the invalid span when tracing is off. */
    Span span = Span.getInvalid();

    private Object json;
    private boolean parsed;

    EventRun(
            ConsumerRecord<byte[], byte[]> record,
            String id,
            String route,
            long deadline,
            TargetGuard.Queueing queueing) {
        this(record, id, route, "", deadline, queueing);
    }

    EventRun(
            ConsumerRecord<byte[], byte[]> record,
            String id,
            String route,
            String target,
            long deadline,
            TargetGuard.Queueing queueing) {
        this.target = target;
        this.queueing = queueing;
        this.record = record;
        this.id = id;
        this.route = route;
        this.deadline = deadline;
    }

    @Override
    public String attribute(String name) {
        return EventRecords.text(
                record.headers(),
                name.equals("datacontenttype") ? SluiceHeaders.CONTENT_TYPE : SluiceHeaders.CE_PREFIX + name);
    }

    @Override
    public Object json() {
        if (!parsed) {
            parsed = true;
            json = parseJson(record.value());
        }
        return json;
    }

    /** The event's id (or its place in the log, when it has none), route (or ""), target (or "") and deadline, as its record says. */
    static EventRun of(ConsumerRecord<byte[], byte[]> record, TargetGuard.Queueing queueing) {
        String id = EventRecords.text(record.headers(), SluiceHeaders.CE_ID);
        String route = EventRecords.text(record.headers(), SluiceHeaders.ROUTE);
        String target = EventRecords.text(record.headers(), SluiceHeaders.TARGET);
        return new EventRun(
                record,
                id == null ? record.topic() + "/" + record.partition() + "/" + record.offset() : id,
                route == null ? "" : route,
                target == null ? "" : target,
                EventRecords.deadline(record),
                queueing);
    }

    static Object parseJson(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return null;
        }
        try {
            return Json.decodeValue(Buffer.buffer(bytes));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
