package io.sightline.alerting.notify;

/** A notifier configuration that cannot be used; the message starts with {@code file:line:col}. */
public final class NotifierConfigException extends Exception {
    public NotifierConfigException(String message) {
        super(message);
    }
}
