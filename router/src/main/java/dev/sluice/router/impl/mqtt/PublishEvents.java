package dev.sluice.router.impl.mqtt;

import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.RouterMetrics.RouteMeters;
import dev.sluice.router.impl.http.Answer;
import dev.sluice.router.impl.http.IngestState;
import dev.sluice.router.impl.http.Submission;
import dev.sluice.router.impl.ingest.BadInput;
import dev.sluice.router.impl.ingest.CloudEventRules;
import dev.sluice.router.impl.ingest.Draft;
import io.netty.handler.codec.mqtt.MqttProperties;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What a PUBLISH becomes in the ingest pipeline: the {@link Submission} (its metadata, for keys and
 * trace context) and the event {@link Draft}. Stateless.
 */
final class PublishEvents {

    private PublishEvents() {}

    /**
     * The submission of a publish to {@code topic} on {@code route}: user properties are its headers,
     * and {@code mqtt.topic.<n>} names level {@code n} of the topic (for a {@code topic:n} key).
     */
    static Submission submission(
            IngestState state,
            RouteConfig route,
            RouteMeters meters,
            String topic,
            Map<String, String> props,
            Answer answer) {
        UnaryOperator<String> headers = name -> name.startsWith(TopicRoutes.LEVEL_PREFIX)
                ? level(topic, Integer.parseInt(name.substring(TopicRoutes.LEVEL_PREFIX.length())))
                : props.get(name);
        return Submission.of(route, meters, false, null, headers, state.tracing(), answer, Map.of());
    }

    /** Level {@code n} of a topic name (levels split at {@code /}, empty ones counted), or null past its last. */
    static String level(String topic, int n) {
        int start = 0;
        for (int i = 0; i < n; i++) {
            int slash = topic.indexOf('/', start);
            if (slash < 0) {
                return null;
            }
            start = slash + 1;
        }
        int end = topic.indexOf('/', start);
        return topic.substring(start, end < 0 ? topic.length() : end);
    }

    /**
     * The event a publish carries: the payload untouched; {@code source} from the topic, {@code type}
     * from the route; the id from the {@code id} user property, else minted at stamping; MQTT 5's
     * content type, correlation data and user properties (those named as CloudEvents extensions,
     * never as a context attribute such as {@code type} or {@code source}) carried along.
     */
    static Draft draft(String topic, byte[] payload, MqttProperties mp, Map<String, String> props) throws BadInput {
        String id = props.get("id");
        if (id != null) {
            CloudEventRules.requireId("id (user property)", id);
        }
        String source = "/mqtt/" + topic;
        CloudEventRules.require("source (the topic)", source);
        Map<String, String> ext = props.isEmpty() ? new LinkedHashMap<>(2) : new LinkedHashMap<>();
        for (Map.Entry<String, String> e : props.entrySet()) {
            String name = e.getKey();
            // The attributes the router sets (id, source, type, subject, time, ...) are not a device's to override.
            if (!CloudEventRules.CORE_ATTRIBUTES.contains(name)
                    && !name.equals("idempotency-key")
                    && !name.equals("traceparent")
                    && !name.equals("tracestate")
                    && extensionName(name)) {
                CloudEventRules.check(name + " (user property)", e.getValue());
                ext.put(name, e.getValue());
            }
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

    /** A CloudEvents extension name: 1 to 64 lower-case letters or digits (checked without a regex per publish). */
    static boolean extensionName(String name) {
        int n = name.length();
        if (n == 0 || n > 64) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    /** MQTT 5's user properties by name (the first of a repeated name wins); empty for 3.1.1. */
    static Map<String, String> userProperties(MqttProperties mp) {
        if (mp == null) {
            return Map.of();
        }
        Map<String, String> out = null;
        for (MqttProperties.MqttProperty<?> p : mp.getProperties(MqttProperties.USER_PROPERTY)) {
            if (out == null) {
                out = new LinkedHashMap<>();
            }
            if (p instanceof MqttProperties.UserProperty up) {
                out.putIfAbsent(up.value().key, up.value().value);
            } else if (p instanceof MqttProperties.UserProperties ups) {
                for (MqttProperties.StringPair pair : ups.value()) {
                    out.putIfAbsent(pair.key, pair.value);
                }
            }
        }
        return out == null ? Map.of() : out;
    }
}
