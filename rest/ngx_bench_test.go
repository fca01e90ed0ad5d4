package rest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/google/uuid"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/rest"
	"github.com/quirehq/quire/server/auth"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// BenchmarkTaskByID measures what an app polls after an upload,
// GET /api/tasks/?task_id=<uuid> at version 10, over loopback HTTP with
// Token auth, one client at a time, among BENCH_TASKS (default 50,000)
// finished tasks. Metrics: p50-ms and p95-ms.
func BenchmarkTaskByID(b *testing.B) {
	n := 50000
	if v, err := strconv.Atoi(os.Getenv("BENCH_TASKS")); err == nil && v > 0 {
		n = v
	}
	for _, dialect := range storetest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			ctx := context.Background()
			st := storetest.OpenConfig(b, dialect, store.Config{Location: time.UTC})
			u := &store.User{Username: "bench", Password: testParams.Hash("bench-pw"), IsActive: true}
			if err := st.CreateUser(ctx, u); err != nil {
				b.Fatal(err)
			}
			ids := make([]string, n)
			err := st.InTx(ctx, func(ctx context.Context) error {
				for i := range n {
					ids[i] = uuid.NewString()
					t := &store.ConsumptionTask{UUID: ids[i], Source: store.TaskSourceUpload, FilePath: "tasks/x.pdf",
						OriginalFilename: fmt.Sprintf("scan_%d.pdf", i), OwnerID: &u.ID}
					if err := st.CreateConsumptionTask(ctx, t); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			tok, err := st.TokenForUser(ctx, u.ID)
			if err != nil {
				b.Fatal(err)
			}
			au := auth.New(st, nil, nil, auth.Config{Params: testParams})
			api := rest.New(rest.Config{Resolver: resolvers.New(st, nil), Auth: restAuth{au}, Location: time.UTC, Version: "bench"})
			r := chi.NewRouter()
			r.Use(middleware.RequestID)
			r.Mount(rest.Prefix, api.APIHandler())
			srv := httptest.NewServer(r)
			defer srv.Close()
			client := &http.Client{}
			get := func(id string) {
				req, _ := http.NewRequest("GET", srv.URL+"/api/tasks/?task_id="+id, nil)
				req.Header.Set("Authorization", "Token "+tok.Key)
				req.Header.Set("Accept", "application/json; version=10")
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || len(body) < 100 {
					b.Fatalf("%d %s", resp.StatusCode, body)
				}
			}
			get(ids[0])
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				start := time.Now()
				get(ids[(i*7919)%n])
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			p50 := median(lat)
			b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}
