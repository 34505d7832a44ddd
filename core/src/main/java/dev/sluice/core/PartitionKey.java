package dev.sluice.core;

/** Where a route takes an event's partition key from; events with one key stay in order. */
public sealed interface PartitionKey {

    /** The value of a request header, e.g. {@code X-Device-Id}. */
    record Header(String name) implements PartitionKey {}

    /** A JSON pointer (RFC 6901) into a JSON payload, e.g. {@code /device/id}. */
    record Pointer(String pointer) implements PartitionKey {}

    /** The CloudEvents {@code subject}. */
    record Subject() implements PartitionKey {}

    /** The event id: no ordering between events, the widest spread over partitions. */
    record EventId() implements PartitionKey {}

    /** Parses {@code header:X-Name}, {@code pointer:/a/b}, {@code subject} or {@code id}. */
    static PartitionKey parse(String spec) {
        String s = spec.trim();
        if (s.equals("id")) {
            return new EventId();
        }
        if (s.equals("subject")) {
            return new Subject();
        }
        if (s.startsWith("header:") && s.length() > "header:".length()) {
            return new Header(s.substring("header:".length()));
        }
        if (s.startsWith("pointer:/")) {
            String pointer = s.substring("pointer:".length());
            JsonPointers.check(pointer, "key pointer");
            return new Pointer(pointer);
        }
        throw new ConfigException(
                "key must be 'id', 'subject', 'header:<name>' or 'pointer:/json/pointer', got '" + spec + "'");
    }
}
