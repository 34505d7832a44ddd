package dev.sluice.router;

import dev.sluice.core.Settings;
import java.time.Duration;

/**
 * Settings of one router process. Every field has a default; see docs/configuration.md.
 *
 * @param host               interface the servers bind to
 * @param port               ingest port
 * @param managementPort     health and metrics port
 * @param instances          ingest verticles (one per event loop)
 * @param produceTimeout     longest wait for a broker ack before answering 503
 * @param maxInFlightRecords records sent and not yet acknowledged, per process, before 503
 * @param maxInFlightBytes   payload bytes sent and not yet acknowledged, per process, before 503
 * @param retryAfter         the {@code Retry-After} given with a 503
 * @param healthInterval     how often the broker is probed for readiness
 * @param drainTimeout       bound on the SIGTERM drain
 * @param idleTimeout        an idle connection is closed after this
 * @param headerTimeout      a new connection must send its first request's headers within this
 * @param bodyTimeout        a request body must arrive completely within this (else 408)
 * @param maxHeaderBytes     largest request header block
 * @param tlsCertPath        PEM certificate chain with {@code tlsKeyPath}, or a PKCS#12 key store (a path ending in
 *                           .p12 or .pfx, its password in {@code tlsKeyPath}); the ingest port then speaks TLS (HTTP/2 by ALPN)
 * @param tlsKeyPath         PEM private key, or the PKCS#12 password
 * @param catalogReload      how often the catalog file is checked for changes (0 = never)
 * @param readIdleTimeout    a connection that sends nothing for this long is closed
 * @param h2c                accept HTTP/2 over cleartext (prior knowledge and upgrade)
 * @param redisUrl           Redis for idempotent ingest, or null
 * @param drainGrace         at SIGTERM, how long the router keeps answering (503 draining, connection close)
 *                           before it stops listening, so keep-alive clients are told rather than cut off
 * @param pgUrl              PostgreSQL holding tenants, API keys and stored sources, or null (catalog file only, no keys)
 * @param adminKey           the key the admin API on the management port requires, or null (admin API off)
 * @param accessRefresh      how often tenants, keys and sources are reloaded in full besides LISTEN/NOTIFY
 * @param redisBatchWindow   how long an event loop's first Redis command (duplicate claim, replay check) waits for
 *                           others to share its pipelined round trip; 0 sends at the end of the loop's turn
 * @param http2              what the ingest port announces to HTTP/2 clients (concurrent streams, flow-control windows)
 * @param redisTimeout       bound on each Redis round trip of the ingest path (duplicate claims, replay checks); one not
 *                           answered within it counts as Redis unreachable (fail-closed sources answer 503)
 * @param mqtt               the MQTT listener
 * @param unsafeProducer     let {@code kafka.producer.*} overrides weaken acks, idempotence, retries or ordering (logged);
 *                           without it the router refuses to start with such settings
 * @param bodies             how many request body bytes may be held while bodies arrive and their events are produced
 */
public record RouterConfig(String host, int port, int managementPort, int instances, Duration produceTimeout,
                           int maxInFlightRecords, long maxInFlightBytes, Duration retryAfter, Duration healthInterval,
                           Duration drainTimeout, Duration idleTimeout, Duration headerTimeout, Duration bodyTimeout,
                           int maxHeaderBytes, String tlsCertPath, String tlsKeyPath, Duration catalogReload,
                           Duration readIdleTimeout, boolean h2c, Duration drainGrace, String redisUrl, String pgUrl,
                           String adminKey, Duration accessRefresh, Duration redisBatchWindow, Http2 http2,
                           Duration redisTimeout, boolean unsafeProducer, Mqtt mqtt, Bodies bodies) {

    /**
     * HTTP/2 settings of the ingest port. A client may have {@code maxStreams} requests open on one
     * connection and send {@code streamWindow} bytes of one body, {@code connectionWindow} bytes
     * of all, before it must wait for the router's window update. HTTP/2's own 64 KiB windows
     * would hold a connection carrying batches to a few requests per round trip.
     *
     * @param maxStreams       SETTINGS_MAX_CONCURRENT_STREAMS
     * @param streamWindow     SETTINGS_INITIAL_WINDOW_SIZE, bytes per stream
     * @param connectionWindow the connection's receive window, bytes
     */
    public record Http2(int maxStreams, int streamWindow, int connectionWindow) {
        public Http2 {
            if (maxStreams < 1 || streamWindow < 65_535 || connectionWindow < 65_535) {
                throw new IllegalArgumentException("router.http2.*: max.streams must be at least 1 and each window at least 65535 bytes"
                        + " (HTTP/2's minimum default); got " + maxStreams + " streams, windows " + streamWindow + " / " + connectionWindow);
            }
        }
    }

    /**
     * The MQTT listener: off unless enabled; devices publish to topics that routes bind.
     *
     * @param enabled        whether the router listens for MQTT at all
     * @param port           the plain MQTT port
     * @param tlsPort        the MQTT-over-TLS port (the router's certificate); 0 for none
     * @param receiveMaximum QoS 1 and 2 publishes in flight per connection (announced to MQTT 5 clients); past it the
     *                       router stops reading the connection
     * @param maxPacketBytes the largest MQTT packet accepted
     */
    public record Mqtt(boolean enabled, int port, int tlsPort, int receiveMaximum, int maxPacketBytes) {
        public Mqtt {
            if (receiveMaximum < 1 || receiveMaximum > 65_535) {
                throw new IllegalArgumentException("router.mqtt.receive.maximum must be 1-65535, got " + receiveMaximum);
            }
        }
    }

    /**
     * Bounds on request body bytes held in memory: counted as they arrive (after decoding, for a
     * compressed body), never as a Content-Length announces them, and given back when the request is
     * answered or its connection closes. A body that would pass a bound is refused with 503
     * {@code bodies-in-flight} and {@code Retry-After}, or 413 if it alone is larger than the bound.
     *
     * @param processBytes    all ingest connections of the process together
     * @param connectionBytes one connection (all streams of an HTTP/2 connection together)
     */
    public record Bodies(long processBytes, long connectionBytes) {
        public Bodies {
            if (connectionBytes < 64 * 1024 || processBytes < connectionBytes) {
                throw new IllegalArgumentException("router.body.inflight.*: connection.bytes must be at least 65536 and at most bytes;"
                        + " got " + connectionBytes + " per connection, " + processBytes + " per process");
            }
        }
    }

    public static RouterConfig from(Settings s) {
        return new RouterConfig(
                s.get("router.host", "0.0.0.0"),
                s.getInt("router.port", 8080),
                s.getInt("router.management.port", 8081),
                s.getInt("router.instances", Runtime.getRuntime().availableProcessors()),
                s.getDuration("router.produce.timeout", Duration.ofMillis(800)),
                s.getInt("router.inflight.records", 50_000),
                s.getLong("router.inflight.bytes", 32L * 1024 * 1024),
                s.getDuration("router.retry.after", Duration.ofSeconds(1)),
                s.getDuration("router.health.interval", Duration.ofMillis(500)),
                s.getDuration("router.drain.timeout", Duration.ofSeconds(10)),
                s.getDuration("router.idle.timeout", Duration.ofSeconds(30)),
                s.getDuration("router.header.timeout", Duration.ofSeconds(10)),
                s.getDuration("router.body.timeout", Duration.ofSeconds(10)),
                s.getInt("router.max.header.bytes", 16 * 1024),
                s.get("router.tls.cert", null),
                s.get("router.tls.key", s.get("router.tls.password", null)),
                s.getDuration("router.catalog.reload", Duration.ofSeconds(2)),
                s.getDuration("router.read.idle.timeout", Duration.ofSeconds(15)),
                s.getBoolean("router.h2c", true),
                s.getDuration("router.drain.grace", Duration.ofSeconds(1)),
                s.get("redis.url", null),
                s.get("pg.url", null),
                s.get("router.admin.key", null),
                s.getDuration("router.access.refresh", Duration.ofSeconds(30)),
                s.getDuration("router.redis.batch.window", Duration.ofMillis(1)),
                new Http2(s.getInt("router.http2.max.streams", 128), s.getInt("router.http2.stream.window", 1024 * 1024),
                        s.getInt("router.http2.connection.window", 4 * 1024 * 1024)),
                s.getDuration("router.redis.timeout", Duration.ofMillis(500)),
                s.getBoolean("router.unsafe.producer", false),
                new Mqtt(s.getBoolean("router.mqtt.enabled", false), s.getInt("router.mqtt.port", 1883), s.getInt("router.mqtt.tls.port", 0),
                        s.getInt("router.mqtt.receive.maximum", 64), s.getInt("router.mqtt.max.packet.bytes", 1024 * 1024 + 4096)),
                new Bodies(s.getLong("router.body.inflight.bytes", 64L * 1024 * 1024),
                        s.getLong("router.body.inflight.connection.bytes", 16L * 1024 * 1024)));
    }

    public RouterConfig withPorts(String host, int port, int managementPort) {
        return new RouterConfig(host, port, managementPort, instances, produceTimeout, maxInFlightRecords, maxInFlightBytes,
                retryAfter, healthInterval, drainTimeout, idleTimeout, headerTimeout, bodyTimeout, maxHeaderBytes, tlsCertPath,
                tlsKeyPath, catalogReload, readIdleTimeout, h2c, drainGrace, redisUrl, pgUrl, adminKey, accessRefresh, redisBatchWindow, http2,
                redisTimeout, unsafeProducer, mqtt, bodies);
    }

    public RouterConfig withRedis(String url) {
        return new RouterConfig(host, port, managementPort, instances, produceTimeout, maxInFlightRecords, maxInFlightBytes,
                retryAfter, healthInterval, drainTimeout, idleTimeout, headerTimeout, bodyTimeout, maxHeaderBytes, tlsCertPath,
                tlsKeyPath, catalogReload, readIdleTimeout, h2c, drainGrace, url, pgUrl, adminKey, accessRefresh, redisBatchWindow, http2,
                redisTimeout, unsafeProducer, mqtt, bodies);
    }

    public RouterConfig withPostgres(String url) {
        return new RouterConfig(host, port, managementPort, instances, produceTimeout, maxInFlightRecords, maxInFlightBytes,
                retryAfter, healthInterval, drainTimeout, idleTimeout, headerTimeout, bodyTimeout, maxHeaderBytes, tlsCertPath,
                tlsKeyPath, catalogReload, readIdleTimeout, h2c, drainGrace, redisUrl, url, adminKey, accessRefresh, redisBatchWindow, http2,
                redisTimeout, unsafeProducer, mqtt, bodies);
    }

    public RouterConfig withAdminKey(String key) {
        return new RouterConfig(host, port, managementPort, instances, produceTimeout, maxInFlightRecords, maxInFlightBytes,
                retryAfter, healthInterval, drainTimeout, idleTimeout, headerTimeout, bodyTimeout, maxHeaderBytes, tlsCertPath,
                tlsKeyPath, catalogReload, readIdleTimeout, h2c, drainGrace, redisUrl, pgUrl, key, accessRefresh, redisBatchWindow, http2,
                redisTimeout, unsafeProducer, mqtt, bodies);
    }

    /** The settings with secrets masked, for logs. */
    @Override
    public String toString() {
        return "RouterConfig[" + host + ":" + port + ", management :" + managementPort + ", instances=" + instances
                + ", produceTimeout=" + produceTimeout.toMillis() + "ms, inflight=" + maxInFlightRecords + " records/"
                + maxInFlightBytes + " bytes, h2c=" + h2c + ", tls=" + tls() + ", redis="
                + (redisUrl == null ? "off" : Settings.redact("url", redisUrl)) + ", pg="
                + (pgUrl == null ? "off" : Settings.redact("url", pgUrl)) + ", admin=" + (adminKey == null ? "off" : "on (key hidden)") + "]";
    }

    public RouterConfig withTls(String cert, String key) {
        return new RouterConfig(host, port, managementPort, instances, produceTimeout, maxInFlightRecords, maxInFlightBytes,
                retryAfter, healthInterval, drainTimeout, idleTimeout, headerTimeout, bodyTimeout, maxHeaderBytes, cert,
                key, catalogReload, readIdleTimeout, h2c, drainGrace, redisUrl, pgUrl, adminKey, accessRefresh, redisBatchWindow, http2,
                redisTimeout, unsafeProducer, mqtt, bodies);
    }

    public boolean tls() {
        return tlsCertPath != null && tlsKeyPath != null;
    }
}
