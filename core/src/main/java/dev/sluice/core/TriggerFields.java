package dev.sluice.core;

import static dev.sluice.core.Catalog.field;
import static dev.sluice.core.Catalog.unknownFields;

import dev.sluice.core.trigger.Poll;
import dev.sluice.core.trigger.Schedule;
import io.vertx.core.json.JsonObject;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** Parses a workflow's {@code schedule} and {@code poll} blocks; errors name the field, e.g. {@code schedule.cron}. */
final class TriggerFields {

    private static final Set<String> SCHEDULE_FIELDS = Set.of("cron", "zone", "missed", "source");
    private static final Set<String> POLL_FIELDS =
            Set.of("url", "every", "items", "id", "cursor", "cursorParam", "source");

    private TriggerFields() {}

    static Schedule schedule(JsonObject o, List<String> sources) {
        Objects.requireNonNull(o);
        unknownFields(o, SCHEDULE_FIELDS);
        String cron = field("cron", () -> o.getString("cron"));
        return new Schedule(
                cron,
                field("cron", () -> Schedule.parseCron(cron)),
                field("zone", () -> o.containsKey("zone") ? Schedule.parseZone(o.getString("zone")) : ZoneOffset.UTC),
                field(
                        "missed",
                        () -> o.containsKey("missed")
                                ? Schedule.Missed.parse(o.getString("missed"))
                                : Schedule.Missed.FIRE_ONCE),
                field("source", () -> source(o, sources)));
    }

    static Poll poll(JsonObject o, List<String> sources) {
        Objects.requireNonNull(o);
        unknownFields(o, POLL_FIELDS);
        return new Poll(
                field("url", () -> Poll.parseUrl(o.getString("url"))),
                field("every", () -> Durations.parse(Objects.requireNonNull(o.getString("every")))),
                field("items", () -> o.getString("items", "")),
                field("id", () -> o.getString("id")),
                field("cursor", () -> o.getString("cursor", "")),
                field("cursorParam", () -> o.getString("cursorParam", "cursor")),
                field("source", () -> source(o, sources)));
    }

    /** The route a trigger sends to: named, or the workflow's only source. */
    private static String source(JsonObject o, List<String> sources) {
        if (o.containsKey("source")) {
            String s = o.getString("source");
            if (!sources.contains(s)) {
                throw new ConfigException("'" + s + "' is not one of the workflow's sources " + sources);
            }
            return s;
        }
        if (sources.size() != 1) {
            throw new ConfigException("the workflow has " + sources.size() + " sources: name the one its events go to");
        }
        return sources.get(0);
    }
}
