package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/quirehq/quire/server/auth"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// seedDatabase fills a fresh database of the dialect with the benchmark
// archive and returns its URL and the seed.
func seedDatabase(b *testing.B, dialect string) (string, storetest.SeedResult) {
	b.Helper()
	ctx := context.Background()
	url := storetest.DatabaseURL(b, dialect)
	st, err := store.Open(ctx, store.Config{URL: url})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	seed, err := storetest.Seed(ctx, st, storetest.BenchSeed())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := auth.EnsureSuperuser(ctx, st, "admin", "bench-password", ""); err != nil {
		b.Fatal(err)
	}
	if err := st.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	return url, seed
}

type countQueries struct{ n atomic.Int64 }

func (c *countQueries) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	c.n.Add(1)
	return ctx
}
func (c *countQueries) AfterQuery(context.Context, *bun.QueryEvent) {}

// BenchmarkGraphQLDocumentsTagsAll sends the core list query through the
// whole HTTP stack (Basic auth, GraphQL, loaders, store): the newest 25
// documents carrying two typical tags, with each one's tag names and
// correspondent name. It reports latency percentiles and SQL queries per
// request.
func BenchmarkGraphQLDocumentsTagsAll(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			url, seed := seedDatabase(b, dialect)
			cfg := Config{DataDir: b.TempDir(), DatabaseURL: url, TimeZone: time.UTC}
			logger := slog.New(slog.DiscardHandler)
			a, err := openApp(context.Background(), cfg, logger)
			if err != nil {
				b.Fatal(err)
			}
			st, res, au := a.st, a.res, a.auth
			defer st.Close()
			qc := &countQueries{}
			st.QueryHook(qc)
			srv := httptest.NewServer(routes(st, res, au, logger))
			defer srv.Close()

			query := fmt.Sprintf(`{ documents(filter: {tags: {all: [%d, %d]}}, orderBy: [{field: CREATED, direction: DESC}], pageSize: 25) {
				totalCount items { id title created tags { name } correspondent { name } } } }`, seed.TagIDs[10], seed.TagIDs[20])
			body, _ := json.Marshal(map[string]string{"query": query})
			post := func() {
				req, _ := http.NewRequest("POST", srv.URL+"/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.SetBasicAuth("admin", "bench-password")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				out, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || !bytes.Contains(out, []byte(`"totalCount"`)) || bytes.Contains(out, []byte(`"errors"`)) {
					b.Fatalf("status %d: %.300s", resp.StatusCode, out)
				}
			}
			post() // warm up: the first Basic login pays the password hash
			qc.n.Store(0)
			var lat storetest.Latencies
			n := 0
			for b.Loop() {
				lat.Time(post)
				n++
			}
			lat.Report(b)
			b.ReportMetric(float64(qc.n.Load())/float64(n), "sql-queries/op")
		})
	}
}

// BenchmarkStartupAndIdleRSS starts the real quire binary on the seeded
// SQLite archive, measures the time until /healthz answers and the
// resident memory once idle, then stops it with SIGTERM.
func BenchmarkStartupAndIdleRSS(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "quire")
	build := exec.Command("go", "build", "-o", bin, "./cmd/quire")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	dataDir := b.TempDir()
	url, _ := seedDatabase(b, "sqlite")
	path := strings.TrimPrefix(url, "sqlite:")
	// The data folder's default database is quire.db.
	if err := os.Rename(path, filepath.Join(dataDir, "quire.db")); err != nil {
		b.Fatal(err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Rename(path+suffix, filepath.Join(dataDir, "quire.db"+suffix))
	}

	var startup storetest.Latencies
	var rssIdle, rssWarm int64
	runs := 0
	for b.Loop() {
		port := freePort(b)
		cmd := exec.Command(bin, "--addr", "127.0.0.1:"+port, "--data-dir", dataDir)
		cmd.Env = append(os.Environ(), "QUIRE_LOG_LEVEL=warn")
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		base := "http://127.0.0.1:" + port
		for {
			resp, err := http.Get(base + "/healthz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			if time.Since(start) > 20*time.Second {
				cmd.Process.Kill()
				b.Fatal("quire did not become healthy")
			}
			time.Sleep(2 * time.Millisecond)
		}
		startup.Add(time.Since(start))
		b.StopTimer()
		time.Sleep(time.Second)
		rssIdle = max(rssIdle, vmRSS(b, cmd.Process.Pid))
		for range 200 {
			req, _ := http.NewRequest("POST", base+"/graphql", strings.NewReader(`{"query":"{ documents(pageSize: 25) { totalCount items { title tags { name } } } }"}`))
			req.Header.Set("Content-Type", "application/json")
			req.SetBasicAuth("admin", "bench-password")
			if resp, err := http.DefaultClient.Do(req); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
		rssWarm = max(rssWarm, vmRSS(b, cmd.Process.Pid))
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			b.Fatalf("quire exited with %v after SIGTERM", err)
		}
		runs++
		b.StartTimer()
	}
	b.ReportMetric(float64(startup.Percentile(0.5).Microseconds())/1000, "startup-p50-ms")
	b.ReportMetric(float64(rssIdle)/1024, "idle-rss-MB")
	b.ReportMetric(float64(rssWarm)/1024, "rss-after-200-requests-MB")
}

// vmRSS returns a process's resident set size in KiB.
func vmRSS(b *testing.B, pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
			return kb
		}
	}
	b.Fatal("no VmRSS")
	return 0
}

func freePort(b *testing.B) string {
	srv := httptest.NewServer(http.NotFoundHandler())
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	srv.Close()
	return port
}
