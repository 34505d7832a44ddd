package dev.sluice.router.impl.mqtt;

import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.RouterMetrics;
import dev.sluice.router.impl.RouterMetrics.RouteMeters;
import dev.sluice.router.impl.auth.Authenticator;
import dev.sluice.router.impl.auth.Credential;
import dev.sluice.router.impl.http.IngestState;
import dev.sluice.router.impl.http.Pipeline;
import dev.sluice.router.impl.http.Problems;
import dev.sluice.router.impl.http.Submission;
import dev.sluice.router.impl.ingest.BadInput;
import dev.sluice.router.impl.ingest.CloudEventRules;
import dev.sluice.router.impl.ingest.Draft;
import dev.sluice.router.impl.ingest.EventStamper;
import dev.sluice.router.impl.ingest.Parsed;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One device connection: its publishes enter the ingest pipeline; it is acknowledged only once
 * Kafka has the event. Flow control: at most {@code receiveMaximum} QoS 1 and 2 publishes are in
 * flight per connection (announced to MQTT 5 clients, which must honour it); past that, or while
 * the producer's in-flight bound is reached, the router stops reading the socket. Event-loop
 * confined.
 */
final class MqttSession {

    static final int V5 = 5;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MqttSession.class);

    private final MqttEndpoint endpoint;
    private final IngestState state;
    private final Pipeline pipeline;
    private final TopicRoutes routes;
    private final Authenticator authenticator;
    private final SocketFlow flow;
    private final int receiveMaximum;
    /** The client certificate, else {@code Bearer <key>} from the CONNECT password, else none. */
    final Credential credential;

    private int inFlight;
    /** QoS 2 packet ids received and not yet released by PUBREL: never produced twice in this session. */
    private final Set<Integer> qos2 = new HashSet<>();

    private final Map<Integer, Boolean> qos2Outcome = new HashMap<>();
    private boolean closed;

    MqttSession(
            MqttEndpoint endpoint,
            IngestState state,
            Pipeline pipeline,
            TopicRoutes routes,
            Authenticator authenticator,
            SocketFlow flow,
            int receiveMaximum,
            Credential credential) {
        this.endpoint = endpoint;
        this.state = state;
        this.pipeline = pipeline;
        this.routes = routes;
        this.authenticator = authenticator;
        this.flow = flow;
        this.receiveMaximum = receiveMaximum;
        this.credential = credential;
    }

    boolean connected() {
        return !closed && endpoint.isConnected();
    }

    boolean v5() {
        return endpoint.protocolVersion() == V5;
    }

    /**
     * One PUBLISH. A fault in Sluice while handling it is counted ({@code internal_error}), logged
     * with a reference, and answered: MQTT 5 with PUBACK/PUBREC 0x80 naming the reference, 3.1.1 by
     * closing (the client resends); never silence.
     */
    void publish(MqttPublishMessage msg) {
        try {
            handle(msg);
        } catch (RuntimeException e) {
            String ref = java.util.UUID.randomUUID().toString();
            LOG.error("MQTT publish to {} failed (reference {})", msg.topicName(), ref, e);
            state.metrics().route(RouterMetrics.NO_ROUTE).rejected(Problems.Kind.INTERNAL);
            refused(
                    msg.messageId(),
                    msg.qosLevel().value(),
                    Problems.Kind.INTERNAL,
                    "the router failed to handle this publish (reference " + ref + ")");
        }
    }

    private void handle(MqttPublishMessage msg) {
        int qos = msg.qosLevel().value();
        int packetId = msg.messageId();
        if (qos == 2 && qos2.contains(packetId)) {
            // A resend of a QoS 2 publish before its PUBREL: answered as the first, never produced again.
            Boolean stored = qos2Outcome.get(packetId);
            if (stored != null && stored) {
                endpoint.publishReceived(packetId);
            }
            return;
        }
        if (qos > 0 && inFlight >= receiveMaximum && v5()) {
            disconnect(
                    MqttDisconnectReasonCode.RECEIVE_MAXIMUM_EXCEEDED,
                    "more than " + receiveMaximum + " publishes in flight");
            return;
        }
        if (qos > 0) {
            // Counted before any answer can be given: every answer (stored or refused) releases it once.
            inFlight++;
            if (inFlight >= receiveMaximum) {
                flow.pause(endpoint);
            }
        }
        String topic = msg.topicName();
        RouteConfig route = topic == null ? null : routes.route(topic);
        MqttAnswer answer = new MqttAnswer(this, packetId, qos);
        if (route == null) {
            state.metrics().route(RouterMetrics.NO_ROUTE).rejected(Problems.Kind.UNKNOWN_SOURCE);
            answer.refused(Problems.Kind.UNKNOWN_SOURCE, "no route takes topic " + topic, Map.of());
            return;
        }
        RouteMeters meters = state.metrics().route(route.source());
        Authenticator.Verdict verdict = authenticator.check(route, credential);
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
        Map<String, String> props = userProperties(msg.properties());
        String[] levels = topic.split("/", -1);
        Submission sub = new Submission(
                route,
                meters,
                false,
                null,
                props.get("idempotency-key"),
                name -> {
                    if (name.startsWith("mqtt.topic.")) {
                        int n = Integer.parseInt(name.substring("mqtt.topic.".length()));
                        return n < levels.length ? levels[n] : null;
                    }
                    return props.get(name);
                },
                EventStamper.traceparent(props.get("traceparent")),
                EventStamper.tracestate(props.get("traceparent"), props.get("tracestate")),
                state.tracing().request(props.get("traceparent"), props.get("tracestate")),
                answer);
        Draft draft;
        try {
            draft = draft(topic, payload, msg.properties(), props);
        } catch (BadInput bad) {
            pipeline.refuse(sub, Problems.kind(bad), bad.getMessage());
            return;
        }
        pipeline.then(
                answer,
                meters,
                state.admission().rate(route, 1, payload.length),
                () -> pipeline.submit(sub, List.of(Parsed.ok(draft))));
    }

    /**
     * The event a publish carries: the payload untouched; {@code source} from the topic, {@code type}
     * from the route; the id from the {@code id} user property, else minted at stamping; MQTT 5's
     * content type, correlation data and user properties (those named as CloudEvents extensions)
     * carried along.
     */
    private static Draft draft(String topic, byte[] payload, MqttProperties mp, Map<String, String> props)
            throws BadInput {
        String id = props.get("id");
        if (id != null) {
            CloudEventRules.requireId("id (user property)", id);
        }
        String source = "/mqtt/" + topic;
        CloudEventRules.require("source (the topic)", source);
        Map<String, String> ext = new LinkedHashMap<>();
        props.forEach((name, value) -> {
            if (!name.equals("id")
                    && !name.equals("idempotency-key")
                    && !name.equals("traceparent")
                    && !name.equals("tracestate")
                    && name.matches("[a-z0-9]{1,64}")) {
                ext.put(name, value);
            }
        });
        for (Map.Entry<String, String> e : ext.entrySet()) {
            CloudEventRules.check(e.getKey() + " (user property)", e.getValue());
        }
        MqttProperties.MqttProperty<?> correlation =
                mp == null ? null : mp.getProperty(MqttProperties.CORRELATION_DATA);
        if (correlation != null && correlation.value() instanceof byte[] data) {
            ext.put("mqttcorrelation", Base64.getEncoder().encodeToString(data));
        }
        MqttProperties.MqttProperty<?> type = mp == null ? null : mp.getProperty(MqttProperties.CONTENT_TYPE);
        String contentType = type == null ? null : String.valueOf(type.value());
        if (contentType != null) {
            CloudEventRules.check("content type", contentType);
        }
        return new Draft(id, source, null, topic, null, contentType, payload, ext);
    }

    private static Map<String, String> userProperties(MqttProperties mp) {
        Map<String, String> out = new LinkedHashMap<>();
        if (mp == null) {
            return out;
        }
        for (MqttProperties.MqttProperty<?> p : mp.getProperties(MqttProperties.USER_PROPERTY)) {
            if (p instanceof MqttProperties.UserProperty up) {
                out.putIfAbsent(up.value().key, up.value().value);
            } else if (p instanceof MqttProperties.UserProperties ups) {
                for (MqttProperties.StringPair pair : ups.value()) {
                    out.putIfAbsent(pair.key, pair.value);
                }
            }
        }
        return out;
    }

    /** The event is in Kafka: the acknowledgement goes out. */
    void stored(int packetId, int qos) {
        release();
        if (!connected()) {
            return;
        }
        if (qos == 1) {
            endpoint.publishAcknowledge(packetId);
        } else if (qos == 2) {
            qos2Outcome.put(packetId, true);
            endpoint.publishReceived(packetId);
        }
    }

    /** The publish was not stored. */
    void refused(int packetId, int qos, Problems.Kind kind, String detail) {
        if (qos > 0) {
            release();
        }
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
        MqttProperties reason = new MqttProperties();
        reason.add(new MqttProperties.StringProperty(MqttProperties.REASON_STRING, truncate(detail)));
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
        if (inFlight < receiveMaximum) {
            flow.resume(endpoint);
        }
    }

    /** Ends the connection with a reason (MQTT 5's DISCONNECT), or by closing it (3.1.1). */
    void disconnect(MqttDisconnectReasonCode code, String why) {
        if (!connected()) {
            return;
        }
        if (v5()) {
            MqttProperties reason = new MqttProperties();
            reason.add(new MqttProperties.StringProperty(MqttProperties.REASON_STRING, truncate(why)));
            endpoint.disconnect(code, reason);
        }
        close();
    }

    void close() {
        if (!closed) {
            closed = true;
            endpoint.close();
        }
    }

    private static String truncate(String s) {
        return s == null ? "" : s.length() > 512 ? s.substring(0, 512) : s;
    }
}
