package dev.sluice.router.impl.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.http.RouteTable;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which route takes a topic, remembered per topic, and the topic levels a {@code topic:n} key reads. */
class TopicRoutesTest {

    private static RouteConfig route(String source, String filter) {
        return Catalog.parseRoute(new JsonObject("{\"source\": \"" + source + "\", \"mqtt\": {\"topics\": [\"" + filter
                + "\"], \"key\": \"topic:1\"}}"));
    }

    @Test
    void aRememberedTopicFollowsTheRouteTableWhenItChanges() {
        RouteTable table = new RouteTable(Map.of("a", route("a", "devices/+/telemetry")), 1 << 20);
        TopicRoutes routes = new TopicRoutes(table);
        assertEquals("a", routes.route("devices/d1/telemetry").source());
        assertEquals("a", routes.route("devices/d1/telemetry").source(), "the remembered answer");
        assertNull(routes.route("other/d1"));
        assertNull(routes.route("other/d1"), "an unbound topic is remembered as unbound");

        table.replace(Map.of("b", route("b", "other/#")));
        assertNull(routes.route("devices/d1/telemetry"), "the route that took it is gone");
        assertEquals("b", routes.route("other/d1").source(), "a newly bound topic is found");
    }

    @Test
    void theMemoryIsBoundedWhateverTopicsClientsMakeUp() {
        RouteTable table = new RouteTable(Map.of("a", route("a", "devices/+/telemetry")), 1 << 20);
        TopicRoutes routes = new TopicRoutes(table);
        for (int i = 0; i < TopicRoutes.MEMO_SIZE * 3; i++) {
            assertNull(routes.route("made/up/" + i));
        }
        assertEquals(
                "a",
                routes.route("devices/d" + TopicRoutes.MEMO_SIZE + "/telemetry").source());
        assertTrue(routes.remembered() <= TopicRoutes.MEMO_SIZE, routes.remembered() + " topics remembered");
    }

    @Test
    void levelsCountEmptyOnesAsTopicSplittingDoes() {
        assertEquals("devices", PublishEvents.level("devices/d1/telemetry", 0));
        assertEquals("d1", PublishEvents.level("devices/d1/telemetry", 1));
        assertEquals("telemetry", PublishEvents.level("devices/d1/telemetry", 2));
        assertNull(PublishEvents.level("devices/d1/telemetry", 3));
        assertEquals("", PublishEvents.level("a//b", 1));
        assertEquals("", PublishEvents.level("/x", 0));
        assertEquals("", PublishEvents.level("a/", 1));
        assertNull(PublishEvents.level("a/", 2));
    }
}
