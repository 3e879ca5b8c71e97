package io.sightline.server.config;

/**
 * A listen address {@code host:port}: {@code 0.0.0.0:8321}, {@code :8321} (all interfaces),
 * {@code [::1]:8321}. Port 0 asks the OS for a free port (tests use it).
 */
public record HostPort(String host, int port) {
    /**
     * @throws IllegalArgumentException naming the text and the expected form
     */
    public static HostPort parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("\"" + text + "\" is not host:port (e.g. 0.0.0.0:8321, :8321, [::1]:8321)");
        }
        String host = text.substring(0, colon);
        String portText = text.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("\"" + text + "\": put an IPv6 address in brackets, e.g. [::1]:8321");
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + text + "\": port \"" + portText + "\" is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("\"" + text + "\": port " + port + " is out of range 0-65535");
        }
        return new HostPort(host.isEmpty() ? "0.0.0.0" : host, port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
