package dev.sluice.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings that apply to a command, with their defaults, for its {@code --help}. They come from
 * the table in docs/configuration.md, packaged with the launcher, so that help and documentation
 * cannot disagree (and ConfigurationDocTest keeps that table complete).
 */
final class SettingsHelp {

    /** One row: {@code | `key` | default | meaning |}. */
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([a-z0-9.*]+)`[^|]*\\|([^|]*)\\|(.*)\\|\\s*$");

    private static final int MEANING = 70;

    record Setting(String key, String defaultValue, String meaning) {}

    private final List<Setting> settings;

    private SettingsHelp(List<Setting> settings) {
        this.settings = settings;
    }

    static SettingsHelp load() {
        try (InputStream in = SettingsHelp.class.getResourceAsStream("configuration.md")) {
            return parse(in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SettingsHelp parse(String markdown) {
        List<Setting> out = new ArrayList<>();
        for (String line : markdown.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                out.add(new Setting(m.group(1), clean(m.group(2)), clean(m.group(3))));
            }
        }
        return new SettingsHelp(List.copyOf(out));
    }

    /** The settings whose key starts with one of {@code prefixes}, in the table's order. */
    List<Setting> select(List<String> prefixes) {
        return settings.stream()
                .filter(s -> prefixes.stream().anyMatch(s.key()::startsWith))
                .toList();
    }

    /** A help footer listing {@link #select}: each key with its default, and the start of its meaning below it. */
    String[] footer(List<String> prefixes) {
        List<String> lines = new ArrayList<>();
        lines.add("");
        lines.add("Settings (SLUICE_<KEY>, dots as underscores, or -Dsluice.<key>) and their defaults;");
        lines.add("docs/configuration.md has each in full:");
        for (Setting s : select(prefixes)) {
            lines.add(escape("  " + s.key() + " = " + (s.defaultValue().isEmpty() ? "—" : s.defaultValue())));
            if (!s.meaning().isEmpty()) {
                String meaning =
                        s.meaning().length() > MEANING ? s.meaning().substring(0, MEANING - 1) + "…" : s.meaning();
                lines.add(escape("      " + meaning));
            }
        }
        return lines.toArray(String[]::new);
    }

    /** Picocli formats help text: a literal percent sign is doubled. */
    private static String escape(String line) {
        return line.replace("%", "%%");
    }

    private static String clean(String cell) {
        return cell.replace("`", "").trim();
    }
}
