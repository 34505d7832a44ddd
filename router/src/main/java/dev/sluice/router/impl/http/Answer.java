package dev.sluice.router.impl.http;

import java.util.List;
import java.util.Map;

/**
 * The Answer stage, as a transport implements it: how the outcome of a submission reaches its
 * sender (an HTTP response, an MQTT PUBACK). Called once per submission, on its event loop.
 */
public interface Answer {

    /** Every event has its outcome; {@code batch} says whether the sender sent a batch or one event. */
    void outcomes(List<Outcome> outcomes, boolean batch);

    /** The submission is refused as a whole, before any event was produced; {@code headers} go with the problem where the transport has headers. */
    void refused(Problems.Kind kind, String detail, Map<String, String> headers);

    /** Whether the sender can no longer hear an answer (it hung up). */
    boolean gone();
}
