package dev.sluice.core.trigger;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import dev.sluice.core.ConfigException;
import dev.sluice.core.Spellings;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Objects;

/**
 * A cron schedule: {@code {"cron": "*&#47;10 * * * * *", "zone": "Europe/Paris", "missed": "fire-once"}}.
 * Five fields (minute hour day-of-month month day-of-week, as crontab) or six, with seconds first
 * (as Spring's); the zone defaults to UTC.
 *
 * @param expression the cron text as written
 * @param cron       the parsed expression
 * @param zone       the time zone the fields are read in
 * @param missed     what happens to ticks whose deadline passed while no scheduler was alive
 * @param source     the route the ticks are sent to
 */
public record Schedule(String expression, Cron cron, ZoneId zone, Missed missed, String source) implements Trigger {

    private static final CronParser FIVE_FIELDS =
            new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final CronParser SIX_FIELDS =
            new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING53));

    public Schedule {
        Objects.requireNonNull(cron, "cron");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(missed, "missed");
        Objects.requireNonNull(source, "source");
    }

    /** What a scheduler does with ticks that were due while no scheduler was alive and whose deadline has passed. */
    public enum Missed {
        /** One event stands for all of them (the latest), with a fresh deadline and the count of ticks it replaces. */
        FIRE_ONCE("fire-once"),
        /** None is sent; they are counted and logged. */
        SKIP("skip");

        private final String text;

        Missed(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }

        public static Missed parse(String s) {
            return Spellings.parse(values(), m -> m.text, s, null);
        }
    }

    /** Parses a cron expression of five or six fields; an invalid one is a {@link ConfigException} saying why. */
    public static Cron parseCron(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new ConfigException("a cron expression is required");
        }
        if (expression.length() > 200) {
            throw new ConfigException("a cron expression longer than 200 characters");
        }
        String trimmed = expression.trim();
        int fields = trimmed.split("\\s+").length;
        try {
            return switch (fields) {
                case 5 -> FIVE_FIELDS.parse(trimmed).validate();
                case 6 -> SIX_FIELDS.parse(trimmed).validate();
                default ->
                    throw new ConfigException("'" + expression + "' has " + fields
                            + " fields; use 5 (minute hour day month weekday) or 6 (second first)");
            };
        } catch (IllegalArgumentException e) {
            throw new ConfigException("'" + expression + "' is not a valid cron expression: " + e.getMessage(), e);
        }
    }

    /** Parses a zone id such as {@code Europe/Paris} or {@code UTC}. */
    public static ZoneId parseZone(String zone) {
        try {
            return ZoneId.of(zone);
        } catch (DateTimeException e) {
            throw new ConfigException("unknown time zone '" + zone + "'", e);
        }
    }

    /** The tick arithmetic of this schedule. */
    public Ticks ticks() {
        return new Ticks(cron, zone);
    }

    @Override
    public String name(String workflow) {
        return "schedule/" + workflow;
    }
}
