package dev.sluice.loadgen;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * The event ids a run has seen, without an object per id: a UUID is kept as its two longs in an
 * open-addressing table of primitive arrays (any other id, rare, in a plain set). A run keeps
 * hundreds of thousands of ids; as {@code HashSet<UUID>} each one was a UUID and a map node that
 * survived to the old generation and a table full of old-to-young references, and the
 * generator's young collections grew to 20–100 ms: pauses that showed up in the very latencies
 * the generator measures. Confined to one thread.
 */
final class IdSet {

    private static final int MIN_CAPACITY = 1 << 10;

    private long[] hi = new long[MIN_CAPACITY];
    private long[] lo = new long[MIN_CAPACITY];
    /** Slots in use: a slot of {@code hi}/{@code lo} is empty when both are 0, so the id (0, 0) is kept apart. */
    private int used;

    private boolean zero;
    private final Set<String> others = new HashSet<>();

    /** Adds an id as {@link Ids#of} returns it (a UUID or a string); true when it was not there yet. */
    boolean add(Object id) {
        if (id instanceof UUID u) {
            return add(u.getMostSignificantBits(), u.getLeastSignificantBits());
        }
        return id != null && others.add(id.toString());
    }

    boolean contains(Object id) {
        if (id instanceof UUID u) {
            return contains(u.getMostSignificantBits(), u.getLeastSignificantBits());
        }
        return id != null && others.contains(id.toString());
    }

    boolean add(long h, long l) {
        if (h == 0 && l == 0) {
            boolean added = !zero;
            zero = true;
            return added;
        }
        if ((used + 1) * 2L > hi.length) {
            grow();
        }
        int mask = hi.length - 1;
        for (int i = slot(h, l, mask); ; i = (i + 1) & mask) {
            if (hi[i] == 0 && lo[i] == 0) {
                hi[i] = h;
                lo[i] = l;
                used++;
                return true;
            }
            if (hi[i] == h && lo[i] == l) {
                return false;
            }
        }
    }

    boolean contains(long h, long l) {
        if (h == 0 && l == 0) {
            return zero;
        }
        int mask = hi.length - 1;
        for (int i = slot(h, l, mask); ; i = (i + 1) & mask) {
            if (hi[i] == 0 && lo[i] == 0) {
                return false;
            }
            if (hi[i] == h && lo[i] == l) {
                return true;
            }
        }
    }

    int size() {
        return used + (zero ? 1 : 0) + others.size();
    }

    /** Adds every id of {@code from}; returns how many were already here. */
    long addAll(IdSet from) {
        long present = 0;
        for (int i = 0; i < from.hi.length; i++) {
            if ((from.hi[i] != 0 || from.lo[i] != 0) && !add(from.hi[i], from.lo[i])) {
                present++;
            }
        }
        if (from.zero && !add(0, 0)) {
            present++;
        }
        for (String s : from.others) {
            if (!others.add(s)) {
                present++;
            }
        }
        return present;
    }

    /** How many of this set's ids {@code other} holds too. */
    long countIn(IdSet other) {
        long n = 0;
        for (int i = 0; i < hi.length; i++) {
            if ((hi[i] != 0 || lo[i] != 0) && other.contains(hi[i], lo[i])) {
                n++;
            }
        }
        if (zero && other.zero) {
            n++;
        }
        for (String s : others) {
            if (other.others.contains(s)) {
                n++;
            }
        }
        return n;
    }

    private void grow() {
        long[] oldHi = hi;
        long[] oldLo = lo;
        hi = new long[oldHi.length * 2];
        lo = new long[oldLo.length * 2];
        int mask = hi.length - 1;
        for (int j = 0; j < oldHi.length; j++) {
            long h = oldHi[j];
            long l = oldLo[j];
            if (h != 0 || l != 0) {
                int i = slot(h, l, mask);
                while (hi[i] != 0 || lo[i] != 0) {
                    i = (i + 1) & mask;
                }
                hi[i] = h;
                lo[i] = l;
            }
        }
    }

    private static int slot(long h, long l, int mask) {
        long x = h * 0x9E3779B97F4A7C15L ^ l * 0xC2B2AE3D27D4EB4FL;
        x ^= x >>> 29;
        return (int) x & mask;
    }
}
