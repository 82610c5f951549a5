package io.sluice.rpc.internal.cluster;

import io.sluice.remoting.SluiceException;

import java.util.List;

/** Combines the failures of parallel attempts into one. Stateless. */
final class Broadcasts {
    private Broadcasts() {
    }

    /** The first failure, with the others attached as suppressed. */
    static SluiceException combine(List<SluiceException> failures) {
        synchronized (failures) {
            SluiceException first = failures.get(0);
            for (int i = 1; i < failures.size(); i++) {
                if (failures.get(i) != first) {
                    first.addSuppressed(failures.get(i));
                }
            }
            return first;
        }
    }
}
