package io.sluice.benchmarks.load;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The steady-state rule of the RPC warm-up, and that a run reports its warm-up and every window. */
class RpcLoadTest {
    @Test
    void twoWindowsWithinFivePercentAreSteady() {
        assertThat(RpcLoad.steady(10_000, 10_400)).isTrue();
        assertThat(RpcLoad.steady(10_400, 10_000)).isTrue();
        assertThat(RpcLoad.steady(5_700, 10_000)).as("Dubbo's climbing iterations").isFalse();
        assertThat(RpcLoad.steady(10_000, 10_600)).isFalse();
        assertThat(RpcLoad.steady(0, 0)).as("nothing completed is not steady").isFalse();
        assertThat(RpcLoad.windowMs(30_000)).isEqualTo(2_000);
        assertThat(RpcLoad.windowMs(300)).isEqualTo(100);
    }

    @Test
    void aRunReportsItsWarmUpAndEveryWindow() throws Exception {
        LoadResult result = RpcLoad.run("rpc-echo", i -> Long.toString(i), 2, 1_000, 300);
        String line = result.line();
        assertThat(line).contains("workload=rpc-echo", "warmup_ms=", "warmup_steady=", "warmup_1_ops_per_s=",
                "window_1_ops_per_s=", "ops_per_s=").doesNotContain("error=");
    }
}
