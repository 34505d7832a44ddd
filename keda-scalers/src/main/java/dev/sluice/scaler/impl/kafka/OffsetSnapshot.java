package dev.sluice.scaler.impl.kafka;

/**
 * Offsets of one topic for one group at one moment, indexed by partition number. {@code -1} means
 * none (no committed offset; no record at or after the asked timestamp).
 *
 * @param end        log-end offsets (the next offset to be written)
 * @param committed  the group's committed offsets
 * @param firstLive  first offset whose record timestamp is at or after {@code now − ttl}
 * @param firstYoung first offset whose record timestamp is at or after {@code now − budget}
 * @param members    consumers in the group
 */
public record OffsetSnapshot(
        long takenAtMillis, long[] end, long[] committed, long[] firstLive, long[] firstYoung, int members) {

    public int partitions() {
        return end.length;
    }
}
