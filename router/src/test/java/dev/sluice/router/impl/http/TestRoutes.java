package dev.sluice.router.impl.http;

import dev.sluice.core.AuthMode;
import dev.sluice.core.Idempotency;
import dev.sluice.core.PartitionKey;
import dev.sluice.core.RouteConfig;
import java.time.Duration;
import java.util.List;

/** A plain route for the pipeline's unit tests: keyed by event id, public, no checks. */
final class TestRoutes {

    static final RouteConfig PLAIN = new RouteConfig(
            "r",
            "t.events",
            Duration.ofSeconds(15),
            3,
            1024,
            new PartitionKey.EventId(),
            "ty",
            "acme",
            List.of(),
            10,
            null,
            null,
            Idempotency.NONE,
            AuthMode.PUBLIC,
            null,
            null,
            null);

    private TestRoutes() {}
}
