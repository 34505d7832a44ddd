package dev.sluice.router.impl.ingest;

import io.vertx.core.MultiMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The CloudEvents HTTP binary mode: attributes in {@code ce-*} headers, the body is the data. */
public final class BinaryMode {

    private BinaryMode() {
    }

    /** The event a binary-mode request carries; required attributes are checked as in structured mode. */
    public static Draft decode(MultiMap headers, byte[] body, String contentType) throws BadInput {
        String specversion = headers.get("ce-specversion");
        if (!"1.0".equals(specversion)) {
            throw new BadInput(BadInput.Reason.INVALID_CLOUDEVENT, "ce-specversion must be 1.0, got '" + specversion + "'");
        }
        String id = headers.get("ce-id");
        String source = headers.get("ce-source");
        String type = headers.get("ce-type");
        JsonEvents.requireAttribute("id (ce-id)", id);
        JsonEvents.requireAttribute("source (ce-source)", source);
        JsonEvents.requireAttribute("type (ce-type)", type);
        Map<String, String> ext = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith("ce-") && !isCoreHeader(name)) {
                String attr = name.substring(3);
                if (!attr.matches("[a-z0-9]{1,20}")) {
                    throw new BadInput(BadInput.Reason.INVALID_CLOUDEVENT,
                            "header " + h.getKey() + ": attribute names must be 1-20 lower-case letters or digits");
                }
                ext.put(attr, h.getValue());
            }
        }
        return new Draft(id, source, type, headers.get("ce-subject"), headers.get("ce-time"), contentType, body, ext);
    }

    private static boolean isCoreHeader(String name) {
        return name.equals("ce-specversion") || name.equals("ce-id") || name.equals("ce-source") || name.equals("ce-type")
                || name.equals("ce-subject") || name.equals("ce-time");
    }

}
