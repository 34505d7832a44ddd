package dev.sluice.core;

import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Flat configuration: dotted keys ({@code router.port}, {@code kafka.producer.linger.ms}) to
 * string values. Built from a map in tests and from the environment in production, where
 * {@code SLUICE_ROUTER_PORT} becomes {@code router.port} and a {@code -Dsluice.router.port} system
 * property wins over both.
 */
public final class Settings {

    private static final String ENV_PREFIX = "SLUICE_";
    private static final String PROPERTY_PREFIX = "sluice.";

    private final Map<String, String> values;

    private Settings(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    public static Settings of(Map<String, String> values) {
        return new Settings(values);
    }

    public static Settings empty() {
        return new Settings(Map.of());
    }

    /** Environment variables named {@code SLUICE_*}, overridden by system properties named {@code sluice.*}. */
    public static Settings fromEnvironment(Map<String, String> env, Properties systemProperties) {
        Map<String, String> merged = new TreeMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX)) {
                merged.put(
                        name.substring(ENV_PREFIX.length())
                                .toLowerCase(Locale.ROOT)
                                .replace('_', '.'),
                        value);
            }
        });
        systemProperties.stringPropertyNames().forEach(name -> {
            if (name.startsWith(PROPERTY_PREFIX)) {
                merged.put(name.substring(PROPERTY_PREFIX.length()), systemProperties.getProperty(name));
            }
        });
        return new Settings(merged);
    }

    /** These settings with {@code overrides} on top. */
    public Settings with(Map<String, String> overrides) {
        Map<String, String> merged = new TreeMap<>(values);
        merged.putAll(overrides);
        return new Settings(merged);
    }

    public Settings with(String key, String value) {
        return with(Map.of(key, value));
    }

    public String get(String key, String defaultValue) {
        String v = values.get(key);
        return v == null || v.isBlank() ? defaultValue : v.trim();
    }

    public String require(String key) {
        String v = get(key, null);
        if (v == null) {
            throw new ConfigException("missing setting " + key + " (env SLUICE_"
                    + key.toUpperCase(Locale.ROOT).replace('.', '_') + ")");
        }
        return v;
    }

    public int getInt(String key, int defaultValue) {
        return integer(key, defaultValue, Integer::valueOf);
    }

    public long getLong(String key, long defaultValue) {
        return integer(key, defaultValue, Long::valueOf);
    }

    private <T> T integer(String key, T defaultValue, Function<String, T> parse) {
        String v = get(key, null);
        if (v == null) {
            return defaultValue;
        }
        try {
            return parse.apply(v);
        } catch (NumberFormatException e) {
            throw new ConfigException("setting " + key + " must be an integer, got '" + v + "'", e);
        }
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        String v = get(key, null);
        if (v == null) {
            return defaultValue;
        }
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new ConfigException("setting " + key + " must be true or false, got '" + v + "'");
    }

    public Duration getDuration(String key, Duration defaultValue) {
        String v = get(key, null);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Durations.parse(v);
        } catch (ConfigException e) {
            throw new ConfigException("setting " + key + ": " + e.getMessage(), e);
        }
    }

    /** Every setting under {@code prefix}, with the prefix removed (e.g. {@code kafka.producer.} → producer properties). */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    public Map<String, String> asMap() {
        return values;
    }

    /** Redacts anything that looks like a secret. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Settings{");
        values.forEach((k, v) -> sb.append(k).append('=').append(redact(k, v)).append(", "));
        if (!values.isEmpty()) {
            sb.setLength(sb.length() - 2);
        }
        return sb.append('}').toString();
    }

    /** The value as it may appear in a log: secrets masked, and the password of a URL's user info. */
    public static String redact(String key, String value) {
        String k = key.toLowerCase(Locale.ROOT);
        if (k.contains("password")
                || k.contains("secret")
                || k.contains("jaas")
                || k.endsWith(".key")
                || k.contains("token")) {
            return "***";
        }
        return value.replaceAll("(://[^/:@]*):[^/@]*@", "$1:***@");
    }
}
