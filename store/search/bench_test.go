package search_test

// Benchmarks of both engines on one synthetic corpus, in the same run:
//
//	go test ./store/search -run '^$' -bench . -benchtime 200x -timeout 60m
//
// BENCH_DOCUMENTS sets the corpus size (default 100000). Typesense is
// measured when TEST_TYPESENSE_URL (and TEST_TYPESENSE_API_KEY) are set.
// Each engine reports: index docs/s, search p50/p95 for one- and two-word
// queries with highlights (first page of 10), the one-word queries as a
// superuser and as a user who sees 60 % of the corpus in turn (their p50
// ratio: what permissions cost a search), autocomplete p50 (unrestricted
// and for that user), and a full rebuild's duration and peak RSS (in a
// child process of its own).

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quirehq/quire/store/search"
	"github.com/quirehq/quire/store/search/bleve"
	"github.com/quirehq/quire/store/search/typesense"
	"github.com/quirehq/quire/store/storetest"
)

var english = strings.Fields(`invoice payment account bank statement balance total amount due date customer
number order delivery address service contract insurance policy tax return refund receipt period month year
interest rate credit debit transfer reference please thank you sincerely regards office company limited street
phone email website page dear sir madam following items quantity price discount shipping handling subtotal vat
charge fee annual monthly quarterly report summary notice reminder overdue final agreement terms conditions
signature employee salary pension health medical doctor hospital prescription pharmacy electricity water gas
energy meter reading consumption rent landlord tenant property mortgage loan repayment installment schedule
vehicle registration license renewal membership subscription newsletter donation certificate school university
course exam grade application approval request confirmation cancellation booking flight hotel travel expense
claim damage repair warranty product serial model manual instructions support ticket issue resolved pending`)

var german = strings.Fields(`rechnung zahlung konto bank kontoauszug saldo betrag fällig datum kunde nummer
bestellung lieferung adresse dienstleistung vertrag versicherung police steuer erstattung quittung zeitraum
monat jahr zinsen überweisung verwendungszweck bitte danke freundlichen grüßen firma straße telefon seite
sehr geehrte damen herren folgende positionen menge preis rabatt versand mehrwertsteuer gebühr jährlich
monatlich bericht zusammenfassung mahnung frist vereinbarung bedingungen unterschrift mitarbeiter gehalt rente
gesundheit arzt krankenhaus rezept apotheke strom wasser energie zähler stand verbrauch miete vermieter mieter
grundstück darlehen tilgung rate fahrzeug zulassung führerschein mitgliedschaft abonnement spende bescheinigung
schule universität prüfung antrag genehmigung bestätigung kündigung buchung reise kosten schaden reparatur
garantie produkt anleitung finanzamt krankenkasse lohnsteuer einkommensteuer bescheid widerspruch nachzahlung`)

// vocabulary: base words plus derived forms, numbers and OCR noise, Zipf-ranked.
var benchVocab = func() []string {
	r := rand.New(rand.NewPCG(1, 2))
	var v []string
	v = append(v, english...)
	v = append(v, german...)
	suffixes := []string{"s", "en", "ung", "er", "ed", "ing", "nummer", "betrag", "datum", "konto"}
	for _, w := range append(append([]string{}, english...), german...) {
		for _, s := range suffixes[:1+r.IntN(len(suffixes))] {
			v = append(v, w+s)
		}
	}
	const letters = "abcdefghijklmnopqrstuvwxyzäöü"
	lr := []rune(letters)
	for range 30000 { // rare words, OCR garble, names
		n := 4 + r.IntN(8)
		var b strings.Builder
		for range n {
			b.WriteRune(lr[r.IntN(len(lr))])
		}
		v = append(v, b.String())
	}
	return v
}()

// benchDoc generates document id deterministically (~2 KB of OCR-like text).
func benchDoc(id int) search.Document {
	r := rand.New(rand.NewPCG(uint64(id), 99))
	z := rand.NewZipf(r, 1.07, 2, uint64(len(benchVocab)-1))
	var b strings.Builder
	b.Grow(2200)
	for b.Len() < 2000 {
		switch x := r.IntN(20); {
		case x == 0:
			fmt.Fprintf(&b, "%d.%02d EUR ", r.IntN(5000), r.IntN(100))
		case x == 1:
			fmt.Fprintf(&b, "%02d.%02d.%d ", 1+r.IntN(28), 1+r.IntN(12), 2015+r.IntN(8))
		case x == 2:
			b.WriteString("\n")
		default:
			w := benchVocab[z.Uint64()]
			if r.IntN(8) == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			b.WriteString(w)
			b.WriteByte(' ')
		}
	}
	t := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(8*365*24)) * time.Hour)
	d := search.Document{ID: id, Title: benchVocab[z.Uint64()] + " " + benchVocab[z.Uint64()] + " " + strconv.Itoa(id),
		Content: b.String(), Created: t, Added: t.Add(48 * time.Hour), Modified: t.Add(72 * time.Hour)}
	if c := r.IntN(60); c > 0 {
		d.CorrespondentID, d.Correspondent = &c, "Correspondent "+benchVocab[c]
	}
	if c := r.IntN(15); c > 0 {
		d.DocumentTypeID, d.DocumentType = &c, "Type "+benchVocab[c*3]
	}
	for range r.IntN(4) {
		tg := 1 + r.IntN(40)
		d.TagIDs, d.Tags = append(d.TagIDs, tg), append(d.Tags, "tag"+strconv.Itoa(tg))
	}
	// access: 30 % owned by user 2 (benchUser), with a view grant to
	// group 3 and a change grant to user 5; 40 % owned by user 3; the
	// rest without an owner. A note on one in twenty, a custom field
	// value on one in ten.
	switch x := id % 10; {
	case x < 3:
		d.ACL = []string{"u2", "g3", "u5"}
	case x < 7:
		d.ACL = []string{"u3"}
	default:
		d.ACL = []string{"public"}
	}
	if id%20 == 0 {
		d.Notes = []string{"checked " + benchVocab[z.Uint64()] + " " + benchVocab[z.Uint64()]}
	}
	if id%10 == 1 {
		d.CustomFields, d.CustomFieldIDs = []string{"Reference: " + strconv.Itoa(id*7)}, []int{1 + id%3}
	}
	return d
}

// benchUser is the access tokens of the user the restricted benchmarks
// search as: user 2, in group 4, who sees 60 % of the corpus (its own
// 30 % and the public 30 %).
var benchUser = []string{"public", "u2", "g4"}

func benchN() int {
	if s := os.Getenv("BENCH_DOCUMENTS"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return n
		}
	}
	return 100000
}

type benchEngine struct {
	name string
	open func(b *testing.B) search.Engine
}

func benchEngines(b *testing.B) []benchEngine {
	out := []benchEngine{{"bleve", func(b *testing.B) search.Engine {
		dir, err := os.MkdirTemp("", "quire-bench-bleve")
		if err != nil {
			b.Fatal(err)
		}
		e, err := bleve.Open(dir, bleve.Options{})
		if err != nil {
			b.Fatal(err)
		}
		cleanups = append(cleanups, func() { e.Close(); os.RemoveAll(dir) })
		return e
	}}}
	if url := os.Getenv("TEST_TYPESENSE_URL"); url != "" {
		out = append(out, benchEngine{"typesense", func(b *testing.B) search.Engine {
			dir, _ := os.MkdirTemp("", "quire-bench-ts")
			e, err := typesense.Open(context.Background(), typesense.Config{URL: url, APIKey: os.Getenv("TEST_TYPESENSE_API_KEY"),
				StatsDir: dir, Alias: fmt.Sprintf("quirebench_%d", time.Now().UnixNano()), Contents: benchContents})
			if err != nil {
				b.Fatal(err)
			}
			cleanups = append(cleanups, func() { e.DropAll(context.Background()); e.Close(); os.RemoveAll(dir) })
			return e
		}})
	} else {
		b.Log("TEST_TYPESENSE_URL not set: benchmarking bleve only")
	}
	return out
}

var cleanups []func()

func TestMain(m *testing.M) {
	code := m.Run()
	for _, c := range cleanups {
		c()
	}
	os.Exit(code)
}

// benchContents stands in for Quire's database as Typesense's source of
// document contents for highlights: it generates them again.
func benchContents(_ context.Context, ids []int) (map[int]string, error) {
	out := make(map[int]string, len(ids))
	for _, id := range ids {
		out[id] = benchDoc(id).Content
	}
	return out, nil
}

// feed indexes documents 1..n through index in batches of the size
// Quire's indexer writes (search.WriteBatch).
func feed(ctx context.Context, n int, index func(context.Context, ...search.Document) error) error {
	const batch = search.WriteBatch
	for start := 1; start <= n; start += batch {
		docs := make([]search.Document, 0, batch)
		for id := start; id < start+batch && id <= n; id++ {
			docs = append(docs, benchDoc(id))
		}
		if err := index(ctx, docs...); err != nil {
			return err
		}
	}
	return nil
}

// settle waits, for the embedded engine, until bleve has merged what the
// indexing left (its file segments unchanged for 10 s, at most 3 minutes),
// so searches are measured on the index users search rather than beside
// a merge that takes the other core; it logs the segments left.
func settle(b *testing.B, e search.Engine) {
	st, ok := e.(interface{ Stats() map[string]any })
	if !ok {
		return
	}
	segs := func() any { return st.Stats()["num_root_filesegments"] }
	last, since, start := segs(), time.Now(), time.Now()
	for time.Since(since) < 10*time.Second && time.Since(start) < 3*time.Minute {
		time.Sleep(time.Second)
		if s := segs(); s != last {
			last, since = s, time.Now()
		}
	}
	b.Logf("index settled after %s: %v file segments", time.Since(start).Round(time.Second), last)
}

func percentile(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration{}, d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return float64(s[int(p*float64(len(s)-1))].Microseconds()) / 1000
}

// rebuildInChild runs a full rebuild of the corpus into a fresh engine in
// a child process (this test binary again), as `quire reindex` runs in a
// process of its own, and returns the child's report: its duration
// ("seconds"), its own peak RSS (VmHWM, "hwm_mb": the rebuilding process
// alone, without this benchmark's live index) and the peaks of its
// anonymous and file-backed parts ("anon_mb", "file_mb").
func rebuildInChild(b *testing.B, engine string) (rep map[string]float64) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestRebuildChild$", "-test.v")
	cmd.Env = append(os.Environ(), "QUIRE_SEARCH_BENCH_CHILD="+engine)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("rebuild child: %v\n%s", err, out)
	}
	rep = storetest.ChildReport(out)
	if rep["seconds"] == 0 || rep["hwm_mb"] == 0 {
		b.Fatalf("rebuild child reported nothing:\n%s", out)
	}
	return rep
}

// TestRebuildChild is rebuildInChild's child; it does nothing in an
// ordinary test run.
func TestRebuildChild(t *testing.T) {
	name := os.Getenv("QUIRE_SEARCH_BENCH_CHILD")
	if name == "" {
		t.Skip("benchmark child only")
	}
	var e search.Engine
	ctx := context.Background()
	switch name {
	case "bleve":
		dir := t.TempDir()
		var err error
		if e, err = bleve.Open(dir, bleve.Options{}); err != nil {
			t.Fatal(err)
		}
	case "typesense":
		var err error
		e, err = typesense.Open(ctx, typesense.Config{URL: os.Getenv("TEST_TYPESENSE_URL"), APIKey: os.Getenv("TEST_TYPESENSE_API_KEY"),
			StatsDir: t.TempDir(), Alias: fmt.Sprintf("quirebenchrb_%d", time.Now().UnixNano()), Contents: benchContents})
		if err != nil {
			t.Fatal(err)
		}
		defer e.(*typesense.Engine).DropAll(ctx)
	}
	defer e.Close()
	rss := storetest.SampleRSS()
	start := time.Now()
	rb, err := e.BeginRebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := feed(ctx, benchN(), rb.Index); err != nil {
		t.Fatal(err)
	}
	if err := rb.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	secs := time.Since(start).Seconds()
	anon, file := rss.Stop()
	fmt.Printf("CHILD seconds=%f hwm_mb=%f anon_mb=%f file_mb=%f\n", secs, storetest.PeakRSSMB(), anon, file)
}

// BenchmarkEngines indexes the corpus into each engine, then measures
// searches, autocomplete and a full rebuild.
func BenchmarkEngines(b *testing.B) {
	n := benchN()
	ctx := context.Background()
	one := []string{"rechnung", "invoice", "betrag", "payment", "versicherung", "statement", "kunde", "account",
		"steuer", "delivery", "miete", "insurance", "zahlung", "contract", "konto", "balance"}
	var two []string
	for i := range one {
		two = append(two, one[i]+" "+one[(i+5)%len(one)])
	}
	prefixes := []string{"re", "ban", "ver", "kon", "pay", "st", "zah", "ins", "mi", "acc", "be", "ku"}
	for _, be := range benchEngines(b) {
		e := be.open(b)
		b.Run(be.name+"/index", func(b *testing.B) {
			start, cpu := time.Now(), storetest.CPUTime()
			if err := feed(ctx, n, e.Index); err != nil {
				b.Fatal(err)
			}
			if err := e.Flush(ctx); err != nil { // on disk, as the indexer waits for
				b.Fatal(err)
			}
			el := time.Since(start)
			b.ReportMetric(float64(n)/el.Seconds(), "docs/s")
			// Quire's own processor time (not the Typesense server's).
			b.ReportMetric(float64((storetest.CPUTime()-cpu).Microseconds())/1000/float64(n), "cpu-ms/doc")
			b.ReportMetric(0, "ns/op")
		})
		settle(b, e)
		searchBench := func(name string, qs []string) {
			b.Run(be.name+"/"+name, func(b *testing.B) {
				var lat []time.Duration
				hits := 0
				for i := 0; b.Loop(); i++ {
					q := search.MustParse(qs[i%len(qs)])
					t := time.Now()
					r, err := e.Search(ctx, search.Request{Query: q, Highlight: true})
					lat = append(lat, time.Since(t))
					if err != nil {
						b.Fatal(err)
					}
					hits += r.Total
				}
				b.ReportMetric(percentile(lat, 0.5), "p50_ms")
				b.ReportMetric(percentile(lat, 0.95), "p95_ms")
				b.ReportMetric(float64(hits)/float64(len(lat)), "hits/query")
			})
		}
		searchBench("search1", one)
		// The one-word searches again, each as a superuser and as
		// benchUser in turn (alternating which goes first), so that both
		// see the same phases of a noisy host: the restricted search's
		// cost is the ratio of the two p50s.
		b.Run(be.name+"/search1-restricted", func(b *testing.B) {
			var all, user []time.Duration
			hits, userHits := 0, 0
			for i := 0; b.Loop(); i++ {
				q := search.MustParse(one[i%len(one)])
				for k := range 2 {
					req := search.Request{Query: q, Highlight: true}
					restricted := (i+k)%2 == 1
					if restricted {
						req.Filter.ACL = benchUser
					}
					t := time.Now()
					r, err := e.Search(ctx, req)
					d := time.Since(t)
					if err != nil {
						b.Fatal(err)
					}
					if restricted {
						user, userHits = append(user, d), userHits+r.Total
					} else {
						all, hits = append(all, d), hits+r.Total
					}
				}
			}
			b.ReportMetric(percentile(all, 0.5), "p50_ms")
			b.ReportMetric(percentile(user, 0.5), "user_p50_ms")
			b.ReportMetric(percentile(user, 0.5)/percentile(all, 0.5), "user/all")
			b.ReportMetric(percentile(all, 0.95), "p95_ms")
			b.ReportMetric(percentile(user, 0.95), "user_p95_ms")
			b.ReportMetric(float64(hits)/float64(len(all)), "hits/query")
			b.ReportMetric(float64(userHits)/float64(len(user)), "user_hits/query")
		})
		searchBench("search2", two)
		// a word without another: at the top level, and nested in an OR
		// (for Typesense, the only form that lists the documents holding
		// the excluded word)
		var not, nested []string
		for i := range one {
			not = append(not, one[i]+" -"+one[(i+5)%len(one)])
			nested = append(nested, one[i]+" ("+one[(i+3)%len(one)]+" OR -"+one[(i+5)%len(one)]+")")
		}
		searchBench("search-not", not)
		searchBench("search-not-nested", nested)
		// Four searchers at once, the one- and two-word queries mixed:
		// throughput when searches compete for the cores.
		b.Run(be.name+"/search-concurrent", func(b *testing.B) {
			mixed := append(append([]string{}, one...), two...)
			const workers = 4
			var next atomic.Int64
			var wg sync.WaitGroup
			start := time.Now()
			for range workers {
				wg.Go(func() {
					for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
						q := search.MustParse(mixed[int(i)%len(mixed)])
						if _, err := e.Search(ctx, search.Request{Query: q, Highlight: true}); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "searches/s")
		})
		for _, ac := range []struct {
			name string
			acl  []string
		}{{"autocomplete", nil}, {"autocomplete-restricted", benchUser}} {
			b.Run(be.name+"/"+ac.name, func(b *testing.B) {
				var lat []time.Duration
				for i := 0; b.Loop(); i++ {
					t := time.Now()
					if _, err := e.Autocomplete(ctx, prefixes[i%len(prefixes)], 10, ac.acl); err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(t))
				}
				b.ReportMetric(percentile(lat, 0.5), "p50_ms")
				b.ReportMetric(percentile(lat, 0.95), "p95_ms")
			})
		}
		b.Run(be.name+"/rebuild", func(b *testing.B) {
			rep := rebuildInChild(b, be.name)
			b.ReportMetric(rep["seconds"], "s")
			b.ReportMetric(rep["hwm_mb"], "peakRSS_MB")
			// of which, at their own peaks: heap and stacks, mapped files
			b.ReportMetric(rep["anon_mb"], "peakAnon_MB")
			b.ReportMetric(rep["file_mb"], "peakFile_MB")
			b.ReportMetric(0, "ns/op")
		})
	}
}
