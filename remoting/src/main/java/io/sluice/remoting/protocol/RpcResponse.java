package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** An RPC result header; the frame payload holds the serialized return value (empty for void). */
public final class RpcResponse {
    @Tag(1)
    public boolean hasValue;

    public RpcResponse() {
    }
}
