package io.tunctl.transport.socks.engine;

import java.util.Map;

/** A snapshot of an engine's counters: gauges ({@code nat_entries}) and totals ({@code drops{reason}}). */
public record EngineStats(long natEntries, long pendingDials, Map<String, Long> drops, Map<String, Long> packets) {}
