package dev.sluice.router.impl.mqtt;

import dev.sluice.router.RouterConfig;
import dev.sluice.router.impl.auth.AccessSnapshot;
import dev.sluice.router.impl.auth.Authenticator;
import dev.sluice.router.impl.auth.ClientCertificates;
import dev.sluice.router.impl.auth.Credential;
import dev.sluice.router.impl.http.IngestState;
import dev.sluice.router.impl.http.Pipeline;
import dev.sluice.router.impl.mqtt.ConnectRefusals.Reason;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttSubAckReasonCode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT edge on one event loop (a router deploys one per core on a shared port): devices
 * connect with an API key as password, publish to topics that routes bind, and get their PUBACK
 * (QoS 1) or PUBREC (QoS 2) only once Kafka has the event. Sluice is an ingest edge, not a
 * broker: SUBSCRIBE is refused. Sessions are not kept: a session expiry asked for is answered
 * with 0, and the client resends what was not acknowledged.
 *
 * <p>On the TLS port with {@code router.mqtt.tls.client.auth} request or required, a device may
 * authenticate with a certificate signed by a CA of {@code router.mqtt.tls.trust} and bound to a
 * tenant in the admin API (by its SHA-256 fingerprint): it then needs no key. A certificate
 * presented is the credential, whatever the password says: one that is not bound, or is revoked,
 * is refused with CONNACK Not authorized (0x87; 3.1.1: 0x05).
 *
 * <p>Every connection refused before its session begins is counted by reason ({@link ConnectRefusals}).
 */
public final class MqttVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(MqttVerticle.class);

    private static final long SWEEP_MS = 50;
    private static final long KEY_CHECK_MS = 500;

    private final IngestState state;
    private final boolean tls;
    private final Authenticator authenticator;
    private final Supplier<AccessSnapshot> access;
    private final ConnectRefusals refusals;
    private final Set<MqttSession> sessions = Collections.newSetFromMap(new IdentityHashMap<>());
    private final SocketFlow flow = new SocketFlow();
    private MqttServer server;
    private Pipeline pipeline;
    private MqttEdge edge;
    /** The access snapshot the open connections were last checked against. */
    private AccessSnapshot checked;

    private final SessionMeters meters;

    private long sweep = -1;
    private long keys = -1;

    /** {@code tls} selects the TLS listener ({@code router.mqtt.tls.port}, the router's certificate). */
    public MqttVerticle(IngestState state, Supplier<AccessSnapshot> access, SessionMeters meters, boolean tls) {
        this.state = state;
        this.meters = meters;
        this.tls = tls;
        this.access = access;
        this.authenticator = new Authenticator(access);
        this.refusals = new ConnectRefusals(state.metrics().registry());
    }

    /** The server options for the configuration. */
    static MqttServerOptions options(RouterConfig c, boolean tls) {
        RouterConfig.Mqtt m = c.mqtt();
        MqttServerOptions o = new MqttServerOptions()
                .setHost(c.listen().host())
                .setPort(tls ? m.tlsPort() : m.port())
                .setMaxMessageSize(m.maxPacketBytes())
                .setTimeoutOnConnect((int) Math.max(1, c.timeouts().header().toSeconds()));
        o.setTcpNoDelay(true);
        if (tls) {
            o.setSsl(true).setKeyCertOptions(c.tls().orElseThrow().keyCertOptions());
            if (m.clientAuth() != RouterConfig.Mqtt.ClientAuth.NONE) {
                o.setClientAuth(
                                m.clientAuth() == RouterConfig.Mqtt.ClientAuth.REQUIRED
                                        ? ClientAuth.REQUIRED
                                        : ClientAuth.REQUEST)
                        .setTrustOptions(
                                new PemTrustOptions().addCertPath(m.trustPath().orElseThrow()));
            }
        }
        return o;
    }

    @Override
    public Future<?> start() {
        pipeline = new Pipeline(context, state);
        RouterConfig.Limits limits = state.config().limits();
        ProducerRoom room =
                new ProducerRoom(context, state.producer(), limits.inFlightRecords(), limits.inFlightBytes());
        edge = new MqttEdge(
                state,
                pipeline,
                new TopicRoutes(state.routes()),
                flow,
                room,
                new AckWriter(context),
                meters,
                authenticator,
                access,
                state.config().mqtt().receiveMaximum());
        sweep = vertx.setPeriodic(SWEEP_MS, id -> {
            pipeline.sweep();
            room.wake();
        });
        keys = vertx.setPeriodic(KEY_CHECK_MS, id -> disconnectRevoked());
        server = MqttServer.create(vertx, options(state.config(), tls)).endpointHandler(this::guarded);
        if (tls) {
            refusals.countHandshakes(server);
        }
        return server.listen();
    }

    public int actualPort() {
        return server.actualPort();
    }

    /**
     * A fault in Sluice while accepting a connection is refused with a reason (MQTT 5: 0x80 naming a
     * reference; 3.1.1: 0x03 Server unavailable), counted ({@code internal_error}) and logged under
     * the reference: the client is never left without its CONNACK. A fault after the CONNACK went out
     * closes the connection.
     */
    private void guarded(MqttEndpoint endpoint) {
        try {
            connected(endpoint);
        } catch (RuntimeException e) {
            String ref = UUID.randomUUID().toString();
            LOG.error("accepting an MQTT connection failed (reference {})", ref, e);
            if (endpoint.isConnected()) {
                refusals.count(ConnectRefusals.Reason.INTERNAL_ERROR);
                endpoint.close();
            } else {
                refusals.refuse(
                        endpoint,
                        ConnectRefusals.Reason.INTERNAL_ERROR,
                        "the router failed to accept this connection (reference " + ref + ")");
            }
        }
    }

    private void connected(MqttEndpoint endpoint) {
        boolean v5 = endpoint.protocolVersion() == MqttSession.V5;
        Optional<String> violation = ConnectChecks.violation(endpoint, v5);
        if (violation.isPresent()) {
            refusals.refuse(endpoint, ConnectRefusals.Reason.PROTOCOL_ERROR, violation.get());
            return;
        }
        Optional<String> certificate = tls && state.config().mqtt().clientAuth() != RouterConfig.Mqtt.ClientAuth.NONE
                ? ClientCertificates.peer(endpoint.sslSession())
                : Optional.empty();
        Credential credential = certificate.map(Credential::certificate).orElseGet(() -> {
            String password = endpoint.auth() == null ? null : endpoint.auth().getPassword();
            return Credential.key(password == null || password.isEmpty() ? null : "Bearer " + password);
        });
        Authenticator.Verdict verdict =
                credential.kind() == Credential.Kind.NONE ? Authenticator.Verdict.OK : authenticator.live(credential);
        if (verdict != Authenticator.Verdict.OK) {
            refusals.refuse(endpoint, ConnectRefusals.of(credential, verdict));
            return;
        }
        if (state.draining().get()) {
            refusals.refuse(endpoint, Reason.DRAINING);
            return;
        }
        int receiveMaximum = edge.receiveMaximum();
        MqttSession session = new MqttSession(endpoint, edge, credential);
        endpoint.publishAutoAck(false);
        endpoint.autoKeepAlive(true);
        endpoint.publishHandler(session::publish);
        endpoint.publishReleaseHandler(session::released);
        endpoint.subscribeHandler(sub -> {
            // An ingest edge, not a broker: nothing can be subscribed to.
            if (v5) {
                endpoint.subscribeAcknowledge(
                        sub.messageId(),
                        sub.topicSubscriptions().stream()
                                .map(t -> MqttSubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR)
                                .toList(),
                        MqttProperties.NO_PROPERTIES);
            } else {
                endpoint.subscribeAcknowledge(
                        sub.messageId(),
                        sub.topicSubscriptions().stream()
                                .map(t -> MqttQoS.FAILURE)
                                .toList());
            }
        });
        endpoint.exceptionHandler(e -> session.close());
        endpoint.closeHandler(v -> {
            sessions.remove(session);
            session.ended();
            meters.closed();
            flow.forget(endpoint);
        });
        sessions.add(session);
        meters.opened();
        if (v5) {
            MqttProperties props = new MqttProperties();
            props.add(new MqttProperties.IntegerProperty(MqttProperties.RECEIVE_MAXIMUM, receiveMaximum));
            props.add(new MqttProperties.IntegerProperty(
                    MqttProperties.MAXIMUM_PACKET_SIZE, state.config().mqtt().maxPacketBytes()));
            props.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, 0));
            props.add(new MqttProperties.IntegerProperty(MqttProperties.TOPIC_ALIAS_MAXIMUM, 0));
            props.add(new MqttProperties.IntegerProperty(MqttProperties.WILDCARD_SUBSCRIPTION_AVAILABLE, 0));
            props.add(new MqttProperties.IntegerProperty(MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE, 0));
            endpoint.accept(false, props);
        } else {
            endpoint.accept(false);
        }
    }

    /**
     * A key or client certificate revoked (or its tenant) ends its connections within {@value #KEY_CHECK_MS} ms of the
     * access store's update. Connections are checked only when the snapshot changed: checking a key hashes it.
     */
    private void disconnectRevoked() {
        AccessSnapshot now = access.get();
        if (now == checked) {
            return;
        }
        checked = now;
        List<MqttSession> revoked = new ArrayList<>();
        for (MqttSession s : sessions) {
            if (s.credential.kind() != Credential.Kind.NONE
                    && authenticator.live(s.credential) != Authenticator.Verdict.OK) {
                revoked.add(s);
            }
        }
        for (MqttSession s : revoked) {
            s.disconnect(
                    MqttDisconnectReasonCode.NOT_AUTHORIZED,
                    s.credential.kind() == Credential.Kind.CERTIFICATE
                            ? "the client certificate (or its tenant) has been revoked"
                            : "the API key (or its tenant) has been revoked");
        }
    }

    public int connections() {
        return sessions.size();
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(sweep);
        vertx.cancelTimer(keys);
        for (MqttSession s : new ArrayList<>(sessions)) {
            s.disconnect(MqttDisconnectReasonCode.SERVER_SHUTTING_DOWN, "the router is stopping");
        }
        return server == null ? Future.succeededFuture() : server.close();
    }
}
