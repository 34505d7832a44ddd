package dev.sluice.router.impl.mqtt;

import dev.sluice.core.MqttBinding;
import dev.sluice.core.PartitionKey;
import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.http.RouteTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which route takes a publish: the first route (by source name) one of whose topic filters matches
 * the topic. The list of MQTT-bound routes is rebuilt when the route table changes. A bound route
 * is used with its MQTT key in place of its HTTP key.
 */
final class TopicRoutes {

    /** What the synthetic header names of topic levels begin with (no user property's may: {@link MqttBinding}). */
    static final String LEVEL_PREFIX = MqttBinding.LEVEL_PREFIX;

    /** The synthetic header name under which level {@code n} of the topic is offered to a {@code topic:n} key. */
    static String levelHeader(int n) {
        return LEVEL_PREFIX + n;
    }

    private record Bound(String filter, RouteConfig route) {}

    /** Topics remembered with the route that takes them (a device publishes to the same topic again and again). */
    static final int MEMO_SIZE = 16_384;

    private final RouteTable table;
    private Map<String, RouteConfig> seen;
    private List<Bound> bound = List.of();
    /** Topic to route (absent from the map: not looked up yet), for the route table {@link #seen}; cleared when full. */
    private final Map<String, Optional<RouteConfig>> memo = new HashMap<>();

    TopicRoutes(RouteTable table) {
        this.table = table;
    }

    /** The route (with its MQTT key) that takes this topic, or null. Called on one event loop. */
    RouteConfig route(String topic) {
        Map<String, RouteConfig> all = table.all();
        if (all != seen) {
            bound = bind(all);
            seen = all;
            memo.clear();
        }
        Optional<RouteConfig> known = memo.get(topic);
        if (known == null) {
            if (memo.size() >= MEMO_SIZE) {
                memo.clear(); // bounded whatever topics the clients make up
            }
            known = Optional.ofNullable(match(topic));
            memo.put(topic, known);
        }
        return known.orElse(null);
    }

    /** How many topics are remembered now. */
    int remembered() {
        return memo.size();
    }

    private RouteConfig match(String topic) {
        for (Bound b : bound) {
            if (MqttBinding.matches(b.filter(), topic)) {
                return b.route();
            }
        }
        return null;
    }

    private static List<Bound> bind(Map<String, RouteConfig> all) {
        List<Bound> out = new ArrayList<>();
        all.values().stream()
                .filter(r -> r.mqtt().bound())
                .sorted((a, b) -> a.source().compareTo(b.source()))
                .forEach(r -> {
                    RouteConfig keyed = r.withKey(key(r.mqtt().key()), null);
                    for (String filter : r.mqtt().topics()) {
                        out.add(new Bound(filter, keyed));
                    }
                });
        return List.copyOf(out);
    }

    /** The partition key of an MQTT binding, as the stamper understands it. */
    static PartitionKey key(String spec) {
        if (spec.startsWith("topic:")) {
            return new PartitionKey.Header(levelHeader(Integer.parseInt(spec.substring("topic:".length()))));
        }
        if (spec.startsWith("property:")) {
            return new PartitionKey.Header(spec.substring("property:".length()));
        }
        return PartitionKey.parse(spec);
    }
}
