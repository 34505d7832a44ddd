package dev.sluice.router.impl.mqtt;

import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.RouterMetrics;
import dev.sluice.router.impl.RouterMetrics.RouteMeters;
import dev.sluice.router.impl.auth.Authenticator;
import dev.sluice.router.impl.auth.Credential;
import dev.sluice.router.impl.http.Problems;
import dev.sluice.router.impl.http.Submission;
import dev.sluice.router.impl.ingest.BadInput;
import dev.sluice.router.impl.ingest.Draft;
import dev.sluice.router.impl.ingest.Parsed;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One device connection: its publishes enter the ingest pipeline; it is acknowledged only once
 * Kafka has the event. Flow control stops reading the socket (TCP backpressure) for two reasons:
 * at most {@code receiveMaximum} QoS 1 and 2 publishes are in flight per connection (announced to
 * MQTT 5 clients, which must honour it); and a publish of any QoS that finds the producer at its
 * in-flight bound is held until there is room ({@link ProducerRoom}). Event-loop confined.
 */
final class MqttSession implements ProducerRoom.Waiter, MqttAnswer.Replies {

    static final int V5 = 5;

    private final MqttEndpoint endpoint;
    private final MqttEdge edge;
    private final PublishAuth auth;
    /** The client certificate, else {@code Bearer <key>} from the CONNECT password, else none. */
    final Credential credential;

    private int inFlight;
    /** QoS 2 packet ids received and not yet released by PUBREL: never produced twice in this session. */
    private final Set<Integer> qos2 = new HashSet<>();

    private final Map<Integer, Boolean> qos2Outcome = new HashMap<>();
    /** Publishes read while the producer had no room, in order (one, unless the socket cannot be paused). */
    private final ArrayDeque<MqttPublishMessage> held = new ArrayDeque<>(2);

    private boolean windowFull;
    private boolean waitingForRoom;
    private boolean closed;

    MqttSession(MqttEndpoint endpoint, MqttEdge edge, Credential credential) {
        this.endpoint = endpoint;
        this.edge = edge;
        this.credential = credential;
        this.auth = new PublishAuth(edge.authenticator(), edge.access(), credential);
    }

    @Override
    public boolean connected() {
        return !closed && endpoint.isConnected();
    }

    boolean v5() {
        return endpoint.protocolVersion() == V5;
    }

    /** One PUBLISH, handled now, or held (and the socket paused) while the producer has no room. */
    void publish(MqttPublishMessage msg) {
        if (!held.isEmpty()
                || SocketFlow.pausable() && edge.room().full(msg.payload().length())) {
            held.addLast(msg);
            if (!waitingForRoom) {
                waitingForRoom = true;
                edge.meters().holding();
                edge.flow().pause(endpoint);
                edge.room().await(this);
            }
            return;
        }
        guarded(msg);
    }

    /** The producer has room: the held publishes go on, in order, and reading resumes once none is left. */
    @Override
    public void proceed() {
        while (!held.isEmpty() && connected()) {
            if (edge.room().full(held.peekFirst().payload().length())) {
                edge.room().await(this);
                return;
            }
            guarded(held.pollFirst());
        }
        // Gone meanwhile: what it sent and was not acknowledged, its client sends again (QoS 1 and 2).
        edge.meters().released(held.size());
        held.clear();
        waitingForRoom = false;
        edge.flow().resume(endpoint);
    }

    /**
     * The connection closed. A session still holding publishes for producer room stops waiting at
     * once, rather than keeping them until the producer has room: a client reconnecting while the
     * broker is unavailable would otherwise leave a held publish behind at every attempt.
     */
    void ended() {
        closed = true;
        if (waitingForRoom) {
            waitingForRoom = false;
            edge.room().forget(this);
            edge.meters().released(held.size());
            held.clear();
        }
    }

    /**
     * A fault in Sluice while handling a publish is counted ({@code internal_error}), logged with a
     * reference, and answered (the pipeline's own guard): MQTT 5 with PUBACK/PUBREC 0x80 naming the reference, 3.1.1 by
     * closing (the client resends); never silence.
     */
    private void guarded(MqttPublishMessage msg) {
        MqttAnswer answer = new MqttAnswer(this, msg.messageId(), msg.qosLevel().value());
        // Once only: should the fault come after the answer, the refusal is a no-op.
        edge.pipeline()
                .guarded(answer, edge.state().metrics().route(RouterMetrics.NO_ROUTE), () -> handle(msg, answer));
    }

    private void handle(MqttPublishMessage msg, MqttAnswer answer) {
        if (PublishChecks.refused(msg, this, edge.meters())) {
            return; // a protocol violation: the connection has ended, with its reason on MQTT 5
        }
        int qos = answer.qos();
        int packetId = answer.packetId();
        if (qos == 2 && qos2.contains(packetId)) {
            // A resend of a QoS 2 publish before its PUBREL: answered as the first, never produced again.
            Boolean stored = qos2Outcome.get(packetId);
            if (stored != null && stored) {
                endpoint.publishReceived(packetId);
            }
            return;
        }
        int receiveMaximum = edge.receiveMaximum();
        // QoS 2 ids wait for their PUBREL in this session's memory: as many as the window, on 3.1.1 too.
        boolean unreleased = qos == 2 && qos2.size() >= receiveMaximum;
        if (qos > 0 && (inFlight >= receiveMaximum && v5() || unreleased)) {
            disconnect(
                    MqttDisconnectReasonCode.RECEIVE_MAXIMUM_EXCEEDED,
                    "more than " + receiveMaximum + " publishes in flight");
            return;
        }
        if (qos > 0) {
            // Counted before any answer can be given: its one answer (stored or refused) releases it.
            inFlight++;
            answer.count();
            if (inFlight >= receiveMaximum && !windowFull) {
                windowFull = true;
                edge.flow().pause(endpoint);
            }
        }
        String topic = msg.topicName();
        RouteConfig route = topic == null ? null : edge.routes().route(topic);
        if (route == null) {
            edge.state().metrics().route(RouterMetrics.NO_ROUTE).rejected(Problems.Kind.UNKNOWN_SOURCE);
            answer.refused(Problems.Kind.UNKNOWN_SOURCE, "no route takes topic " + topic, Map.of());
            return;
        }
        RouteMeters meters = edge.state().metrics().route(route.source());
        Authenticator.Verdict verdict = auth.check(route);
        if (verdict != Authenticator.Verdict.OK) {
            meters.rejected(Problems.Kind.UNAUTHORIZED);
            answer.refused(Problems.Kind.UNAUTHORIZED, Authenticator.detail(verdict, route), Map.of());
            return;
        }
        byte[] payload = msg.payload().getBytes();
        if (payload.length > route.maxBodyBytes()) {
            meters.rejected(Problems.Kind.TOO_LARGE);
            disconnect(
                    MqttDisconnectReasonCode.PACKET_TOO_LARGE,
                    "the payload exceeds the route's limit of " + route.maxBodyBytes() + " bytes");
            return;
        }
        if (qos == 2) {
            qos2.add(packetId);
        }
        Map<String, String> props = PublishEvents.userProperties(msg.properties());
        Submission sub = PublishEvents.submission(edge.state(), route, meters, topic, props, answer);
        Draft draft;
        try {
            draft = PublishEvents.draft(topic, payload, msg.properties(), props);
        } catch (BadInput bad) {
            edge.pipeline().refuse(sub, Problems.kind(bad), bad.getMessage());
            return;
        }
        edge.pipeline()
                .then(
                        answer,
                        meters,
                        edge.state().admission().rate(route, 1, payload.length),
                        () -> edge.pipeline().submit(sub, List.of(Parsed.ok(draft))));
    }

    /** The event is in Kafka: the acknowledgement goes out. */
    @Override
    public void stored(MqttAnswer answer) {
        int packetId = answer.packetId();
        int qos = answer.qos();
        if (answer.counted()) {
            release();
        }
        edge.room().wakeSoon();
        if (!connected()) {
            return;
        }
        if (qos == 1) {
            edge.acks().puback(endpoint, packetId);
        } else if (qos == 2) {
            qos2Outcome.put(packetId, true);
            endpoint.publishReceived(packetId);
        }
    }

    /** The publish was not stored. */
    @Override
    public void refused(MqttAnswer answer, Problems.Kind kind, String detail) {
        int packetId = answer.packetId();
        int qos = answer.qos();
        if (answer.counted()) {
            release();
        }
        edge.room().wakeSoon();
        if (qos == 2) {
            qos2.remove(packetId);
        }
        if (!connected() || qos == 0) {
            return;
        }
        if (!v5()) {
            // MQTT 3.1.1 cannot say no to a publish: the client will resend it on its next connection.
            close();
            return;
        }
        MqttProperties reason = ReasonCodes.reasonString(detail);
        if (qos == 1) {
            endpoint.publishAcknowledge(packetId, ReasonCodes.puback(kind), reason);
        } else {
            endpoint.publishReceived(packetId, ReasonCodes.pubrec(kind), reason);
        }
    }

    /** PUBREL: the QoS 2 exchange for this packet id is over. */
    void released(int packetId) {
        qos2.remove(packetId);
        qos2Outcome.remove(packetId);
        if (connected()) {
            endpoint.publishComplete(packetId);
        }
    }

    private void release() {
        inFlight--;
        if (windowFull && inFlight < edge.receiveMaximum()) {
            windowFull = false;
            edge.flow().resume(endpoint);
        }
    }

    @Override
    public void abandon() {
        try {
            disconnect(MqttDisconnectReasonCode.UNSPECIFIED_ERROR, "the router failed to answer a publish");
        } catch (RuntimeException e) {
            closed = true; // the endpoint itself is what failed: let Netty close what it can
            endpoint.close();
        }
    }

    /** Ends the connection with a reason (MQTT 5's DISCONNECT), or by closing it (3.1.1). */
    void disconnect(MqttDisconnectReasonCode code, String why) {
        if (!connected()) {
            return;
        }
        if (v5()) {
            MqttProperties reason = ReasonCodes.reasonString(why);
            // The endpoint closes the connection itself after the DISCONNECT; closing it again would throw.
            closed = true;
            endpoint.disconnect(code, reason);
            return;
        }
        close();
    }

    void close() {
        if (!closed) {
            closed = true;
            endpoint.close();
        }
    }
}
