package dev.sluice.executor.impl.workflow;

import dev.sluice.core.Condition;
import dev.sluice.core.EventRecords;
import dev.sluice.core.SluiceHeaders;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** One event's progress through its workflows. Confined to the event loop. */
final class EventRun implements Condition.Event {

    final ConsumerRecord<byte[], byte[]> record;
    final String id;
    final String route;
    final long deadline;
    boolean started;
    private Object json;
    private boolean parsed;

    EventRun(ConsumerRecord<byte[], byte[]> record, String id, String route, long deadline) {
        this.record = record;
        this.id = id;
        this.route = route;
        this.deadline = deadline;
    }

    @Override
    public String attribute(String name) {
        return EventRecords.text(record.headers(), name.equals("datacontenttype") ? SluiceHeaders.CONTENT_TYPE
                : SluiceHeaders.CE_PREFIX + name);
    }

    @Override
    public Object json() {
        if (!parsed) {
            parsed = true;
            json = parseJson(record.value());
        }
        return json;
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
