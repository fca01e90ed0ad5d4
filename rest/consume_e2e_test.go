package rest_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/quirehq/quire/resolvers"
	"github.com/quirehq/quire/rest"
	"github.com/quirehq/quire/server/auth"
	"github.com/quirehq/quire/server/consume"
	"github.com/quirehq/quire/server/consume/bridge"
	docfixture "github.com/quirehq/quire/server/consume/fixture"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// live is a whole Quire HTTP stack over a running consumer, as
// server/routes.go wires it, with the real clock.
type live struct {
	t       *testing.T
	url     string
	st      *store.Store
	media   string
	session string
}

func newLive(t *testing.T, dialect string) *live {
	t.Helper()
	st := storetest.Open(t, dialect)
	au := auth.New(st, nil, time.Now, auth.Config{Params: testParams})
	res := resolvers.New(st, nil)
	res.Memo = resolvers.NewMemo(8 << 20) // as served: list pages reused until the archive changes
	res.Credentials = au
	dir := t.TempDir()
	svc, err := consume.New(st, consume.Config{DataDir: dir, DisableWatcher: true, ClassifierInterval: -1,
		Poll: 50 * time.Millisecond, FilenameFormat: "{correspondent}/{title}", Location: st.Location()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Consumer = bridge.Consumer{Svc: svc}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	api := rest.New(rest.Config{Resolver: res, Auth: restAuth{au}, Location: st.Location(), Version: "0.1.0"})
	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Group(func(r chi.Router) {
		r.Use(auth.Require(au))
		r.Use(resolvers.LoaderMiddleware(st))
		r.Handle("/graphql", res.Handler())
	})
	r.Mount(rest.Prefix, api.APIHandler())
	api.MountRoot(r)
	srv := httptest.NewServer(r)
	t.Cleanup(func() {
		srv.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("consumer: %v", err)
		}
	})
	admin := &store.User{Username: "admin", Password: testParams.Hash(adminPassword), IsActive: true, IsSuperuser: true, DateJoined: time.Now()}
	if err := st.CreateUser(context.Background(), admin); err != nil {
		t.Fatal(err)
	}
	session, err := au.NewSession(context.Background(), admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &live{t: t, url: srv.URL, st: st, media: filepath.Join(dir, "media"), session: session}
}

// do sends a request as admin (Basic).
func (l *live) do(method, path string, body io.Reader, header ...string) (*http.Response, []byte) {
	l.t.Helper()
	req, err := http.NewRequest(method, l.url+path, body)
	if err != nil {
		l.t.Fatal(err)
	}
	req.SetBasicAuth("admin", adminPassword)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func (l *live) wantOK(method, path string, body io.Reader, status int, header ...string) (*http.Response, []byte) {
	l.t.Helper()
	resp, b := l.do(method, path, body, header...)
	if resp.StatusCode != status {
		l.t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, status, b)
	}
	return resp, b
}

func (l *live) jsonBody(v any) io.Reader {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b)
}

// gql runs a GraphQL operation and decodes data into out.
func (l *live) gql(query string, vars map[string]any, out any) {
	l.t.Helper()
	_, b := l.wantOK("POST", "/graphql", l.jsonBody(map[string]any{"query": query, "variables": vars}), 200, "Content-Type", "application/json")
	var resp struct {
		Data   json.RawMessage
		Errors []any
	}
	if err := json.Unmarshal(b, &resp); err != nil || len(resp.Errors) > 0 {
		l.t.Fatalf("graphql %s: %v %s", query, err, b)
	}
	if out != nil {
		if err := json.Unmarshal(resp.Data, out); err != nil {
			l.t.Fatal(err)
		}
	}
}

// gid reads a GraphQL ID (a string) as an int.
type gid int

func (g *gid) UnmarshalJSON(b []byte) error {
	n, err := strconv.Atoi(strings.Trim(string(b), `"`))
	*g = gid(n)
	return err
}

type taskOut struct {
	ID         string
	State      string
	DocumentID *gid
	Filename   string
	Message    *string
}

// waitTask polls consumptionTasks until the task named filename ended.
func (l *live) waitTask(filename string) taskOut {
	l.t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		var out struct{ ConsumptionTasks []taskOut }
		l.gql(`query($s: [ConsumptionTaskState!]) { consumptionTasks(states: $s, limit: 50) { id state documentId filename message } }`,
			map[string]any{"s": []string{"SUCCESS", "FAILED"}}, &out)
		for _, t := range out.ConsumptionTasks {
			if t.Filename == filename {
				if t.State != "SUCCESS" || t.DocumentID == nil {
					l.t.Fatalf("task %s: %s %v", filename, t.State, t.Message)
				}
				return t
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	l.t.Fatalf("task %s did not finish", filename)
	return taskOut{}
}

func (l *live) uploadREST(parts ...part) {
	l.t.Helper()
	body, ct := multipartBody(l.t, parts...)
	_, b := l.wantOK("POST", "/api/documents/post_document/", body, 200, "Content-Type", ct)
	if string(b) != `"OK"` {
		l.t.Fatalf("post_document: %s", b)
	}
}

func zipNames(t *testing.T, b []byte) map[string]*zip.File {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("zip: %v", err)
	}
	out := map[string]*zip.File{}
	for _, f := range zr.File {
		out[f.Name] = f
	}
	return out
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestConsumptionEndToEnd uploads generated documents through REST and
// GraphQL to a running consumer and reads everything back over HTTP:
// progress on /ws/status/, tasks, files (archive and original, Range,
// names), metadata, suggestions, bulk downloads, renaming on change and
// missing files (API §8, §10, §13.4, §13.5, §13.8, §13.12, §13.14; §15.1
// items 5, 6; §15.2 items 3, 12, 13, 22).
func TestConsumptionEndToEnd(t *testing.T) {
	docfixture.RequireTools(t, "pdftotext", "pdftoppm", "pdfinfo", "tesseract", "ocrmypdf")
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) { consumptionEndToEnd(t, newLive(t, dialect)) })
	}
}

func consumptionEndToEnd(t *testing.T, l *live) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// Matching objects: ACME matches its name; an inbox tag.
	var objs struct {
		CreateCorrespondent struct{ ID gid }
		CreateTag           struct{ ID gid }
	}
	l.gql(`mutation { createCorrespondent(input: {name: "ACME", match: "acme", matchingAlgorithm: ANY}) { id }
		createTag(input: {name: "Inbox", isInboxTag: true}) { id } }`, nil, &objs)
	acme, inbox := int(objs.CreateCorrespondent.ID), int(objs.CreateTag.ID)

	// /ws/status/ refuses anonymous clients and streams to a session.
	if _, resp, err := websocket.Dial(ctx, l.url+"/ws/status/", nil); err == nil || resp == nil || resp.StatusCode != 403 {
		t.Fatalf("anonymous /ws/status/ must be refused with 403: %v %v", resp, err)
	}
	// A browser names its page's origin; a session handshake without one is refused.
	ws, _, err := websocket.Dial(ctx, l.url+"/ws/status/", &websocket.DialOptions{HTTPHeader: http.Header{"Cookie": {"sessionid=" + l.session}, "Origin": {l.url}}})
	if err != nil {
		t.Fatalf("ws dial: %v", err)
	}
	defer ws.CloseNow()

	original := docfixture.PDF(12, "Invoice from ACME dated 12.03.2021", "Total: 100 EUR")
	l.uploadREST(part{name: "document", filename: "acme.pdf", data: original}, field("title", "Rechnung März"))

	// Frames for this file, from STARTING to SUCCESS.
	var statuses []string
	var docID int
	for docID == 0 {
		_, msg, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("ws read: %v (got %v)", err, statuses)
		}
		var f map[string]any
		if err := json.Unmarshal(msg, &f); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"filename", "task_id", "current_progress", "max_progress", "status", "message", "document_id"} {
			if _, ok := f[k]; !ok {
				t.Fatalf("frame without %s: %s", k, msg)
			}
		}
		if f["filename"] != "acme.pdf" {
			continue
		}
		statuses = append(statuses, f["status"].(string))
		if f["status"] == "FAILED" {
			t.Fatalf("consumption failed: %s", msg)
		}
		if f["status"] == "SUCCESS" {
			docID = int(f["document_id"].(float64))
		}
	}
	if statuses[0] != "STARTING" || len(statuses) < 3 {
		t.Errorf("frames %v", statuses)
	}
	task := l.waitTask("acme.pdf")
	if int(*task.DocumentID) != docID {
		t.Fatalf("task document %d, frame document %d", *task.DocumentID, docID)
	}
	// The uploader owns the document (NGX.md §6.7).
	if doc, err := l.st.Document(ctx, docID); err != nil || doc.OwnerID == nil {
		t.Fatalf("uploaded document %+v %v: no owner", doc, err)
	} else if u, err := l.st.User(ctx, *doc.OwnerID); err != nil || u.Username != "admin" {
		t.Fatalf("uploaded document owned by %+v %v, want the uploader", u, err)
	}

	// Download: the archive version, named by the 1.x public name.
	var d struct {
		Document struct {
			Created, DownloadURL, PreviewURL, ThumbnailURL, DownloadFileName string
			ArchivedFileName                                                 *string
			Correspondent                                                    struct{ ID gid }
		}
	}
	l.gql(`query($id: ID!) { document(id: $id) { created downloadUrl previewUrl thumbnailUrl downloadFileName archivedFileName correspondent { id } } }`,
		map[string]any{"id": docID}, &d)
	date := d.Document.DownloadFileName[:10] // created, in the server's zone: the date in the content
	if date != "2021-03-12" {
		t.Errorf("created %s from the content's date, download name %q", d.Document.Created, d.Document.DownloadFileName)
	}
	wantName := date + " ACME Rechnung März"
	if int(d.Document.Correspondent.ID) != acme || d.Document.DownloadFileName != wantName+".pdf" || d.Document.ArchivedFileName == nil || *d.Document.ArchivedFileName != wantName+".pdf" {
		t.Errorf("document fields %+v", d.Document)
	}
	if d.Document.DownloadURL != fmt.Sprintf("/api/documents/%d/download/", docID) || d.Document.ThumbnailURL != fmt.Sprintf("/api/documents/%d/thumb/", docID) {
		t.Errorf("urls %+v", d.Document)
	}
	resp, archive := l.wantOK("GET", d.Document.DownloadURL, nil, 200)
	wantDisp := `attachment; filename="` + date + ` ACME Rechnung Marz.pdf"; filename*=UTF-8''` + date + `%20ACME%20Rechnung%20M%C3%A4rz.pdf`
	if resp.Header.Get("Content-Type") != "application/pdf" || resp.Header.Get("Content-Disposition") != wantDisp {
		t.Errorf("download headers %v", resp.Header)
	}
	if !bytes.HasPrefix(archive, []byte("%PDF")) || bytes.Equal(archive, original) {
		t.Errorf("download must serve the archive version (%d bytes)", len(archive))
	}
	_, orig := l.wantOK("GET", d.Document.DownloadURL+"?original=true", nil, 200)
	if !bytes.Equal(orig, original) {
		t.Errorf("?original=true must serve the original")
	}
	resp, _ = l.wantOK("GET", d.Document.PreviewURL, nil, 200)
	if !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "inline; filename=") {
		t.Errorf("preview disposition %q", resp.Header.Get("Content-Disposition"))
	}
	resp, rng := l.wantOK("GET", d.Document.DownloadURL+"?original=true", nil, 206, "Range", "bytes=1-3")
	if string(rng) != "PDF" || resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 1-3/%d", len(original)) {
		t.Errorf("range: %q %v", rng, resp.Header)
	}
	resp, thumb := l.wantOK("GET", d.Document.ThumbnailURL, nil, 200)
	if resp.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(thumb, []byte("\x89PNG")) || resp.Header.Get("Cache-Control") != "private, max-age=315360000" {
		t.Errorf("thumb %v", resp.Header)
	}

	// Metadata: both key sets; sizes and checksums of the stored files.
	var md map[string]any
	_, b := l.wantOK("GET", fmt.Sprintf("/api/documents/%d/metadata/", docID), nil, 200)
	json.Unmarshal(b, &md)
	sum := md5.Sum(original)
	if md["paperless__checksum"] != hex.EncodeToString(sum[:]) || md["original_checksum"] != md["paperless__checksum"] ||
		md["original_size"] != float64(len(original)) || md["archive_size"] != float64(len(archive)) ||
		md["has_archive_version"] != true || !strings.HasPrefix(md["media_filename"].(string), "acme/") || md["archive_media_filename"] != md["media_filename"] {
		t.Errorf("metadata %s", b)
	}
	if list, _ := md["archive_metadata"].([]any); len(list) == 0 {
		t.Errorf("archive metadata empty: %s", b)
	}

	// Suggestions: ACME matches the content.
	_, b = l.wantOK("GET", fmt.Sprintf("/api/documents/%d/suggestions/", docID), nil, 200)
	if string(b) != fmt.Sprintf(`{"correspondents":[%d],"tags":[],"document_types":[]}`, acme) {
		t.Errorf("suggestions %s", b)
	}

	// GraphQL multipart upload of a second document with the same public
	// name, and an image (original PNG, archive PDF).
	gqlUpload := func(filename string, data []byte, vars string) {
		t.Helper()
		body, ct := multipartBody(t,
			field("operations", `{"query":"mutation($f: Upload!, $c: ID) { uploadDocument(file: $f, title: \"Rechnung März\", correspondentId: $c) { id state filename } }","variables":{"f":null,`+vars+`}}`),
			field("map", `{"0":["variables.f"]}`),
			part{name: "0", filename: filename, data: data})
		_, b := l.wantOK("POST", "/graphql", body, 200, "Content-Type", ct)
		if !strings.Contains(string(b), `"state":"QUEUED"`) || !strings.Contains(string(b), `"filename":"`+filename+`"`) {
			t.Fatalf("uploadDocument: %s", b)
		}
	}
	gqlUpload("second.pdf", docfixture.PDF(12, "A second letter from ACME dated 12.03.2021"), fmt.Sprintf(`"c":%d`, acme))
	second := int(*l.waitTask("second.pdf").DocumentID)
	img := docfixture.Encode(t, docfixture.Render(t, docfixture.PDF(20, "Scanned receipt 2021"), 100), "png")
	gqlUpload("scan.png", img, `"c":null`)
	scan := int(*l.waitTask("scan.png").DocumentID)

	_, b = l.wantOK("GET", fmt.Sprintf("/api/documents/%d/metadata/", scan), nil, 200)
	md = nil
	json.Unmarshal(b, &md)
	if om, _ := md["original_metadata"].([]any); md["original_mime_type"] != "image/png" || md["has_archive_version"] != true || om == nil || len(om) != 0 {
		t.Errorf("image metadata %s", b)
	}
	if am, _ := md["archive_metadata"].([]any); len(am) == 0 || md["original_size"] != float64(len(img)) {
		t.Errorf("image archive metadata %s", b)
	}

	// Bulk download: originals, archive (default), both, name clashes.
	bulk := func(body map[string]any) map[string]*zip.File {
		t.Helper()
		resp, b := l.wantOK("POST", "/api/documents/bulk_download/", l.jsonBody(body), 200, "Content-Type", "application/json")
		if resp.Header.Get("Content-Type") != "application/zip" || resp.Header.Get("Content-Disposition") != `attachment; filename="documents.zip"` {
			t.Errorf("bulk headers %v", resp.Header)
		}
		return zipNames(t, b)
	}
	names := bulk(map[string]any{"documents": []int{docID, second, scan}, "content": "originals"})
	scanName := time.Now().In(l.st.Location()).Format("2006-01-02") + " Rechnung März"
	if got := keys(names); fmt.Sprint(got) != fmt.Sprint([]string{wantName + ".pdf", wantName + "_01.pdf", scanName + ".png"}) {
		t.Errorf("originals zip %q", got)
	}
	names = bulk(map[string]any{"documents": []int{docID, scan}})
	if got := keys(names); fmt.Sprint(got) != fmt.Sprint([]string{wantName + ".pdf", scanName + ".pdf"}) {
		t.Errorf("archive zip %q", got)
	}
	names = bulk(map[string]any{"documents": []int{docID}, "content": "both", "compression": "lzma"})
	if got := keys(names); fmt.Sprint(got) != fmt.Sprint([]string{"archive/" + wantName + ".pdf", "originals/" + wantName + ".pdf"}) {
		t.Errorf("both zip %q", got)
	}
	if f := names["originals/"+wantName+".pdf"]; f.Method != zip.Deflate {
		t.Errorf("lzma must fall back to deflate, got method %d", f.Method)
	} else if rc, _ := f.Open(); rc != nil {
		got, _ := io.ReadAll(rc)
		if !bytes.Equal(got, original) {
			t.Errorf("zip entry differs from the original")
		}
	}

	// Renaming on change: the files follow the title; the tag change
	// asks for a retraining.
	l.wantOK("PATCH", fmt.Sprintf("/api/documents/%d/", docID), l.jsonBody(map[string]any{"title": "Paid invoice", "tags": []int{inbox}}), 200, "Content-Type", "application/json")
	_, b = l.wantOK("GET", fmt.Sprintf("/api/documents/%d/metadata/", docID), nil, 200)
	md = nil
	json.Unmarshal(b, &md)
	renamed, _ := md["media_filename"].(string)
	if !strings.HasPrefix(renamed, "acme/paid-invoice") {
		t.Errorf("file not renamed: %s", b)
	}
	if _, err := os.Stat(filepath.Join(l.media, "documents", "originals", renamed)); err != nil {
		t.Errorf("renamed original: %v", err)
	}
	l.gql(`mutation($ids: [ID!]!) { bulkEditDocuments(input: {documentIds: $ids, method: SET_CORRESPONDENT, correspondentId: null}) }`,
		map[string]any{"ids": []int{second}}, nil)
	_, b = l.wantOK("GET", fmt.Sprintf("/api/documents/%d/metadata/", second), nil, 200)
	if !strings.Contains(string(b), `"media_filename":"none/rechnung-marz`) {
		t.Errorf("bulk edit did not rename: %s", b)
	}

	// Legacy redirect to the download.
	resp, _ = l.wantOK("GET", fmt.Sprintf("/fetch/doc/%d?x=1", docID), nil, 302)
	if resp.Header.Get("Location") != fmt.Sprintf("/api/documents/%d/download/", docID) {
		t.Errorf("redirect %v", resp.Header)
	}

	// Missing files answer 404 (API §15.1 item 6).
	os.Remove(filepath.Join(l.media, "documents", "thumbnails", fmt.Sprintf("%07d.png", docID)))
	l.wantOK("GET", d.Document.ThumbnailURL, nil, 404)
	os.Remove(filepath.Join(l.media, "documents", "originals", renamed))
	l.wantOK("GET", d.Document.DownloadURL+"?original=true", nil, 404)
	_, b = l.wantOK("GET", fmt.Sprintf("/api/documents/%d/metadata/", docID), nil, 200)
	if !strings.Contains(string(b), `"original_size":null`) || !strings.Contains(string(b), `"original_metadata":null`) {
		t.Errorf("metadata with the original missing: %s", b)
	}
}

// TestConsumptionProgressSubscription subscribes to consumptionProgress over
// GraphQL's websocket transport (graphql-transport-ws), uploads a file
// and reads its frames up to SUCCESS.
func TestConsumptionProgressSubscription(t *testing.T) {
	docfixture.RequireTools(t, "pdftotext", "pdftoppm")
	l := newLive(t, "sqlite")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, resp, err := websocket.Dial(ctx, l.url+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}}); err == nil || resp == nil || resp.StatusCode != 401 {
		t.Fatalf("anonymous subscription must be refused with 401: %v %v", resp, err)
	}
	ws, _, err := websocket.Dial(ctx, l.url+"/graphql", &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"},
		HTTPHeader:   http.Header{"Cookie": {"sessionid=" + l.session}},
	})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer ws.CloseNow()
	send := func(v any) {
		b, _ := json.Marshal(v)
		if err := ws.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	read := func() map[string]any {
		_, msg, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(msg, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	send(map[string]any{"type": "connection_init"})
	if m := read(); m["type"] != "connection_ack" {
		t.Fatalf("init: %v", m)
	}
	send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": "subscription { consumptionProgress { filename taskId status currentProgress maxProgress documentId } }"}})
	time.Sleep(200 * time.Millisecond) // let the subscription register before the upload

	l.uploadREST(part{name: "document", filename: "note.txt", data: []byte("A note about the garden, 2021-05-06.\n")})
	var statuses []string
	for {
		m := read()
		if m["type"] != "next" {
			t.Fatalf("unexpected message %v", m)
		}
		p := m["payload"].(map[string]any)["data"].(map[string]any)["consumptionProgress"].(map[string]any)
		if p["filename"] != "note.txt" {
			continue
		}
		statuses = append(statuses, p["status"].(string))
		if p["status"] == "FAILED" {
			t.Fatalf("consumption failed: %v", p)
		}
		if p["status"] == "SUCCESS" {
			if p["documentId"] == nil || p["taskId"] == nil || p["currentProgress"] != p["maxProgress"] {
				t.Fatalf("success frame %v", p)
			}
			break
		}
	}
	if statuses[0] != "STARTING" {
		t.Fatalf("frames %v", statuses)
	}
}
