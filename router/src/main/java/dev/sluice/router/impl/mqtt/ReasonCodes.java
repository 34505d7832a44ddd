package dev.sluice.router.impl.mqtt;

import dev.sluice.router.impl.http.Problems;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubRecReasonCode;

/**
 * The MQTT 5 reason code of a refused publish. PUBACK and PUBREC share their codes (MQTT 5.0
 * §3.4.2.1): a refusal the sender may retry (Kafka slow or unreachable, the router busy or
 * draining, a rate limit) is 0x80 Unspecified error or 0x97 Quota exceeded; one it must not retry
 * unchanged names the reason (0x87 Not authorized, 0x90 Topic Name invalid, 0x99 Payload format
 * invalid, 0x83 for a payload Kafka will not take).
 */
final class ReasonCodes {

    private ReasonCodes() {}

    static MqttPubAckReasonCode puback(Problems.Kind kind) {
        return switch (kind) {
            case RATE_LIMITED, OVER_RATE_CAPACITY -> MqttPubAckReasonCode.QUOTA_EXCEEDED;
            case UNAUTHORIZED, FORBIDDEN, BAD_SIGNATURE -> MqttPubAckReasonCode.NOT_AUTHORIZED;
            case UNKNOWN_SOURCE, NOT_FOUND -> MqttPubAckReasonCode.TOPIC_NAME_INVALID;
            case MALFORMED_JSON, INVALID_CLOUDEVENT, BAD_KEY, UNSUPPORTED_MEDIA_TYPE, SCHEMA_VIOLATION ->
                MqttPubAckReasonCode.PAYLOAD_FORMAT_INVALID;
            case TOO_LARGE -> MqttPubAckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR;
            default -> MqttPubAckReasonCode.UNSPECIFIED_ERROR;
        };
    }

    static MqttPubRecReasonCode pubrec(Problems.Kind kind) {
        return MqttPubRecReasonCode.valueOf(puback(kind).name());
    }

    /** MQTT 5's Reason String property: {@code why}, cut to 512 characters (nothing for null). */
    static MqttProperties reasonString(String why) {
        MqttProperties p = new MqttProperties();
        String s = why == null ? "" : why.length() > 512 ? why.substring(0, 512) : why;
        p.add(new MqttProperties.StringProperty(MqttProperties.REASON_STRING, s));
        return p;
    }
}
