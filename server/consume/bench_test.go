package consume

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/server/consume/fixture"
	"github.com/quirehq/quire/store"
)

type toolTimer interface{ ToolTime() time.Duration }

// consumeN submits n born-digital one-page PDFs and waits for all of them;
// it returns the wall time and the time spent in external tools.
func consumeN(tb testing.TB, e *env, n int, tag string) (wall, tools time.Duration) {
	tb.Helper()
	docs := make([][]byte, n)
	for i := range docs {
		docs[i] = fixture.PDF(12, fmt.Sprintf("Benchmark document %s %d", tag, i), "Invoice from ACME dated 12.03.2021 for services rendered.", "Total: 100 EUR")
	}
	tt := e.svc.tools.(toolTimer)
	t0, start := tt.ToolTime(), time.Now()
	ids := make([]string, n)
	for i, d := range docs {
		task, err := e.svc.Submit(context.Background(), Upload{Filename: fmt.Sprintf("bench-%d.pdf", i), Body: bytes.NewReader(d)})
		if err != nil {
			tb.Fatal(err)
		}
		ids[i] = task.UUID
	}
	for _, id := range ids {
		if task := e.wait(tb, id); task.State != store.TaskSuccess {
			tb.Fatalf("task failed: %s", deref(task.Message))
		}
	}
	return time.Since(start), tt.ToolTime() - t0
}

// BenchmarkConsume measures end-to-end throughput of born-digital
// one-page PDFs in OCR mode skip_noarchive with two workers (upload,
// parse, thumbnail, match, store), on SQLite.
func BenchmarkConsume(b *testing.B) {
	requireOCR(b)
	e := newEnv(b, "sqlite", func(c *Config) { c.Workers = 2; c.DisableWatcher = true })
	e.run(b)
	b.ResetTimer()
	wall, tools := consumeN(b, e, b.N, "t")
	b.ReportMetric(float64(b.N)/wall.Seconds(), "docs/s")
	b.ReportMetric(100*(1-tools.Seconds()/(2*wall.Seconds())), "%overhead-approx")
}

// BenchmarkOverhead measures, per OCR mode and with one worker, how much
// of the wall time is spent outside the external tools (Quire's own
// overhead: sniffing, hashing, database, file placement).
func BenchmarkOverhead(b *testing.B) {
	requireOCR(b)
	for _, mode := range []string{"skip_noarchive", "skip", "redo", "force"} {
		b.Run(mode, func(b *testing.B) {
			e := newEnv(b, "sqlite", func(c *Config) { c.Parse.OCRMode = mode; c.DisableWatcher = true })
			e.run(b)
			b.ResetTimer()
			wall, tools := consumeN(b, e, b.N, mode)
			b.ReportMetric(float64(b.N)/wall.Seconds(), "docs/s")
			b.ReportMetric(100*(wall-tools).Seconds()/wall.Seconds(), "%overhead")
		})
	}
}

// TestRSSChild is not a test: with QUIRE_RSS_CHILD=<n> it consumes n
// documents and prints its peak resident set size (VmHWM; the external
// tools are other processes and not counted).
func TestRSSChild(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("QUIRE_RSS_CHILD"))
	if n == 0 {
		t.Skip("helper process for BenchmarkPeakRSS")
	}
	e := newEnv(t, "sqlite", func(c *Config) { c.Workers = 2; c.DisableWatcher = true })
	e.run(t)
	consumeN(t, e, n, "rss")
	status, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			fmt.Println("PEAK", strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:")))
		}
	}
}

// BenchmarkPeakRSS runs a consumer process over 500 documents and reports
// its peak RSS in MB.
func BenchmarkPeakRSS(b *testing.B) {
	requireOCR(b)
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRSSChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "QUIRE_RSS_CHILD=500")
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("%v: %s", err, out)
		}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "PEAK" {
				kb, _ := strconv.Atoi(f[1])
				b.ReportMetric(float64(kb)/1024, "MB-peak-RSS")
			}
		}
	}
}
