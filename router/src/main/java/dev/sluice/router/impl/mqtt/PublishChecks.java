package dev.sluice.router.impl.mqtt;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;

/**
 * What MQTT forbids in a PUBLISH and the decoder lets through, checked before anything else of the
 * publish: it ends the connection, with its reason on MQTT 5, and nothing is produced.
 *
 * <ul>
 *   <li>A topic name that is not well-formed UTF-8, or holds U+0000: a malformed packet (MQTT 5
 *       §1.5.4, 3.1.1 §1.5.3). The decoder has already made a string of the topic's bytes,
 *       replacing an ill-formed sequence with U+FFFD, so a topic holding U+FFFD is refused as
 *       ill-formed (a device that really spells U+FFFD in a topic is refused with it).</li>
 *   <li>On MQTT 5, a Topic Alias: the router announces a Topic Alias Maximum of 0, so any alias is
 *       a protocol error (§3.3.2.3.4), 0x94 Topic Alias invalid. Taking the topic name beside it
 *       would accept what the client believes it may not send.</li>
 * </ul>
 */
final class PublishChecks {

    private PublishChecks() {}

    /** Whether {@code msg} broke the protocol; if so, it is counted and {@code session} has been ended with the reason. */
    static boolean refused(MqttPublishMessage msg, MqttSession session, SessionMeters meters) {
        String topic = msg.topicName();
        if (topic != null && (topic.indexOf('\uFFFD') >= 0 || topic.indexOf('\u0000') >= 0)) {
            meters.protocolError();
            session.disconnect(
                    MqttDisconnectReasonCode.MALFORMED_PACKET,
                    "the topic name is not well-formed UTF-8, or holds U+0000");
            return true;
        }
        if (session.v5() && msg.properties().getProperty(MqttProperties.TOPIC_ALIAS) != null) {
            meters.protocolError();
            session.disconnect(
                    MqttDisconnectReasonCode.TOPIC_ALIAS_INVALID,
                    "topic aliases are not taken (Topic Alias Maximum 0)");
            return true;
        }
        return false;
    }
}
