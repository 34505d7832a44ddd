package dev.sluice.router.impl.http;

import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.ingest.BadInput;
import dev.sluice.router.impl.ingest.JsonEvents;
import dev.sluice.router.impl.ingest.Parsed;
import java.util.List;

/**
 * {@code POST /v1/events/{source}/batch}: NDJSON, a JSON array, or a CloudEvents batch. Parses and
 * checks the batch, takes its events from the rate limit, and hands them to {@link Deduplicate}
 * (and on to {@link Producing}; {@link HttpAnswer} renders the 202 or 207). One per event loop.
 */
record BatchIngest(IngestState state, Deduplicate dedup, Gate gate) {

    private static final String CE_BATCH = "application/cloudevents-batch+json";
    private static final String NDJSON = "application/x-ndjson";
    private static final String JSON = "application/json";

    /** A batch whose body has arrived and passed the checks made before parsing. */
    void handle(Submission sub, String contentType, byte[] body) {
        String media = IngestHandler.mediaType(contentType);
        RouteConfig route = sub.route();
        List<Parsed> items;
        try {
            if (NDJSON.equals(media)) {
                items = JsonEvents.ndjson(body);
            } else if (JSON.equals(media)) {
                items = JsonEvents.array(body);
            } else if (CE_BATCH.equals(media)) {
                items = JsonEvents.cloudEventBatch(body);
            } else {
                gate.refuse(
                        sub,
                        Problems.Kind.UNSUPPORTED_MEDIA_TYPE,
                        "a batch must be " + NDJSON + ", " + JSON + " (an array) or " + CE_BATCH + ", got "
                                + (media == null ? "no content type" : media));
                return;
            }
        } catch (BadInput bad) {
            gate.refuse(sub, Problems.kind(bad), bad.getMessage());
            return;
        }
        if (items.isEmpty()) {
            gate.refuse(sub, Problems.Kind.EMPTY_BATCH, "the batch holds no events");
            return;
        }
        if (items.size() > route.maxBatchEvents()) {
            gate.refuse(
                    sub,
                    Problems.Kind.BATCH_TOO_LARGE,
                    "the batch holds " + items.size() + " events; this source takes at most " + route.maxBatchEvents());
            return;
        }
        gate.then(
                sub.answer(),
                sub.meters(),
                state.admission().rate(route, items.size(), body.length),
                () -> dedup.submit(sub, items));
    }
}
