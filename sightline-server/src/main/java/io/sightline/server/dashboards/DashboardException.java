package io.sightline.server.dashboards;

/**
 * Why a dashboard operation was refused. The HTTP layer maps each type to its status; the message is
 * written for the API's client.
 */
public abstract sealed class DashboardException extends Exception {
    private static final long serialVersionUID = 1L;

    DashboardException(String message) {
        super(message, null, false, false);
    }

    /** The document breaks a rule of the model; the message starts with the field's path: 400. */
    public static final class Invalid extends DashboardException {
        private static final long serialVersionUID = 1L;

        public Invalid(String message) {
            super(message);
        }
    }

    /** No dashboard has this id: 404. */
    public static final class NotFound extends DashboardException {
        private static final long serialVersionUID = 1L;

        NotFound(String id) {
            super("dashboard \"" + id + "\" not found");
        }
    }

    /** The id is taken, the version read is stale, or an unreadable file holds the id: 409. */
    public static final class Conflict extends DashboardException {
        private static final long serialVersionUID = 1L;

        Conflict(String message) {
            super(message);
        }
    }

    /** The store already holds {@link DashboardStore#MAX_DASHBOARDS}: 400. */
    public static final class LimitExceeded extends DashboardException {
        private static final long serialVersionUID = 1L;

        LimitExceeded(String message) {
            super(message);
        }
    }
}
