package io.sluice.rpc;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

/**
 * The remote method threw: carries the type and message of the provider's exception (the exception itself is not
 * sent, so its class need not exist here). Code {@link ErrorCode#REMOTE_EXCEPTION}; not retried by failover.
 * Immutable.
 */
public class RpcRemoteException extends SluiceException {
    private final String remoteType;
    private final String remoteMessage;

    public RpcRemoteException(String remoteType, String remoteMessage, String provider) {
        super(ErrorCode.REMOTE_EXCEPTION, remoteType + ": " + remoteMessage
                + (provider == null ? "" : " (thrown by provider " + provider + ")"));
        this.remoteType = remoteType;
        this.remoteMessage = remoteMessage;
    }

    /** The binary class name of the exception the provider's method threw. */
    public String remoteType() {
        return remoteType;
    }

    /** Its message ("" if it had none). */
    public String remoteMessage() {
        return remoteMessage;
    }

    /** The wire form of a provider-side exception, parsed back by {@link #fromWire}. */
    public static String toWire(Throwable t) {
        return t.getClass().getName() + ": " + (t.getMessage() == null ? "" : t.getMessage());
    }

    /** Parses {@link #toWire} output. */
    public static RpcRemoteException fromWire(String wire, String provider) {
        String text = wire == null ? "" : wire;
        int sep = text.indexOf(": ");
        return sep < 0 ? new RpcRemoteException(text, "", provider)
                : new RpcRemoteException(text.substring(0, sep), text.substring(sep + 2), provider);
    }
}
