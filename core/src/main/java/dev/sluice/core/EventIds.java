package dev.sluice.core;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Time-ordered event ids: UUID version 7 (RFC 9562), 48 bits of Unix milliseconds followed by
 * 74 random bits. Ids minted in the same millisecond are unordered among themselves, which is
 * all Sluice needs: ids sort by ingest time across milliseconds and never collide in practice.
 */
public final class EventIds {

    private EventIds() {}

    /** A new UUIDv7 for the given Unix time in milliseconds. */
    public static UUID next(long epochMillis) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long msb = (epochMillis << 16) | 0x7000L | (random.nextInt() & 0x0FFFL);
        long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }

    /** A new UUIDv7 rendered in the canonical 36-character form. */
    public static String nextString(long epochMillis) {
        return next(epochMillis).toString();
    }

    /** The Unix milliseconds embedded in a UUIDv7, or -1 when the id is not version 7. */
    public static long timestampOf(UUID id) {
        return id.version() == 7 ? id.getMostSignificantBits() >>> 16 : -1L;
    }
}
