package dev.sluice.scaler.sim;

/**
 * What a scaler can see of the topic and consumer group at one instant.
 *
 * @param now            simulated time, ms
 * @param live           unconsumed events younger than the TTL
 * @param expiredInTopic unconsumed events older than the TTL, still in the topic
 * @param uncommitted    events started but not yet covered by a committed offset
 * @param arrivalRate    events/s reaching the topic, measured over the scaler's rate window
 */
public record Observation(long now, double live, double expiredInTopic, double uncommitted, double arrivalRate) {}
