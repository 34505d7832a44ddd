package dev.sluice.router.impl.mqtt;

import dev.sluice.core.MetricNames;
import dev.sluice.router.impl.auth.Authenticator;
import dev.sluice.router.impl.auth.Credential;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.vertx.core.net.NetServer;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServer;
import java.lang.reflect.Field;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections turned away before their session began, counted by reason in
 * {@code sluice.router.mqtt.connect.refused}: a key that is unknown (or not a key) or revoked, a
 * client certificate no tenant holds or that is revoked, a router that is draining, and, on the
 * TLS port, a handshake that failed (a certificate no trusted CA signed, none where one is required,
 * or no TLS at all). The meters are registered once, not per connection.
 */
final class ConnectRefusals {

    /**
     * Why a connection was refused, and its CONNACK return code (MQTT 5, 3.1.1); the tag value is the
     * name in lower case. A failed TLS handshake has no CONNACK: its codes are never sent.
     */
    enum Reason {
        KEY_UNKNOWN(
                MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD,
                MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD),
        KEY_REVOKED(KEY_UNKNOWN),
        CERTIFICATE_UNKNOWN(
                MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5,
                MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED),
        CERTIFICATE_REVOKED(CERTIFICATE_UNKNOWN),
        TLS_HANDSHAKE(CERTIFICATE_UNKNOWN),
        DRAINING(
                MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5,
                MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE),
        /** A CONNECT that breaks the protocol ({@link ConnectChecks}): MQTT 3.1.1 is closed without a CONNACK. */
        PROTOCOL_ERROR(MqttConnectReturnCode.CONNECTION_REFUSED_PROTOCOL_ERROR, null),
        /** A fault in Sluice while accepting the connection (logged with a reference). */
        INTERNAL_ERROR(
                MqttConnectReturnCode.CONNECTION_REFUSED_UNSPECIFIED_ERROR,
                MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);

        final String tag = name().toLowerCase(Locale.ROOT);
        final MqttConnectReturnCode v5;
        /** Null: MQTT 3.1.1 has no code for it, and the connection is closed without a CONNACK. */
        final MqttConnectReturnCode v311;

        Reason(MqttConnectReturnCode v5, MqttConnectReturnCode v311) {
            this.v5 = v5;
            this.v311 = v311;
        }

        Reason(Reason same) {
            this(same.v5, same.v311);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ConnectRefusals.class);

    private final Map<Reason, Counter> counters = new EnumMap<>(Reason.class);

    ConnectRefusals(MeterRegistry registry) {
        for (Reason r : Reason.values()) {
            counters.put(
                    r,
                    Counter.builder(MetricNames.ROUTER_MQTT_CONNECT_REFUSED)
                            .description("MQTT connections refused at CONNECT or at the TLS handshake, by reason")
                            .tag(MetricNames.TAG_REASON, r.tag)
                            .register(registry));
        }
    }

    void count(Reason reason) {
        counters.get(reason).increment();
    }

    /** Counts the refusal and answers the CONNECT with its return code (3.1.1 without one: closed, no CONNACK). */
    void refuse(MqttEndpoint endpoint, Reason reason) {
        count(reason);
        if (endpoint.protocolVersion() == MqttSession.V5) {
            endpoint.reject(reason.v5);
        } else if (reason.v311 == null) {
            endpoint.close();
        } else {
            endpoint.reject(reason.v311);
        }
    }

    /** As {@link #refuse(MqttEndpoint, Reason)}, with a reason string for an MQTT 5 client. */
    void refuse(MqttEndpoint endpoint, Reason reason, String detail) {
        if (endpoint.protocolVersion() != MqttSession.V5) {
            refuse(endpoint, reason);
            return;
        }
        count(reason);
        MqttProperties props = new MqttProperties();
        props.add(new MqttProperties.StringProperty(MqttProperties.REASON_STRING, detail));
        endpoint.reject(reason.v5, props);
    }

    /** The reason a credential that is not live is refused for: its kind, and unknown or revoked. */
    static Reason of(Credential credential, Authenticator.Verdict verdict) {
        boolean revoked = verdict == Authenticator.Verdict.REVOKED;
        if (credential.kind() == Credential.Kind.CERTIFICATE) {
            return revoked ? Reason.CERTIFICATE_REVOKED : Reason.CERTIFICATE_UNKNOWN;
        }
        return revoked ? Reason.KEY_REVOKED : Reason.KEY_UNKNOWN;
    }

    /**
     * Counts the failed TLS handshakes of {@code server}'s listener. vertx-mqtt does not expose its
     * TCP server, whose exception handler is the only place a failed handshake is reported; it is
     * reached once by reflection, and where that fails (a future vertx-mqtt) such refusals go
     * uncounted, which is logged once. Call before {@code listen}.
     */
    void countHandshakes(MqttServer server) {
        try {
            Field f = server.getClass().getDeclaredField("server");
            f.setAccessible(true);
            NetServer tcp = (NetServer) f.get(server);
            tcp.exceptionHandler(e -> {
                count(Reason.TLS_HANDSHAKE);
                LOG.debug("MQTT TLS handshake failed", e);
            });
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("failed MQTT TLS handshakes cannot be counted ({})", e.toString());
        }
    }
}
