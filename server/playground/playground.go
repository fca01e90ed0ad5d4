// Package playground serves the GraphQL playground: GraphiQL with React,
// pinned npm releases embedded in the binary (assets/, refreshed by
// `go generate`, see gen.go), so the page works without internet access.
//
// The page is our own index.html plus playground.js, which starts GraphiQL
// against the GraphQL endpoint and sends the X-CSRFToken header from the
// CSRF cookie. It carries a strict Content-Security-Policy (nothing from
// another origin, no inline script, inline <style> only with the
// response's nonce). Assets are served under content-hashed names with a
// year-long immutable cache, an ETag and gzip.
package playground

//go:generate go run gen.go

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5"

	"github.com/quirehq/quire/store"
)

//go:embed assets/graphiql.min.css assets/graphiql.min.js assets/react.production.min.js assets/react-dom.production.min.js
//go:embed static/index.html static/playground.css static/playground.js
var files embed.FS

// csp is the Content-Security-Policy of the playground page, %s being the
// request's style nonce: everything from this origin only, no inline
// script, no inline style but the <style> elements GraphiQL's dialogs add
// to lock scrolling (they carry the nonce, which playground.js hands to
// them as __webpack_nonce__), fonts and images also as data: URLs
// (GraphiQL's stylesheet inlines its fonts).
const csp = "default-src 'none'; script-src 'self'; style-src 'self' 'nonce-%s'; img-src 'self' data:; font-src 'self' data:; " +
	"connect-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// noncePlaceholder stands for the nonce in the pre-rendered page.
const noncePlaceholder = "QUIRESTYLENONCEPLACEHOLDER"

// The page's stylesheets and scripts, in load order.
var (
	styleFiles  = []string{"assets/graphiql.min.css", "static/playground.css"}
	scriptFiles = []string{"assets/react.production.min.js", "assets/react-dom.production.min.js",
		"assets/graphiql.min.js", "static/playground.js"}
)

// Config is what New needs.
type Config struct {
	// Prefix is where the handler is mounted, e.g. "/playground"; the page
	// is Prefix itself and the assets are under Prefix + "/assets/".
	Prefix string
	// Endpoint is the GraphQL endpoint the page queries ("/graphql").
	Endpoint string
	// Title is the page title.
	Title string
	// Authenticate resolves a request to its user: nil without
	// credentials, an error with code store.Unauthenticated for wrong ones.
	Authenticate func(r *http.Request) (*store.User, error)
	// LoginURL is the HTML login form; a request without credentials is
	// redirected there with ?next=<the page>.
	LoginURL string
	// CSRFCookieName names the CSRF cookie the page's requests echo in
	// X-CSRFToken; NewCSRFToken makes a value for it when the browser has
	// none yet.
	CSRFCookieName string
	NewCSRFToken   func() string
	// Logger receives internal errors.
	Logger *slog.Logger
}

// asset is one embedded file, served under a content-hashed name.
type asset struct {
	name      string // hashed name, e.g. graphiql.min.3f2a….js
	data      []byte
	ctype     string
	etag      string // quoted
	integrity string // sha256-… for the page's integrity attributes

	gzOnce sync.Once
	gz     []byte // gzip of data, made on first request
}

type link struct{ URL, Integrity string }

type pageData struct {
	Title, Endpoint, CSRFCookie, Nonce string
	Styles, Scripts                    []link
}

// Handler serves the playground page and its assets.
type Handler struct {
	cfg    Config
	page   []byte            // index.html, rendered once; only the nonce varies
	assets map[string]*asset // by hashed name
	data   pageData
}

// New builds the handler; Mount adds its routes to a router. It panics
// only if the embedded files are broken, which the package's tests rule out.
func New(cfg Config) *Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Title == "" {
		cfg.Title = "Quire GraphQL playground"
	}
	h := &Handler{cfg: cfg, assets: map[string]*asset{}}
	h.data = pageData{Title: cfg.Title, Endpoint: cfg.Endpoint, CSRFCookie: cfg.CSRFCookieName, Nonce: noncePlaceholder}
	add := func(file string) link {
		b, err := files.ReadFile(file)
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(file)
		base := strings.TrimSuffix(path.Base(file), ext)
		a := &asset{
			name:      base + "." + hex.EncodeToString(sum[:6]) + ext,
			data:      b,
			etag:      `"` + hex.EncodeToString(sum[:16]) + `"`,
			integrity: "sha256-" + base64.StdEncoding.EncodeToString(sum[:]),
		}
		switch ext {
		case ".js":
			a.ctype = "text/javascript; charset=utf-8"
		case ".css":
			a.ctype = "text/css; charset=utf-8"
		default:
			panic("playground asset " + file + ": unknown type")
		}
		h.assets[a.name] = a
		return link{URL: cfg.Prefix + "/assets/" + a.name, Integrity: a.integrity}
	}
	for _, f := range styleFiles {
		h.data.Styles = append(h.data.Styles, add(f))
	}
	for _, f := range scriptFiles {
		h.data.Scripts = append(h.data.Scripts, add(f))
	}
	var buf bytes.Buffer
	if err := template.Must(template.ParseFS(files, "static/index.html")).Execute(&buf, h.data); err != nil {
		panic(err)
	}
	h.page = buf.Bytes()
	return h
}

// Mount adds the playground's routes to r: GET and HEAD of the page at
// Prefix (login required) and of the assets at Prefix/assets/{name}
// (public: vendored libraries and the page's own script and style).
func (h *Handler) Mount(r chi.Router) {
	page, assets := h.cfg.Prefix, h.cfg.Prefix+"/assets/{name}"
	r.Get(page, h.servePage)
	r.Head(page, h.servePage)
	r.Get(assets, h.serveAsset)
	r.Head(assets, h.serveAsset)
}

// AssetURLs lists the URLs of the page's stylesheets and scripts.
func (h *Handler) AssetURLs() []string {
	var out []string
	for _, l := range append(append([]link{}, h.data.Styles...), h.data.Scripts...) {
		out = append(out, l.URL)
	}
	return out
}

// servePage answers the page to an authenticated request. Without
// credentials it redirects to the login form (no WWW-Authenticate, so a
// browser shows the form, not a Basic dialog); wrong credentials get the
// API's 401 with a DRF body.
func (h *Handler) servePage(w http.ResponseWriter, r *http.Request) {
	u, err := h.cfg.Authenticate(r)
	switch {
	case err != nil && store.ErrorCode(err) == store.Unauthenticated:
		// Wrong Basic or token credentials: as on the API, so a browser
		// that sent Basic ones may ask again.
		body, _ := json.Marshal(map[string]string{"detail": store.ErrorMessage(err)})
		w.Header().Set("WWW-Authenticate", `Basic realm="api"`)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write(body) //nolint:errcheck // the client went away
		return
	case err != nil:
		h.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "playground: authenticate request",
			slog.String("path", r.URL.Path), slog.Any("error", err))
		http.Error(w, "A server error occurred.", http.StatusInternalServerError)
		return
	case u == nil:
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, h.cfg.LoginURL+"?next="+url.QueryEscape(h.cfg.Prefix), http.StatusFound)
		return
	}
	if h.cfg.CSRFCookieName != "" && h.cfg.NewCSRFToken != nil {
		if c, err := r.Cookie(h.cfg.CSRFCookieName); err != nil || c.Value == "" {
			http.SetCookie(w, &http.Cookie{Name: h.cfg.CSRFCookieName, Value: h.cfg.NewCSRFToken(), Path: "/",
				MaxAge: 31449600, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
		}
	}
	var raw [16]byte
	rand.Read(raw[:]) // never fails
	nonce := base64.RawURLEncoding.EncodeToString(raw[:])
	hd := w.Header()
	setSecurityHeaders(hd, fmt.Sprintf(csp, nonce))
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-cache, private")
	hd.Set("Vary", "Cookie, Authorization")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(bytes.Replace(h.page, []byte(noncePlaceholder), []byte(nonce), 1)) //nolint:errcheck // the client went away
	}
}

// assetCSP is the policy of the scripts and stylesheets themselves (should
// one be opened as a document).
const assetCSP = "default-src 'none'; frame-ancestors 'none'"

// setSecurityHeaders sets the CSP policy and the headers that keep
// browsers from sniffing types, framing the page or leaking its URL.
func setSecurityHeaders(hd http.Header, policy string) {
	hd.Set("Content-Security-Policy", policy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
}

// serveAsset answers an embedded file by its hashed name: cached for a
// year (the name changes with the content), with an ETag, gzipped when
// the client accepts it.
func (h *Handler) serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := h.assets[chi.URLParam(r, "name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	setSecurityHeaders(hd, assetCSP)
	hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	hd.Set("ETag", a.etag)
	hd.Set("Vary", "Accept-Encoding")
	if etagMatch(r.Header.Get("If-None-Match"), a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.data
	if acceptsGzip(r) {
		a.gzOnce.Do(func() {
			var b bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
			zw.Write(a.data) //nolint:errcheck // writes to memory
			zw.Close()       //nolint:errcheck // writes to memory
			a.gz = b.Bytes()
		})
		body = a.gz
		hd.Set("Content-Encoding", "gzip")
	}
	hd.Set("Content-Type", a.ctype)
	hd.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body) //nolint:errcheck // the client went away
	}
}

// etagMatch reports whether an If-None-Match header names etag (weak
// comparison, as RFC 9110 asks for If-None-Match).
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
