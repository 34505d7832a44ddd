package dev.sluice.router.impl.mqtt;

import dev.sluice.router.impl.auth.AccessSnapshot;
import dev.sluice.router.impl.auth.Authenticator;
import dev.sluice.router.impl.http.IngestState;
import dev.sluice.router.impl.http.Pipeline;
import java.util.function.Supplier;

/** What every session of one MQTT verticle shares: the pipeline, routes, flow control and auth. */
record MqttEdge(
        IngestState state,
        Pipeline pipeline,
        TopicRoutes routes,
        SocketFlow flow,
        ProducerRoom room,
        AckWriter acks,
        SessionMeters meters,
        Authenticator authenticator,
        Supplier<AccessSnapshot> access,
        int receiveMaximum) {}
