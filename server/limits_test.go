package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/rest"
)

// rawResponse sends a request over its own connection, writing the body
// in the background, and returns the response as soon as it comes: the
// server may answer before it has read (or while refusing to read) the
// body. te "chunked" sends the body without a Content-Length; otherwise
// contentLength is declared (it may exceed what body holds).
func rawResponse(t *testing.T, base, method, path string, header http.Header, body io.Reader, contentLength int64) (*http.Response, []byte) {
	t.Helper()
	u, _ := url.Parse(base)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	var head bytes.Buffer
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, path, u.Host)
	for k, vs := range header {
		for _, v := range vs {
			fmt.Fprintf(&head, "%s: %s\r\n", k, v)
		}
	}
	chunked := contentLength < 0
	if chunked {
		head.WriteString("Transfer-Encoding: chunked\r\n")
	} else {
		fmt.Fprintf(&head, "Content-Length: %d\r\n", contentLength)
	}
	head.WriteString("Connection: close\r\n\r\n")
	go func() {
		conn.Write(head.Bytes())
		var w io.Writer = conn
		if chunked {
			cw := newChunkedWriter(conn)
			defer cw.Close()
			w = cw
		}
		io.Copy(w, body) // the server may close early: errors are expected
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// chunkedWriter writes HTTP/1.1 chunks.
type chunkedWriter struct{ w io.Writer }

func newChunkedWriter(w io.Writer) *chunkedWriter { return &chunkedWriter{w} }

func (c *chunkedWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if _, err := fmt.Fprintf(c.w, "%x\r\n", len(p)); err != nil {
		return 0, err
	}
	if _, err := c.w.Write(p); err != nil {
		return 0, err
	}
	_, err := io.WriteString(c.w, "\r\n")
	return len(p), err
}

func (c *chunkedWriter) Close() error { _, err := io.WriteString(c.w, "0\r\n\r\n"); return err }

// multipartBody is a form with the given fields (name, value, …) and
// one file part of size bytes of text.
func multipartBody(t *testing.T, fields []string, fileField string, size int) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	fw, err := mw.CreateFormFile(fileField, "big.txt")
	if err != nil {
		t.Fatal(err)
	}
	line := []byte(strings.Repeat("quire ", 15) + "\n")
	for n := 0; n < size; n += len(line) {
		fw.Write(line[:min(len(line), size-n)])
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

// leftovers lists the multipart parsers' temporary files in dir.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, pattern := range []string{"multipart-*", "gqlgen-*"} {
		m, _ := filepath.Glob(filepath.Join(dir, pattern))
		out = append(out, m...)
	}
	return out
}

// TestRequestBodyLimits: bodies are bounded before authentication and
// the CSRF check, and no form part outlives its request (issue: an
// anonymous multipart POST to /accounts/login/ with a made-up CSRF
// cookie left its file part in the temporary folder for good).
func TestRequestBodyLimits(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where mime/multipart spills parts
	cfg := testConfig(t)
	base := startServer(t, cfg)
	const badCookie = "csrftoken=abcdefghijklmnopqrstuvwxyzABCDEF" // 32 made-up characters
	checkClean := func(what string) {
		t.Helper()
		if left := leftovers(t, tmp); len(left) > 0 {
			t.Errorf("%s left temporary files: %v", what, left)
		}
	}

	t.Run("anonymous login within the limit", func(t *testing.T) {
		body, ct := multipartBody(t, []string{"username", "admin", "password", "x", "csrfmiddlewaretoken", "nope"}, "file", 1<<20)
		resp, _ := rawResponse(t, base, "POST", "/accounts/login/", http.Header{"Content-Type": {ct}, "Cookie": {badCookie}}, body, int64(body.Len()))
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d, want 403", resp.StatusCode)
		}
		checkClean("a login with a bad CSRF token")
	})

	// 40 MiB would spill to disk with the standard library's 32 MiB of
	// parse memory; chunked, so only the reader's bound stops it.
	t.Run("anonymous chunked login over the limit", func(t *testing.T) {
		body, ct := multipartBody(t, []string{"csrfmiddlewaretoken", "nope"}, "file", 40<<20)
		resp, b := rawResponse(t, base, "POST", "/accounts/login/", http.Header{"Content-Type": {ct}, "Cookie": {badCookie}}, body, -1)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d %s, want 413", resp.StatusCode, b)
		}
		checkClean("an oversized chunked login")
	})

	// A declared length over the limit is refused before the body is
	// read: only a few bytes of the announced gigabyte are ever sent.
	for _, path := range []string{"/accounts/login/", "/api/token/", "/api/", "/api/schema/", "/graphql", "/api/documents/bulk_edit/"} {
		t.Run("declared length "+path, func(t *testing.T) {
			start := time.Now()
			resp, b := rawResponse(t, base, "POST", path, http.Header{"Content-Type": {"application/json"}, "Cookie": {badCookie}},
				strings.NewReader(`{"username":`), 1<<30)
			var d struct{ Detail string }
			if resp.StatusCode != http.StatusRequestEntityTooLarge || json.Unmarshal(b, &d) != nil ||
				d.Detail != fmt.Sprintf("Request body is larger than the limit of %d bytes.", rest.MaxBodyBytes) {
				t.Fatalf("status %d %s, want 413 with a detail", resp.StatusCode, b)
			}
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("413 took %v", el)
			}
		})
	}

	t.Run("anonymous chunked token over the limit", func(t *testing.T) {
		body := strings.NewReader(`{"username":"` + strings.Repeat("a", 11<<20) + `","password":"x"}`)
		resp, b := rawResponse(t, base, "POST", "/api/token/", http.Header{"Content-Type": {"application/json"}}, body, -1)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !bytes.Contains(b, []byte(`"detail"`)) {
			t.Fatalf("status %d %s, want 413", resp.StatusCode, b)
		}
	})

	// A session user's upload with a wrong CSRF token: the check parses
	// the body (spilling the 40 MiB part), then refuses it.
	t.Run("session upload with a bad CSRF token", func(t *testing.T) {
		csrf := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"
		form := url.Values{"username": {"admin"}, "password": {"s3cret"}, "csrfmiddlewaretoken": {csrf}}
		req, _ := http.NewRequest("POST", base+"/accounts/login/", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "csrftoken", Value: csrf})
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var session string
		for _, c := range resp.Cookies() {
			if c.Name == "sessionid" {
				session = c.Value
			}
		}
		if resp.StatusCode != http.StatusFound || session == "" {
			t.Fatalf("login: %d %v", resp.StatusCode, resp.Cookies())
		}
		body, ct := multipartBody(t, []string{"csrfmiddlewaretoken", "wrong"}, "document", 40<<20)
		resp, b := rawResponse(t, base, "POST", "/api/documents/post_document/",
			http.Header{"Content-Type": {ct}, "Cookie": {"sessionid=" + session + "; csrftoken=" + csrf}}, body, -1)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d %s, want 403", resp.StatusCode, b)
		}
		checkClean("a session upload refused by the CSRF check")
	})

	// The upload path keeps its own, larger limit.
	t.Run("upload above the body limit", func(t *testing.T) {
		body, ct := multipartBody(t, []string{"title", "big"}, "document", 12<<20)
		req, _ := http.NewRequest("POST", base+"/api/documents/post_document/", body)
		req.Header.Set("Content-Type", ct)
		req.SetBasicAuth("admin", "s3cret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(b) != `"OK"` {
			t.Fatalf("status %d %s, want 200 \"OK\"", resp.StatusCode, b)
		}
		checkClean("an accepted upload")
	})
}

// TestUploadBodyLimit: an upload larger than QUIRE_MAX_UPLOAD_SIZE plus
// the slack for its other parts is refused without being stored.
func TestUploadBodyLimit(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	cfg := testConfig(t)
	cfg.Consume.MaxUploadSize = 1 << 20
	base := startServer(t, cfg)
	auth := http.Header{"Authorization": {"Basic " + basicAuth("admin", "s3cret")}}
	for _, chunked := range []bool{false, true} {
		body, ct := multipartBody(t, nil, "document", 3<<20)
		h := auth.Clone()
		h.Set("Content-Type", ct)
		n := int64(body.Len())
		if chunked {
			n = -1
		}
		resp, b := rawResponse(t, base, "POST", "/api/documents/post_document/", h, body, n)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("chunked %v: status %d %s, want 413", chunked, resp.StatusCode, b)
		}
		// GraphQL's multipart transport has the same bound.
		body, ct = multipartBody(t, []string{
			"operations", `{"query":"mutation($f: Upload!) { uploadDocument(file: $f) { id } }","variables":{"f":null}}`,
			"map", `{"document":["variables.f"]}`,
		}, "document", 3<<20)
		h.Set("Content-Type", ct)
		resp, b = rawResponse(t, base, "POST", "/graphql", h, body, int64(body.Len()))
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("graphql: status %d %s, want 413", resp.StatusCode, b)
		}
	}
	if left := leftovers(t, tmp); len(left) > 0 {
		t.Errorf("left temporary files: %v", left)
	}
	entries, _ := os.ReadDir(filepath.Join(cfg.DataDir, "tasks"))
	if len(entries) > 0 {
		t.Errorf("refused uploads were stored: %v", entries)
	}
}

func basicAuth(user, pass string) string {
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth(user, pass)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}
