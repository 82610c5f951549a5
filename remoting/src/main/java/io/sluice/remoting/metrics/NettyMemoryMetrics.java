package io.sluice.remoting.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;

/**
 * What Netty's default buffer allocator holds: {@code sluice.netty.allocator.used.bytes} (gauge, tag
 * {@code memory}: {@code direct} / {@code heap}), the memory its pools have taken from the system, used or cached.
 * With {@code jvm.buffer.memory.used{id="direct"}} it tells memory the transport holds from memory its allocator
 * keeps.
 */
final class NettyMemoryMetrics implements MeterBinder {
    @Override
    public void bindTo(MeterRegistry registry) {
        if (!(ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider)) {
            return;
        }
        ByteBufAllocatorMetric metric = provider.metric();
        Gauge.builder("sluice.netty.allocator.used.bytes", metric, ByteBufAllocatorMetric::usedDirectMemory)
                .tag("memory", "direct").baseUnit("bytes")
                .description("memory held by Netty's default allocator, in use or cached").register(registry);
        Gauge.builder("sluice.netty.allocator.used.bytes", metric, ByteBufAllocatorMetric::usedHeapMemory)
                .tag("memory", "heap").baseUnit("bytes")
                .description("memory held by Netty's default allocator, in use or cached").register(registry);
    }
}
