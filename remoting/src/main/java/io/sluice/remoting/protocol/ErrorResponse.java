package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** The body of every error response: an {@link io.sluice.remoting.ErrorCode} id and a message a person can act on. */
public final class ErrorResponse {
    @Tag(1)
    public short code;
    @Tag(2)
    public String message;

    public ErrorResponse() {
    }
}
