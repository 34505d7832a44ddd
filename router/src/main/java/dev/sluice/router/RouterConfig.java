package dev.sluice.router;

import dev.sluice.core.Settings;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PfxOptions;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of one router process, one record per concern. Every field has a default; see
 * docs/configuration.md. {@link #from(Settings)} reads them; {@link #toBuilder()} changes a few
 * (tests and the dev stack: ports, stores, TLS).
 *
 * @param listen         where the servers listen and how many ingest verticles serve
 * @param timeouts       bounds on waiting: for a broker ack, a slow client, the drain
 * @param limits         bounds on what is held in memory at once, and the {@code Retry-After} given when one is reached
 * @param tls            the ingest port's certificate; absent for plain HTTP
 * @param stores         Redis (duplicate claims, replay checks, rate budgets) and PostgreSQL (tenants, keys, stored sources)
 * @param http2          what the ingest port announces to HTTP/2 clients (concurrent streams, flow-control windows)
 * @param mqtt           the MQTT listener
 * @param adminKey       the key the admin API on the management port requires; absent, the admin API is off
 * @param healthInterval how often the broker is probed for readiness
 * @param catalogReload  how often the catalog file is checked for changes (0 = never)
 * @param unsafeProducer let {@code kafka.producer.*} overrides weaken acks, idempotence, retries or ordering (logged);
 *                       without it the router refuses to start with such settings
 */
public record RouterConfig(
        Listen listen,
        Timeouts timeouts,
        Limits limits,
        Optional<Tls> tls,
        Stores stores,
        Http2 http2,
        Mqtt mqtt,
        Optional<String> adminKey,
        Duration healthInterval,
        Duration catalogReload,
        boolean unsafeProducer) {

    public RouterConfig {
        for (Object part : new Object[] {
            listen, timeouts, limits, tls, stores, http2, mqtt, adminKey, healthInterval, catalogReload
        }) {
            Objects.requireNonNull(part, "every part of a RouterConfig is set (Optional when it may be absent)");
        }
    }

    /**
     * @param host           interface the servers bind to
     * @param port           ingest port
     * @param managementPort health and metrics port
     * @param instances      ingest verticles (one per event loop)
     * @param h2c            accept HTTP/2 over cleartext (prior knowledge and upgrade)
     */
    public record Listen(String host, int port, int managementPort, int instances, boolean h2c) {}

    /**
     * @param produce    longest wait for a broker ack before answering 503
     * @param header     a new connection must send its first request's headers within this
     * @param body       a request body must arrive completely within this (else 408)
     * @param idle       an idle connection is closed after this
     * @param readIdle   a connection that sends nothing for this long is closed
     * @param drain      bound on the SIGTERM drain
     * @param drainGrace at SIGTERM, how long the router keeps answering (503 draining, connection close) before it
     *                   stops listening, so keep-alive clients are told rather than cut off
     */
    public record Timeouts(
            Duration produce,
            Duration header,
            Duration body,
            Duration idle,
            Duration readIdle,
            Duration drain,
            Duration drainGrace) {}

    /**
     * @param inFlightRecords records sent and not yet acknowledged, per process, before 503
     * @param inFlightBytes   payload bytes sent and not yet acknowledged, per process, before 503
     * @param retryAfter      the {@code Retry-After} given with a 503
     * @param maxHeaderBytes  largest request header block
     * @param bodies          request body bytes held while bodies arrive and their events are produced
     */
    public record Limits(
            int inFlightRecords, long inFlightBytes, Duration retryAfter, int maxHeaderBytes, Bodies bodies) {}

    /**
     * The ingest port's certificate: it then speaks TLS (HTTP/2 by ALPN), and so does the MQTT TLS port.
     *
     * @param certPath PEM certificate chain with {@code keyPath}, or a PKCS#12 key store (a path ending in .p12 or .pfx,
     *                 its password in {@code keyPath})
     * @param keyPath  PEM private key, or the PKCS#12 password
     */
    public record Tls(String certPath, String keyPath) {
        public Tls {
            Objects.requireNonNull(certPath, "router.tls.cert");
            Objects.requireNonNull(keyPath, "router.tls.key");
        }

        /** The key and certificate for a Vert.x server: a PKCS#12 store for a path ending in .p12 or .pfx, else PEM files. */
        public KeyCertOptions keyCertOptions() {
            String p = certPath.toLowerCase(Locale.ROOT);
            return p.endsWith(".p12") || p.endsWith(".pfx")
                    ? new PfxOptions().setPath(certPath).setPassword(keyPath)
                    : new PemKeyCertOptions().setCertPath(certPath).setKeyPath(keyPath);
        }

        @Override
        public String toString() {
            return "Tls[" + certPath + ", key hidden]";
        }
    }

    /**
     * @param redisUrl         Redis for idempotent ingest, replay checks and shared rate budgets; absent, those are off
     * @param redisTimeout     bound on each Redis round trip of the ingest path; one not answered within it counts as Redis
     *                         unreachable (fail-closed sources answer 503)
     * @param redisBatchWindow how long an event loop's first Redis command waits for others to share its pipelined round
     *                         trip; 0 sends at the end of the loop's turn
     * @param pgUrl            PostgreSQL holding tenants, API keys and stored sources; absent, the catalog file only, no keys
     * @param accessRefresh    how often tenants, keys and sources are reloaded in full besides LISTEN/NOTIFY
     */
    public record Stores(
            Optional<String> redisUrl,
            Duration redisTimeout,
            Duration redisBatchWindow,
            Optional<String> pgUrl,
            Duration accessRefresh) {
        public Stores {
            Objects.requireNonNull(redisUrl, "redisUrl");
            Objects.requireNonNull(pgUrl, "pgUrl");
        }

        @Override
        public String toString() {
            return "Stores[redis="
                    + redisUrl.map(u -> Settings.redact("url", u)).orElse("off") + ", pg="
                    + pgUrl.map(u -> Settings.redact("url", u)).orElse("off") + "]";
        }
    }

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
                throw new IllegalArgumentException(
                        "router.http2.*: max.streams must be at least 1 and each window at least 65535 bytes"
                                + " (HTTP/2's minimum default); got " + maxStreams + " streams, windows " + streamWindow
                                + " / " + connectionWindow);
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
     * @param clientAuth     whether the TLS port asks devices for a certificate (none, request, required); a certificate
     *                       bound to a tenant then authenticates the device without a key
     * @param trustPath      PEM bundle of the CAs whose client certificates the TLS port accepts (needed unless clientAuth is none)
     */
    public record Mqtt(
            boolean enabled,
            int port,
            int tlsPort,
            int receiveMaximum,
            int maxPacketBytes,
            ClientAuth clientAuth,
            Optional<String> trustPath) {
        public Mqtt {
            if (receiveMaximum < 1 || receiveMaximum > 65_535) {
                throw new IllegalArgumentException(
                        "router.mqtt.receive.maximum must be 1-65535, got " + receiveMaximum);
            }
            Objects.requireNonNull(clientAuth, "router.mqtt.tls.client.auth");
            if (clientAuth != ClientAuth.NONE && trustPath.isEmpty()) {
                throw new IllegalArgumentException(
                        "router.mqtt.tls.client.auth=" + clientAuth.name().toLowerCase(Locale.ROOT)
                                + " needs router.mqtt.tls.trust (a PEM bundle of the CAs that sign device certificates)");
            }
        }

        /** Whether the TLS port asks for client certificates. */
        public enum ClientAuth {
            NONE,
            REQUEST,
            REQUIRED;

            /** none, request or required; anything else names the setting in its error. */
            public static ClientAuth parse(String text) {
                for (ClientAuth a : values()) {
                    if (a.name().equalsIgnoreCase(text.trim())) {
                        return a;
                    }
                }
                throw new IllegalArgumentException(
                        "router.mqtt.tls.client.auth must be none, request or required, got '" + text + "'");
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
                throw new IllegalArgumentException(
                        "router.body.inflight.*: connection.bytes must be at least 65536 and at most bytes;" + " got "
                                + connectionBytes + " per connection, " + processBytes + " per process");
            }
        }
    }

    public static RouterConfig from(Settings s) {
        String cert = s.get("router.tls.cert", null);
        String key = s.get("router.tls.key", s.get("router.tls.password", null));
        return new RouterConfig(
                new Listen(
                        s.get("router.host", "0.0.0.0"),
                        s.getInt("router.port", 8080),
                        s.getInt("router.management.port", 8081),
                        s.getInt("router.instances", Runtime.getRuntime().availableProcessors()),
                        s.getBoolean("router.h2c", true)),
                new Timeouts(
                        s.getDuration("router.produce.timeout", Duration.ofMillis(800)),
                        s.getDuration("router.header.timeout", Duration.ofSeconds(10)),
                        s.getDuration("router.body.timeout", Duration.ofSeconds(10)),
                        s.getDuration("router.idle.timeout", Duration.ofSeconds(30)),
                        s.getDuration("router.read.idle.timeout", Duration.ofSeconds(15)),
                        s.getDuration("router.drain.timeout", Duration.ofSeconds(10)),
                        s.getDuration("router.drain.grace", Duration.ofSeconds(1))),
                new Limits(
                        s.getInt("router.inflight.records", 50_000),
                        s.getLong("router.inflight.bytes", 32L * 1024 * 1024),
                        s.getDuration("router.retry.after", Duration.ofSeconds(1)),
                        s.getInt("router.max.header.bytes", 16 * 1024),
                        new Bodies(
                                s.getLong("router.body.inflight.bytes", 64L * 1024 * 1024),
                                s.getLong("router.body.inflight.connection.bytes", 16L * 1024 * 1024))),
                cert != null && key != null ? Optional.of(new Tls(cert, key)) : Optional.empty(),
                new Stores(
                        Optional.ofNullable(s.get("redis.url", null)),
                        s.getDuration("router.redis.timeout", Duration.ofMillis(500)),
                        s.getDuration("router.redis.batch.window", Duration.ofMillis(1)),
                        Optional.ofNullable(s.get("pg.url", null)),
                        s.getDuration("router.access.refresh", Duration.ofSeconds(30))),
                new Http2(
                        s.getInt("router.http2.max.streams", 128),
                        s.getInt("router.http2.stream.window", 1024 * 1024),
                        s.getInt("router.http2.connection.window", 4 * 1024 * 1024)),
                new Mqtt(
                        s.getBoolean("router.mqtt.enabled", false),
                        s.getInt("router.mqtt.port", 1883),
                        s.getInt("router.mqtt.tls.port", 0),
                        s.getInt("router.mqtt.receive.maximum", 64),
                        s.getInt("router.mqtt.max.packet.bytes", 1024 * 1024 + 4096),
                        Mqtt.ClientAuth.parse(s.get("router.mqtt.tls.client.auth", "none")),
                        Optional.ofNullable(s.get("router.mqtt.tls.trust", null))),
                Optional.ofNullable(s.get("router.admin.key", null)),
                s.getDuration("router.health.interval", Duration.ofMillis(500)),
                s.getDuration("router.catalog.reload", Duration.ofSeconds(2)),
                s.getBoolean("router.unsafe.producer", false));
    }

    /** A builder that starts from these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The settings with secrets masked, for logs. */
    @Override
    public String toString() {
        return "RouterConfig[" + listen.host() + ":" + listen.port() + ", management :" + listen.managementPort()
                + ", instances="
                + listen.instances() + ", produceTimeout=" + timeouts.produce().toMillis() + "ms, inflight="
                + limits.inFlightRecords()
                + " records/" + limits.inFlightBytes() + " bytes, h2c=" + listen.h2c() + ", tls=" + tls.isPresent()
                + ", "
                + stores + ", admin=" + (adminKey.isPresent() ? "on (key hidden)" : "off") + "]";
    }

    /** Changes the settings that tests and the dev stack set in code: ports, stores, TLS and the admin key. */
    public static final class Builder {
        private final RouterConfig base;
        private Listen listen;
        private Optional<Tls> tls;
        private Stores stores;
        private Optional<String> adminKey;

        private Builder(RouterConfig base) {
            this.base = base;
            listen = base.listen;
            tls = base.tls;
            stores = base.stores;
            adminKey = base.adminKey;
        }

        /** The interface and the ingest and management ports. */
        public Builder ports(String host, int port, int managementPort) {
            listen = new Listen(host, port, managementPort, listen.instances(), listen.h2c());
            return this;
        }

        public Builder tls(String certPath, String keyPath) {
            tls = Optional.of(new Tls(certPath, keyPath));
            return this;
        }

        public Builder redis(String url) {
            stores = new Stores(
                    Optional.of(url),
                    stores.redisTimeout(),
                    stores.redisBatchWindow(),
                    stores.pgUrl(),
                    stores.accessRefresh());
            return this;
        }

        public Builder postgres(String url) {
            stores = new Stores(
                    stores.redisUrl(),
                    stores.redisTimeout(),
                    stores.redisBatchWindow(),
                    Optional.of(url),
                    stores.accessRefresh());
            return this;
        }

        public Builder adminKey(String key) {
            adminKey = Optional.of(key);
            return this;
        }

        public RouterConfig build() {
            return new RouterConfig(
                    listen,
                    base.timeouts,
                    base.limits,
                    tls,
                    stores,
                    base.http2,
                    base.mqtt,
                    adminKey,
                    base.healthInterval,
                    base.catalogReload,
                    base.unsafeProducer);
        }
    }
}
