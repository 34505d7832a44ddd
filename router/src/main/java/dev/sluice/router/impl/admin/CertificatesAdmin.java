package dev.sluice.router.impl.admin;

import static dev.sluice.router.impl.admin.AdminContract.operation;
import static dev.sluice.router.impl.admin.AdminHttp.body;
import static dev.sluice.router.impl.admin.AdminHttp.failed;
import static dev.sluice.router.impl.admin.AdminHttp.invalid;
import static dev.sluice.router.impl.admin.AdminHttp.json;
import static dev.sluice.router.impl.admin.AdminHttp.problem;
import static dev.sluice.router.impl.admin.AdminHttp.time;

import dev.sluice.router.impl.auth.ClientCertificates;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tenant's client certificates (MQTT over TLS with client authentication): bind one by its PEM
 * or its SHA-256 fingerprint, list them, revoke one. Revoking closes the connections it opened.
 */
final class CertificatesAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);

    private final Pool pool;

    CertificatesAdmin(Pool pool) {
        this.pool = pool;
    }

    void bind(RouterBuilder builder) {
        operation(builder, "bindCertificate").addHandler(this::bindCertificate);
        operation(builder, "listCertificates").addHandler(this::list);
        operation(builder, "revokeCertificate").addHandler(this::revoke);
    }

    private void bindCertificate(RoutingContext ctx) {
        String tenant = ctx.pathParam("id");
        JsonObject body = body(ctx);
        if (body == null) {
            return;
        }
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
        pool.preparedQuery("INSERT INTO sluice_client_certs (fingerprint, tenant, subject, name) SELECT $1, id, $2, $3 "
                        + "FROM sluice_tenants WHERE id = $4 AND revoked_at IS NULL RETURNING fingerprint")
                .execute(Tuple.of(fingerprint, subjectName, name, tenant))
                .onComplete(ar -> {
                    if (failed(ctx, ar)) {
                        return;
                    }
                    if (ar.result().rowCount() == 0) {
                        problem(ctx, 404, "not-found", "No such tenant", "no live tenant " + tenant);
                        return;
                    }
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
        pool.preparedQuery(
                        "SELECT fingerprint, subject, name, created_at, revoked_at FROM sluice_client_certs WHERE tenant = $1 "
                                + "ORDER BY created_at")
                .execute(Tuple.of(ctx.pathParam("id")))
                .onComplete(ar -> {
                    if (failed(ctx, ar)) {
                        return;
                    }
                    JsonArray out = new JsonArray();
                    for (Row r : ar.result()) {
                        out.add(new JsonObject()
                                .put("fingerprint", r.getString("fingerprint"))
                                .put("subject", r.getString("subject"))
                                .put("name", r.getString("name"))
                                .put("createdAt", time(r.getOffsetDateTime("created_at")))
                                .put("revokedAt", time(r.getOffsetDateTime("revoked_at"))));
                    }
                    json(ctx, 200, new JsonObject().put("certificates", out));
                });
    }

    private void revoke(RoutingContext ctx) {
        String given = ctx.pathParam("fingerprint");
        Optional<String> fingerprint = ClientCertificates.normalize(given);
        if (fingerprint.isEmpty()) {
            problem(ctx, 404, "not-found", "No such certificate", "no client certificate " + given);
            return;
        }
        pool.preparedQuery(
                        "UPDATE sluice_client_certs SET revoked_at = COALESCE(revoked_at, now()) WHERE fingerprint = $1 "
                                + "RETURNING fingerprint")
                .execute(Tuple.of(fingerprint.get()))
                .onComplete(ar -> {
                    if (!failed(ctx, ar)) {
                        if (ar.result().rowCount() == 0) {
                            problem(ctx, 404, "not-found", "No such certificate", "no client certificate " + given);
                        } else {
                            LOG.info("client certificate {} revoked", fingerprint.get());
                            json(
                                    ctx,
                                    200,
                                    new JsonObject()
                                            .put("id", fingerprint.get())
                                            .put("revoked", true));
                        }
                    }
                });
    }
}
