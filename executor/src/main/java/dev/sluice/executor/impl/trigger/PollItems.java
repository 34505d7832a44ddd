package dev.sluice.executor.impl.trigger;

import dev.sluice.core.RouteConfig;
import dev.sluice.core.trigger.Poll;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one poll's new answer yields: the items at the poll's {@code items} pointer, each emitted
 * as one event unless Redis remembers its id (then remembered for the dedup TTL), in the answer's
 * order; and the cursor for the next poll.
 */
final class PollItems {

    private static final Logger LOG = LoggerFactory.getLogger(PollItems.class);
    private static final int MAX_ID = 256;

    private final Context context;
    private final String workflow;
    private final Poll poll;
    private final RouteConfig route;
    private final PollRunner.Collaborators with;
    private final TriggerMetrics metrics;
    private final JsonPointer items;
    private final JsonPointer id;

    PollItems(
            Context context,
            String workflow,
            Poll poll,
            RouteConfig route,
            PollRunner.Collaborators with,
            TriggerMetrics metrics) {
        this.context = context;
        this.workflow = workflow;
        this.poll = poll;
        this.route = route;
        this.with = with;
        this.metrics = metrics;
        this.items = JsonPointer.from(poll.items());
        this.id = JsonPointer.from(poll.id());
    }

    /**
     * Emits the answer's new items; returns the cursor the answer gives, else {@code cursor}. Fails
     * with {@link PollFetch.Failed} when the answer is not JSON or has no array at the items pointer.
     */
    Future<String> emit(Buffer body, String cursor) {
        Object doc;
        try {
            doc = Json.decodeValue(body);
        } catch (DecodeException e) {
            return Future.failedFuture(new PollFetch.Failed("the answer is not JSON: " + e.getMessage()));
        }
        Object found = items.queryJson(doc);
        if (!(found instanceof JsonArray list)) {
            return Future.failedFuture(
                    new PollFetch.Failed("'" + poll.items() + "' does not point to an array in the answer"));
        }
        String next = cursor;
        if (!poll.cursor().isEmpty()) {
            Object c = JsonPointer.from(poll.cursor()).queryJson(doc);
            if (c instanceof String || c instanceof Number) {
                next = c.toString();
            }
        }
        metrics.changed.increment();
        long now = System.currentTimeMillis();
        // In the answer's order, one after the other: the events of one page keep the order the API gave them.
        Future<Void> emitted = Future.succeededFuture();
        for (Object item : list) {
            emitted = emitted.compose(v -> emit(item, now));
        }
        String after = next;
        return emitted.map(v -> after);
    }

    /** One item: its id checked, skipped if Redis remembers it, else produced and then remembered. */
    private Future<Void> emit(Object item, long now) {
        Object raw = item instanceof JsonObject || item instanceof JsonArray ? id.queryJson(item) : null;
        String itemId = raw instanceof String || raw instanceof Number ? raw.toString() : "";
        if (!validId(itemId)) {
            metrics.invalid.increment();
            LOG.warn("poll of workflow {}: an item without a usable id at '{}' is not emitted", workflow, poll.id());
            return Future.succeededFuture();
        }
        String key = "sluice:poll:" + workflow + ":" + itemId;
        return with.redis().exists(List.of(key)).compose(seen -> {
            if (seen != null && seen.toLong() > 0) {
                metrics.duplicate.increment();
                return Future.succeededFuture();
            }
            return with.producer()
                    .send(
                            context,
                            TriggerEvents.item(
                                    workflow,
                                    route,
                                    itemId,
                                    Json.encodeToBuffer(item).getBytes(),
                                    now))
                    .compose(v -> with.redis()
                            .set(List.of(
                                    key,
                                    "1",
                                    "PX",
                                    Long.toString(with.config().pollDedupTtl().toMillis()))))
                    .onSuccess(v -> metrics.emitted.increment())
                    .mapEmpty();
        });
    }

    private static boolean validId(String s) {
        if (s.isEmpty() || s.length() > MAX_ID) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
