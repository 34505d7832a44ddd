package dev.sluice.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.trigger.Poll;
import dev.sluice.core.trigger.Schedule;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class TriggerFieldsTest {

    private static Catalog catalog(String workflowFields) {
        return Catalog.parse(new JsonObject(
                "{\"routes\": [{\"source\": \"a\"}, {\"source\": \"b\"}], \"workflows\": [{\"name\": \"w\","
                        + " \"steps\": [{\"url\": \"http://127.0.0.1:1/x\"}], " + workflowFields + "}]}"));
    }

    private static String error(String workflowFields) {
        return assertThrows(ConfigException.class, () -> catalog(workflowFields))
                .getMessage();
    }

    @Test
    void parsesAScheduleWithSecondsZoneAndPolicy() {
        WorkflowConfig w = catalog(
                        "\"sources\": [\"a\"], \"schedule\": {\"cron\": \"*/10 * * * * *\", \"zone\": \"Europe/Paris\","
                                + " \"missed\": \"skip\"}")
                .workflows()
                .get(0);
        Schedule s = assertInstanceOf(Schedule.class, w.triggers().get(0));
        assertEquals("*/10 * * * * *", s.expression());
        assertEquals(ZoneId.of("Europe/Paris"), s.zone());
        assertEquals(Schedule.Missed.SKIP, s.missed());
        assertEquals("a", s.source());
        assertEquals("schedule/w", s.name("w"));
    }

    @Test
    void aScheduleDefaultsToUtcFireOnceAndTheOnlySource() {
        Schedule s = assertInstanceOf(
                Schedule.class,
                catalog("\"sources\": [\"b\"], \"schedule\": {\"cron\": \"0 9 * * 1-5\"}")
                        .workflows()
                        .get(0)
                        .triggers()
                        .get(0));
        assertEquals(ZoneOffset.UTC, s.zone());
        assertEquals(Schedule.Missed.FIRE_ONCE, s.missed());
        assertEquals("b", s.source());
    }

    @Test
    void cronTakesNamesQuestionMarksAndLastDays() {
        for (String cron : List.of(
                "0 9 * * MON-FRI", "0 0 12 ? * MON#2", "0 0 18 L * ?", "0 0 9 1W JAN-MAR *", "*/10 * * * * *")) {
            Schedule s = assertInstanceOf(
                    Schedule.class,
                    catalog("\"sources\": [\"a\"], \"schedule\": {\"cron\": \"" + cron + "\"}")
                            .workflows()
                            .get(0)
                            .triggers()
                            .get(0));
            assertTrue(
                    s.ticks()
                            .next(java.time.Instant.parse("2026-12-07T10:00:00Z"))
                            .isPresent(),
                    cron);
        }
    }

    @Test
    void aWorkflowWithoutTriggersHasNone() {
        assertEquals(
                List.of(), catalog("\"sources\": [\"a\"]").workflows().get(0).triggers());
    }

    @Test
    void scheduleErrorsNameTheField() {
        assertTrue(
                error("\"sources\": [\"a\"], \"schedule\": {\"cron\": \"61 * * * * *\"}")
                        .startsWith("workflows[0]: schedule: cron: "),
                "second out of range");
        assertTrue(error("\"sources\": [\"a\"], \"schedule\": {\"cron\": \"* * *\"}")
                .contains("schedule: cron: '* * *' has 3 fields"));
        assertTrue(error("\"sources\": [\"a\"], \"schedule\": {}")
                .contains("schedule: cron: a cron expression is required"));
        assertTrue(error("\"sources\": [\"a\"], \"schedule\": {\"cron\": \"* * * * *\", \"zone\": \"Mars/Olympus\"}")
                .contains("schedule: zone: unknown time zone 'Mars/Olympus'"));
        assertTrue(error("\"sources\": [\"a\"], \"schedule\": {\"cron\": \"* * * * *\", \"missed\": \"catch-up\"}")
                .contains("schedule: missed: must be one of fire-once, skip, got 'catch-up'"));
        assertTrue(error("\"sources\": [\"a\"], \"schedule\": {\"cron\": \"* * * * *\", \"every\": \"1s\"}")
                .contains("schedule: every: unknown field"));
        assertTrue(error("\"sources\": [\"a\"], \"schedule\": \"* * * * *\"").contains("schedule: wrong type"));
        assertTrue(error("\"sources\": [\"a\", \"b\"], \"schedule\": {\"cron\": \"* * * * *\"}")
                .contains("schedule: source: the workflow has 2 sources"));
        assertTrue(error("\"sources\": [\"a\"], \"schedule\": {\"cron\": \"* * * * *\", \"source\": \"b\"}")
                .contains("schedule: source: 'b' is not one of the workflow's sources"));
    }

    @Test
    void parsesAPoll() {
        WorkflowConfig w = catalog(
                        "\"sources\": [\"a\", \"b\"], \"poll\": {\"url\": \"https://api.example.com/orders?x=1\", \"every\": \"30s\","
                                + " \"items\": \"/data\", \"id\": \"/id\", \"cursor\": \"/next\", \"cursorParam\": \"after\", \"source\": \"b\"}")
                .workflows()
                .get(0);
        Poll p = assertInstanceOf(Poll.class, w.triggers().get(0));
        assertEquals(Duration.ofSeconds(30), p.every());
        assertEquals("/data", p.items());
        assertEquals("/id", p.id());
        assertEquals("/next", p.cursor());
        assertEquals("after", p.cursorParam());
        assertEquals("b", p.source());
        assertEquals("api.example.com:443", p.target());
        assertEquals("poll/w", p.name("w"));
    }

    @Test
    void pollErrorsNameTheField() {
        assertTrue(
                error("\"sources\": [\"a\"], \"poll\": {\"url\": \"ftp://x/y\", \"every\": \"30s\", \"id\": \"/id\"}")
                        .contains("poll: url: must be an absolute http or https URL"));
        assertTrue(error("\"sources\": [\"a\"], \"poll\": {\"url\": \"http://x/y\", \"id\": \"/id\"}")
                .contains("poll: every: missing"));
        assertTrue(error(
                        "\"sources\": [\"a\"], \"poll\": {\"url\": \"http://x/y\", \"every\": \"100ms\", \"id\": \"/id\"}")
                .contains("poll: every: must be between 1s and 24h"));
        assertTrue(error("\"sources\": [\"a\"], \"poll\": {\"url\": \"http://x/y\", \"every\": \"5s\"}")
                .contains("poll: id: a JSON pointer is required"));
        assertTrue(error("\"sources\": [\"a\"], \"poll\": {\"url\": \"http://x/y\", \"every\": \"5s\", \"id\": \"id\"}")
                .contains("poll: id: a JSON pointer starts with '/'"));
        assertTrue(error(
                        "\"sources\": [\"a\"], \"poll\": {\"url\": \"http://x/y\", \"every\": \"5s\", \"id\": \"/id\", \"cursor\": \"/n\","
                                + " \"cursorParam\": \"a b\"}")
                .contains("poll: cursorParam: must be 1-64"));
    }
}
