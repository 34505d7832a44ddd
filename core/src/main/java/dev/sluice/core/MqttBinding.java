package dev.sluice.core;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The MQTT topic filters a route takes publishes from, and where their partition key comes from:
 * {@code topic:N} (level N of the topic name, counted from 0, e.g. the device id of
 * {@code devices/<id>/telemetry}), {@code property:<name>} (an MQTT 5 user property),
 * {@code pointer:/json/pointer} (into the payload), or {@code id} (the event id, no ordering).
 *
 * @param topics the topic filters (MQTT 3.1.1 §4.7: {@code +} is one whole level, {@code #} the last level)
 * @param key    where the partition key comes from
 */
public record MqttBinding(List<String> topics, String key) {

    /**
     * What the router names level {@code n} of a topic under, beside the user properties, for a
     * {@code topic:n} key: {@code mqtt.topic.<n>}. A {@code property:} key may not use the prefix.
     */
    public static final String LEVEL_PREFIX = "mqtt.topic.";

    private static final Pattern KEY = Pattern.compile("id|topic:\\d{1,3}|property:[^\\s]{1,128}|pointer:/.*");

    /** A route that takes no MQTT publishes (declared after the pattern its constructor uses). */
    public static final MqttBinding NONE = new MqttBinding(List.of(), "id");

    public MqttBinding {
        topics = List.copyOf(topics);
        key = key == null ? "id" : key;
        for (String t : topics) {
            checkFilter(t);
        }
        if (!KEY.matcher(key).matches()) {
            throw new ConfigException(
                    "mqtt.key must be 'id', 'topic:<level>', 'property:<name>' or 'pointer:/json/pointer', got '" + key
                            + "'");
        }
        // Checked here, with the rest of the binding, so that a bad key is refused where it is declared
        // (catalog or admin API) and never reaches the router's topic table, where it would fail every publish.
        if (key.startsWith("pointer:")) {
            JsonPointers.check(key.substring("pointer:".length()), "mqtt.key's pointer");
        }
        if (key.startsWith("property:" + LEVEL_PREFIX)) {
            throw new ConfigException("mqtt.key: user property names starting with '" + LEVEL_PREFIX
                    + "' are reserved for topic levels; use 'topic:<level>', got '" + key + "'");
        }
    }

    /** Whether the route takes MQTT publishes at all. */
    public boolean bound() {
        return !topics.isEmpty();
    }

    /** Checks one topic filter's syntax. */
    static void checkFilter(String filter) {
        if (filter == null || filter.isEmpty() || filter.length() > 1024) {
            throw new ConfigException("an mqtt topic filter must be 1-1024 characters, got '" + filter + "'");
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.equals("#")) {
                if (i != levels.length - 1) {
                    throw new ConfigException("mqtt topic filter '" + filter + "': # must be the last level");
                }
            } else if (!level.equals("+") && (level.indexOf('+') >= 0 || level.indexOf('#') >= 0)) {
                throw new ConfigException("mqtt topic filter '" + filter + "': + and # must fill a whole level");
            }
            if (level.indexOf('\u0000') >= 0) {
                throw new ConfigException("mqtt topic filter '" + filter + "' holds a NUL character");
            }
        }
        if (filter.startsWith("$")) {
            throw new ConfigException("mqtt topic filter '" + filter + "': topics starting with $ are reserved");
        }
    }

    /** Whether a topic name matches one filter (MQTT 3.1.1 §4.7). */
    public static boolean matches(String filter, String topic) {
        if (topic.startsWith("$")) {
            return false;
        }
        int f = 0;
        int t = 0;
        while (true) {
            int fe = filter.indexOf('/', f);
            int te = topic.indexOf('/', t);
            String fl = filter.substring(f, fe < 0 ? filter.length() : fe);
            if (fl.equals("#")) {
                return true;
            }
            if (t > topic.length()) {
                return false;
            }
            String tl = topic.substring(t, te < 0 ? topic.length() : te);
            if (!fl.equals("+") && !fl.equals(tl)) {
                return false;
            }
            if (fe < 0 || te < 0) {
                // Both must end here, or the filter's next (and last) level is '#', which also matches the parent
                // level.
                return fe < 0 && te < 0 || te < 0 && filter.substring(fe + 1).equals("#");
            }
            f = fe + 1;
            t = te + 1;
        }
    }
}
