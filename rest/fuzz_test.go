package rest_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/rest"
	"github.com/quirehq/quire/server/auth"
	"github.com/quirehq/quire/server/consume"
	"github.com/quirehq/quire/server/consume/bridge"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/search/bleve"
	"github.com/quirehq/quire/store/storetest"
)

// fuzzAPI is the REST API over a seeded SQLite store, for fuzz targets
// (newEnv wants a *testing.T, which lives for one input only): admin's
// Basic credentials work on it.
func fuzzAPI(tb testing.TB) http.Handler {
	tb.Helper()
	st := storetest.OpenConfig(tb, "sqlite", store.Config{Now: func() time.Time { return fixedNow }, Location: time.UTC})
	ctx := context.Background()
	res := resolvers.New(st, nil)
	au := auth.New(st, nil, time.Now, auth.Config{Params: testParams})
	res.Credentials = au
	svc, err := consume.New(st, consume.Config{DataDir: tb.TempDir(), DisableWatcher: true, ClassifierInterval: -1, MaxUploadSize: 1 << 20}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	res.Consumer = bridge.Consumer{Svc: svc}
	eng, err := bleve.Open(tb.TempDir(), bleve.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { eng.Close() })
	res.Search = eng
	admin := &store.User{Username: "admin", Password: testParams.Hash(adminPassword), IsActive: true, IsSuperuser: true, DateJoined: fixedNow}
	if err := st.CreateUser(ctx, admin); err != nil {
		tb.Fatal(err)
	}
	name := "ACME"
	corr, err := st.CreateCorrespondent(ctx, store.CorrespondentInput{Name: &name})
	if err != nil {
		tb.Fatal(err)
	}
	for i, title := range []string{"Rechnung März", "bank statement", "contract 100%_done"} {
		d := &store.Document{Title: title, Content: "content of " + title, CorrespondentID: &corr.ID,
			Created: fixedNow.AddDate(0, -i, 0), Added: fixedNow, Modified: fixedNow,
			MimeType: "application/pdf", Checksum: fmt.Sprintf("%032d", i), OriginalFilename: title + ".pdf"}
		if err := st.CreateDocument(ctx, d, nil); err != nil {
			tb.Fatal(err)
		}
	}
	api := rest.New(rest.Config{Resolver: res, Auth: restAuth{au}, Location: time.UTC, Version: "0.1.0"})
	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Mount(rest.Prefix, api.APIHandler())
	return r
}

// fuzzLists are the list endpoints FuzzListFilters picks from.
var fuzzLists = []string{"/api/documents/", "/api/tags/", "/api/correspondents/", "/api/document_types/", "/api/saved_views/", "/api/logs/paperless/", "/api/search/", "/api/search/autocomplete/"}

// FuzzListFilters sends arbitrary query strings to the list endpoints
// over a real SQLite store: whatever the filters, ordering, paging or
// field parameters say, the answer is never a server error (a NUL in a
// lookup and a 100,000-character pattern were 500s).
func FuzzListFilters(f *testing.F) {
	for _, q := range []string{
		"title__icontains=bank", "title__icontains=a%00b", "title__icontains=" + strings.Repeat("a", 60000),
		"content__istartswith=%FF%FE", "title_content=100%25_", "search=bank,%20r%C3%A4", "correspondent__name__iexact=acme",
		"correspondent__id=1&document_type__isnull=true", "tags__id__all=1,2,x", "tags__id__in=,,3", "tags__id__none=1",
		"is_tagged=1&is_in_inbox=false", "archive_serial_number__gt=abc", "archive_serial_number__isnull=maybe",
		"created__date__gt=2020-01-01", "created__date__lt=13/45/2020", "created__gt=2020-01-01T00:00:00%2B99:99",
		"created__year=-1&created__month=13&created__day=0", "added__lt=9999-12-31T23:59:59Z", "modified__gt=0001-01-01 00:00",
		"ordering=-created,title,,-", "ordering=%00", "page=last&page_size=0", "page=-1&page_size=100001", "page=99999999999999999999",
		"fields=id,__main__,content", "fields=", "query=bank", "query=title:(", "more_like_id=1", "more_like_id=-5",
		"name__icontains=%25&name__iexact=_", "level=40&level__gt=x", "term=ba&limit=-3", "id__in=1,2", "%00=%00",
	} {
		f.Add(uint8(0), q)
	}
	f.Add(uint8(1), "name__istartswith=a&ordering=document_count")
	f.Add(uint8(5), "level__lte=20&created__date__gt=2020-01-01")
	f.Add(uint8(6), "query=bank&page=2")
	h := fuzzAPI(f)
	f.Fuzz(func(t *testing.T, which uint8, query string) {
		path := fuzzLists[int(which)%len(fuzzLists)]
		req := httptest.NewRequest("GET", "http://testserver"+path, nil)
		req.URL.RawQuery = query
		req.SetBasicAuth("admin", adminPassword)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("GET %s?%q: %d %s", path, query, rec.Code, rec.Body)
		}
	})
}

// FuzzPostDocument sends arbitrary multipart bodies to post_document:
// truncated parts, odd headers and names, repeated or missing fields are
// client errors (or an accepted upload), never a server error.
func FuzzPostDocument(f *testing.F) {
	form := func(boundary string, write func(mw *multipart.Writer)) []byte {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.SetBoundary(boundary)
		write(mw)
		mw.Close()
		return buf.Bytes()
	}
	file := func(mw *multipart.Writer, field, name string, data []byte) {
		w, _ := mw.CreateFormFile(field, name)
		w.Write(data)
	}
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	seeds := [][]byte{
		form("b", func(mw *multipart.Writer) { file(mw, "document", "a.pdf", pdf) }),
		form("b", func(mw *multipart.Writer) {
			file(mw, "document", "Invoice 2020.pdf", pdf)
			mw.WriteField("title", "t")
			mw.WriteField("correspondent", "1")
			mw.WriteField("document_type", "")
			mw.WriteField("tags", "1")
			mw.WriteField("tags", "x")
		}),
		form("b", func(mw *multipart.Writer) { file(mw, "document", "../../etc/passwd", []byte("text")) }),
		form("b", func(mw *multipart.Writer) { file(mw, "document", "empty.txt", nil) }),
		form("b", func(mw *multipart.Writer) { file(mw, "document", "a.zip", []byte("PK\x03\x04")) }),
		form("b", func(mw *multipart.Writer) { mw.WriteField("document", "not a file") }),
		form("b", func(mw *multipart.Writer) {
			file(mw, "document", "a.pdf", pdf)
			file(mw, "document", "b.pdf", pdf)
			mw.WriteField("title", "x\x00")
		}),
		[]byte("--b\r\nContent-Disposition: form-data; name=\"document\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4"),
		[]byte("--b\r\nContent-Disposition: form-data; name*=UTF-8''%FF; filename*=UTF-8''%00\r\n\r\nx\r\n--b--\r\n"),
		[]byte("--b--\r\n"),
		[]byte(""),
	}
	for _, s := range seeds {
		f.Add("b", s)
	}
	f.Add("", seeds[0])
	f.Add(strings.Repeat("x", 80), seeds[0])
	h := fuzzAPI(f)
	f.Fuzz(func(t *testing.T, boundary string, body []byte) {
		req := httptest.NewRequest("POST", "http://testserver/api/documents/post_document/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+url.PathEscape(boundary))
		if boundary == "" || strings.ContainsAny(boundary, "\"\\") {
			req.Header.Set("Content-Type", `multipart/form-data; boundary="`+boundary+`"`)
		}
		req.SetBasicAuth("admin", adminPassword)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("post_document %q %q: %d %s", boundary, body, rec.Code, rec.Body)
		}
	})
}
