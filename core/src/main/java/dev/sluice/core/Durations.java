package dev.sluice.core;

import java.time.Duration;

/** Parses and prints the short duration form used in configuration: {@code 250ms}, {@code 20s}, {@code 5m}, {@code 1h}. */
public final class Durations {

    private Durations() {}

    public static Duration parse(String text) {
        String s = text.trim();
        try {
            if (s.endsWith("ms")) {
                return Duration.ofMillis(
                        Long.parseLong(s.substring(0, s.length() - 2).trim()));
            }
            if (s.endsWith("s")) {
                return Duration.ofMillis(Math.round(
                        Double.parseDouble(s.substring(0, s.length() - 1).trim()) * 1000));
            }
            if (s.endsWith("m")) {
                return Duration.ofSeconds(
                        Long.parseLong(s.substring(0, s.length() - 1).trim()) * 60);
            }
            if (s.endsWith("h")) {
                return Duration.ofHours(
                        Long.parseLong(s.substring(0, s.length() - 1).trim()));
            }
            return Duration.ofMillis(Long.parseLong(s));
        } catch (NumberFormatException e) {
            throw new ConfigException("not a duration: '" + text + "' (use e.g. 250ms, 20s, 5m)", e);
        }
    }

    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        return (ms / 1000) + "s";
    }
}
