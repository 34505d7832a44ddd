package dev.sluice.router.impl.http;

import dev.sluice.core.AuthMode;
import dev.sluice.core.Idempotency;
import dev.sluice.core.PartitionKey;
import dev.sluice.core.RouteConfig;
import java.time.Duration;
import java.util.List;

/** Routes for the pipeline's unit tests: public, no checks, tenant {@code acme}, topic {@code t.events}. */
public final class TestRoutes {

    /** Keyed by the event id. */
    public static final RouteConfig PLAIN = keyed(new PartitionKey.EventId(), null);

    /** Keyed by {@code key}, falling back to {@code fallback} (null: none) when the event lacks it. */
    public static RouteConfig keyed(PartitionKey key, PartitionKey fallback) {
        return new RouteConfig(
                "r",
                "t.events",
                Duration.ofSeconds(15),
                3,
                1024,
                key,
                "ty",
                "acme",
                List.of(),
                10,
                fallback,
                null,
                Idempotency.NONE,
                AuthMode.PUBLIC,
                null,
                null,
                null);
    }

    private TestRoutes() {}
}
