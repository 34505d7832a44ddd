package dev.sluice.router.impl.ingest;

/** One item of a batch: an event, or why it was refused. Exactly one of the two is non-null. */
public record Parsed(Draft draft, BadInput error) {

    public static Parsed ok(Draft d) {
        return new Parsed(d, null);
    }

    public static Parsed bad(BadInput e) {
        return new Parsed(null, e);
    }
}
