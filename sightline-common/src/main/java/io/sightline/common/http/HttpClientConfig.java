package io.sightline.common.http;

/**
 * How Sightline authenticates to a scrape target or Alertmanager: at most one of basic auth and an
 * {@code Authorization} header, plus TLS settings. Secrets may come from files so that they stay out of
 * the config.
 */
public record HttpClientConfig(
        BasicAuth basicAuth,
        Authorization authorization,
        Tls tls,
        boolean followRedirects) {

    public static final HttpClientConfig NONE = new HttpClientConfig(null, null, Tls.NONE, true);

    public record BasicAuth(String username, String password, String passwordFile) {}

    public record Authorization(String type, String credentials, String credentialsFile) {}

    public record Tls(String caFile, String certFile, String keyFile, String serverName, boolean insecureSkipVerify) {
        public static final Tls NONE = new Tls(null, null, null, null, false);
    }
}
