package io.sluice.remoting.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The leak check that guards every test class really catches a leaked buffer. */
class LeakTrackerTest {
    @Test
    void detectsAnUnreleasedBuffer() {
        assertThat(LeakTracker.active()).as("leak tracker installed before Netty buffers loaded").isTrue();
        leakOne();
        assertThatThrownBy(LeakTracker::assertNoLeaks).isInstanceOf(AssertionError.class).hasMessageContaining("LEAK");
        LeakTracker.assertNoLeaks(); // the recorded leak was consumed
    }

    private static void leakOne() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        leaked.writeLong(42);
    }
}
