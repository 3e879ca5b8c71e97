package io.sightline.server.auth;

import io.sightline.server.config.SightlineConfig.AuthConfig;
import io.sightline.server.config.SightlineConfig.TokenConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Decides whether a request's credentials allow an endpoint. Tokens arrive as
 * {@code Authorization: Bearer <token>}, as {@code Token <token>} (InfluxDB v2 clients) or, for clients
 * that only speak basic auth (Grafana's simplest setting, Telegraf's InfluxDB v1 output), as the password
 * of {@code Authorization: Basic} with any user name. Only the
 * SHA-256 of each token is configured; every configured hash is compared in constant time so that
 * response timing reveals nothing. Reads the auth config through a supplier, so a reload takes effect
 * on the next request. Thread-safe.
 */
public final class TokenAuthenticator {
    private final Supplier<AuthConfig> config;

    public TokenAuthenticator(Supplier<AuthConfig> config) {
        this.config = config;
    }

    /** The outcome of a check. {@code tokenName} is set when a known token was presented. */
    public record Decision(Outcome outcome, String tokenName, String message) {}

    public enum Outcome {
        /** Auth is off, or the token holds the scope. */
        ALLOWED,
        /** No credentials, or credentials that match no token: 401. */
        UNAUTHENTICATED,
        /** A known token without the required scope: 403. */
        FORBIDDEN
    }

    public boolean enabled() {
        return config.get().enabled();
    }

    /**
     * @param authorization the {@code Authorization} header value, or null
     * @param required the scope the endpoint needs
     * @param what a description of the endpoint for messages, e.g. {@code POST /-/reload}
     */
    public Decision check(String authorization, Scope required, String what) {
        AuthConfig auth = config.get();
        if (!auth.enabled()) {
            return new Decision(Outcome.ALLOWED, null, null);
        }
        if (authorization == null || authorization.isBlank()) {
            return new Decision(Outcome.UNAUTHENTICATED, null,
                    "authentication required: send \"Authorization: Bearer <token>\"");
        }
        String token = extractToken(authorization.trim());
        if (token == null) {
            return new Decision(Outcome.UNAUTHENTICATED, null,
                    "unsupported Authorization header: use \"Bearer <token>\", \"Token <token>\" or basic auth with the"
                            + " token as password");
        }
        byte[] presented = sha256(token);
        TokenConfig match = null;
        for (TokenConfig t : auth.tokens()) {
            if (MessageDigest.isEqual(presented, t.sha256()) && match == null) {
                match = t;
            }
        }
        if (match == null) {
            return new Decision(Outcome.UNAUTHENTICATED, null, "invalid token");
        }
        for (Scope s : match.scopes()) {
            if (s.grants(required)) {
                return new Decision(Outcome.ALLOWED, match.name(), null);
            }
        }
        return new Decision(Outcome.FORBIDDEN, match.name(), "token \"" + match.name() + "\" lacks scope "
                + required.configName() + ", which " + what + " requires");
    }

    private static String extractToken(String header) {
        int space = header.indexOf(' ');
        if (space < 0) {
            return null;
        }
        String scheme = header.substring(0, space).toLowerCase(Locale.ROOT);
        String value = header.substring(space + 1).trim();
        if (scheme.equals("bearer") || scheme.equals("token")) { // "Token" is what InfluxDB v2 clients send
            return value.isEmpty() ? null : value;
        }
        if (scheme.equals("basic")) {
            try {
                String decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return colon < 0 || colon == decoded.length() - 1 ? null : decoded.substring(colon + 1);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }

    /** SHA-256 of the token's UTF-8 bytes. */
    public static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("BUG: the JDK has no SHA-256", e);
        }
    }

    public static String sha256Hex(String token) {
        return HexFormat.of().formatHex(sha256(token));
    }

    /** A new random token: {@code sl_} and 32 random bytes in URL-safe base64. */
    public static String newToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return "sl_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
