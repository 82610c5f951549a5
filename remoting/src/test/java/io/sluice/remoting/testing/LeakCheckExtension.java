package io.sluice.remoting.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaked Netty buffers. Auto-registered for every test (see junit-platform.properties);
 * loading it installs {@link LeakTracker} early, before Netty's buffer classes load.
 */
public final class LeakCheckExtension implements AfterAllCallback {
    static {
        LeakTracker.install();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        LeakTracker.assertNoLeaks();
    }
}
