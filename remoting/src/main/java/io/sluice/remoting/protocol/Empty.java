package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** A message with no fields (heartbeats, acknowledgements). */
public final class Empty {

    public Empty() {
    }
}
