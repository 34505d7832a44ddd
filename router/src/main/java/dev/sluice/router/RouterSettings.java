package dev.sluice.router;

import dev.sluice.core.Settings;
import java.time.Duration;
import java.util.Optional;

/**
 * Reads a {@link RouterConfig} from its settings ({@code router.*}, {@code redis.url},
 * {@code pg.url}), each at its default when absent: the defaults of docs/configuration.md.
 */
final class RouterSettings {

    private RouterSettings() {}

    static RouterConfig read(Settings s) {
        String cert = s.get("router.tls.cert", null);
        String key = s.get("router.tls.key", s.get("router.tls.password", null));
        return new RouterConfig(
                new RouterConfig.Listen(
                        s.get("router.host", "0.0.0.0"),
                        s.getInt("router.port", 8080),
                        s.getInt("router.management.port", 8081),
                        s.getInt("router.instances", Runtime.getRuntime().availableProcessors()),
                        s.getBoolean("router.h2c", true)),
                new RouterConfig.Timeouts(
                        s.getDuration("router.produce.timeout", Duration.ofMillis(800)),
                        s.getDuration("router.header.timeout", Duration.ofSeconds(10)),
                        s.getDuration("router.body.timeout", Duration.ofSeconds(10)),
                        s.getDuration("router.idle.timeout", Duration.ofSeconds(30)),
                        s.getDuration("router.read.idle.timeout", Duration.ofSeconds(15)),
                        s.getDuration("router.drain.timeout", Duration.ofSeconds(10)),
                        s.getDuration("router.drain.grace", Duration.ofSeconds(1))),
                new RouterConfig.Limits(
                        s.getInt("router.inflight.records", 50_000),
                        s.getLong("router.inflight.bytes", 32L * 1024 * 1024),
                        s.getDuration("router.retry.after", Duration.ofSeconds(1)),
                        s.getInt("router.max.header.bytes", 16 * 1024),
                        new RouterConfig.Bodies(
                                s.getLong("router.body.inflight.bytes", 64L * 1024 * 1024),
                                s.getLong("router.body.inflight.connection.bytes", 16L * 1024 * 1024))),
                cert != null && key != null ? Optional.of(new RouterConfig.Tls(cert, key)) : Optional.empty(),
                new RouterConfig.Stores(
                        Optional.ofNullable(s.get("redis.url", null)),
                        s.getDuration("router.redis.timeout", Duration.ofMillis(500)),
                        s.getDuration("router.redis.batch.window", Duration.ofMillis(1)),
                        Optional.ofNullable(s.get("pg.url", null)),
                        s.getDuration("router.access.refresh", Duration.ofSeconds(30))),
                new RouterConfig.Http2(
                        s.getInt("router.http2.max.streams", 128),
                        s.getInt("router.http2.stream.window", 1024 * 1024),
                        s.getInt("router.http2.connection.window", 4 * 1024 * 1024)),
                new RouterConfig.Mqtt(
                        s.getBoolean("router.mqtt.enabled", false),
                        s.getInt("router.mqtt.port", 1883),
                        s.getInt("router.mqtt.tls.port", 0),
                        s.getInt("router.mqtt.receive.maximum", 64),
                        s.getInt("router.mqtt.max.packet.bytes", 1024 * 1024 + 4096),
                        RouterConfig.Mqtt.ClientAuth.parse(s.get("router.mqtt.tls.client.auth", "none")),
                        Optional.ofNullable(s.get("router.mqtt.tls.trust", null))),
                Optional.ofNullable(s.get("router.admin.key", null)),
                s.getDuration("router.health.interval", Duration.ofMillis(500)),
                s.getDuration("router.catalog.reload", Duration.ofSeconds(2)),
                s.getBoolean("router.unsafe.producer", false));
    }
}
