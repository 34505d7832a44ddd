package dev.sluice.router.impl.admin;

import static dev.sluice.router.impl.admin.AdminHttp.body;
import static dev.sluice.router.impl.admin.AdminHttp.invalid;
import static dev.sluice.router.impl.admin.AdminHttp.json;
import static dev.sluice.router.impl.admin.AdminHttp.lifetime;
import static dev.sluice.router.impl.admin.AdminHttp.notFound;

import dev.sluice.router.impl.auth.ClientCertificates;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Tuple;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tenant's client certificates (MQTT over TLS with client authentication): bind one by its PEM
 * or its SHA-256 fingerprint, list them, revoke one. Revoking closes the connections it opened.
 */
final class CertificatesAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);

    private final AdminStore store;

    CertificatesAdmin(AdminStore store) {
        this.store = store;
    }

    Map<String, Handler<RoutingContext>> operations() {
        return Map.of("bindCertificate", this::bind, "listCertificates", this::list, "revokeCertificate", this::revoke);
    }

    private void bind(RoutingContext ctx) {
        String tenant = ctx.pathParam("id");
        JsonObject body = body(ctx);
        Object pem = body.getValue("certificate");
        Object given = body.getValue("fingerprint");
        Object name = body.getValue("name");
        if (name != null && !(name instanceof String)) {
            invalid(ctx, "name", "must be a string");
            return;
        }
        if ((pem == null) == (given == null)) {
            invalid(
                    ctx,
                    "certificate",
                    "give either certificate (PEM) or fingerprint (SHA-256 hex), not both or neither");
            return;
        }
        String fingerprint;
        String subject = null;
        if (pem != null) {
            try {
                X509Certificate cert = ClientCertificates.parsePem(pem instanceof String s ? s : "");
                fingerprint = ClientCertificates.fingerprint(cert);
                subject = cert.getSubjectX500Principal().getName();
            } catch (CertificateException e) {
                invalid(ctx, "certificate", "must be one X.509 certificate in PEM: " + e.getMessage());
                return;
            }
        } else {
            Optional<String> hex = given instanceof String s ? ClientCertificates.normalize(s) : Optional.empty();
            if (hex.isEmpty()) {
                invalid(ctx, "fingerprint", "must be the certificate's SHA-256 in hex (64 digits, colons allowed)");
                return;
            }
            fingerprint = hex.get();
        }
        String subjectName = subject;
        store.one(
                ctx,
                "INSERT INTO sluice_client_certs (fingerprint, tenant, subject, name) SELECT $1, id, $2, $3 "
                        + "FROM sluice_tenants WHERE id = $4 AND revoked_at IS NULL RETURNING fingerprint",
                Tuple.of(fingerprint, subjectName, name, tenant),
                () -> notFound(ctx, "No such tenant", "no live tenant " + tenant),
                rows -> {
                    LOG.info("client certificate {} bound to tenant {}", fingerprint, tenant);
                    json(
                            ctx,
                            201,
                            new JsonObject()
                                    .put("fingerprint", fingerprint)
                                    .put("tenant", tenant)
                                    .put("subject", subjectName)
                                    .put("name", name));
                });
    }

    private void list(RoutingContext ctx) {
        store.list(
                ctx,
                "certificates",
                "SELECT fingerprint, subject, name, created_at, revoked_at FROM sluice_client_certs WHERE tenant = $1 "
                        + "ORDER BY created_at",
                Tuple.of(ctx.pathParam("id")),
                r -> lifetime(
                        new JsonObject()
                                .put("fingerprint", r.getString("fingerprint"))
                                .put("subject", r.getString("subject"))
                                .put("name", r.getString("name")),
                        r));
    }

    private void revoke(RoutingContext ctx) {
        String given = ctx.pathParam("fingerprint");
        Optional<String> fingerprint = ClientCertificates.normalize(given);
        Runnable none = () -> notFound(ctx, "No such certificate", "no client certificate " + given);
        if (fingerprint.isEmpty()) {
            none.run();
            return;
        }
        store.revoke(
                ctx,
                "sluice_client_certs",
                "fingerprint",
                fingerprint.get(),
                none,
                () -> LOG.info("client certificate {} revoked", fingerprint.get()));
    }
}
