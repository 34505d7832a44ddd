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
 * docs/configuration.md. {@link #from(Settings)} reads them; {@link #toBuilder()} changes a few ({@link RouterConfigBuilder})
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

    /** The settings in {@code s}, each at its documented default when absent. */
    public static RouterConfig from(Settings s) {
        return RouterSettings.read(s);
    }

    /** A builder that starts from these settings. */
    public RouterConfigBuilder toBuilder() {
        return new RouterConfigBuilder(this);
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
}
