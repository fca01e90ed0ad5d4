package storetest

import (
	"os"
	"slices"
	"strconv"
	"testing"
	"time"
)

// BenchDocuments is the archive size benchmarks seed: 100,000, or
// BENCH_DOCUMENTS for a quick run.
func BenchDocuments() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_DOCUMENTS")); err == nil && n > 0 {
		return n
	}
	return 100000
}

// BenchSeed is the seed configuration of the benchmarks (the core issue's:
// 50 tags, 500 correspondents, 20 types, ~2 KB of text per document).
func BenchSeed() SeedConfig {
	return SeedConfig{Documents: BenchDocuments(), Tags: 50, Correspondents: 500, Types: 20}
}

// Latencies records the duration of each operation of a benchmark and
// reports percentiles: b.N operations' mean (ns/op) hides the distribution
// the targets are stated in.
type Latencies struct{ d []time.Duration }

// Time runs fn and records how long it took.
func (l *Latencies) Time(fn func()) {
	start := time.Now()
	fn()
	l.d = append(l.d, time.Since(start))
}

// Add records one duration.
func (l *Latencies) Add(d time.Duration) { l.d = append(l.d, d) }

// Percentile returns the p-quantile (0 < p ≤ 1) of the recorded durations.
func (l *Latencies) Percentile(p float64) time.Duration {
	if len(l.d) == 0 {
		return 0
	}
	s := slices.Clone(l.d)
	slices.Sort(s)
	i := int(float64(len(s))*p+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

// Report adds p50-ms and p95-ms metrics to b.
func (l *Latencies) Report(b *testing.B) {
	b.ReportMetric(float64(l.Percentile(0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(l.Percentile(0.95).Microseconds())/1000, "p95-ms")
}
