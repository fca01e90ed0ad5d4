package server

import (
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/quirehq/quire/rest"
)

// requestLogger logs one line per request, with its ID, status and duration.
func requestLogger(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			next.ServeHTTP(ww, r)
			level := slog.LevelDebug
			if ww.Status() >= 500 {
				level = slog.LevelError
			}
			logger.Log(r.Context(), level, "request",
				"request_id", middleware.GetReqID(r.Context()),
				"method", r.Method, "path", r.URL.Path, "status", ww.Status(),
				"bytes", ww.BytesWritten(), "duration_ms", float64(time.Since(start).Microseconds())/1000)
		})
	}
}

// quireVersion names Quire's version in X-Quire-Version on every
// response (the X-Version of /api/ names the paperless version whose API
// a response follows, NGX.md §0 D3).
func quireVersion(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Quire-Version", Version)
		next.ServeHTTP(w, r)
	})
}

// recoverer turns a handler panic into a logged 500 with the request ID.
func recoverer(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if p := recover(); p != nil {
					if p == http.ErrAbortHandler {
						panic(p)
					}
					id := middleware.GetReqID(r.Context())
					logger.Error("handler panic", "request_id", id, "panic", p, "stack", string(debug.Stack()))
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusInternalServerError)
					w.Write([]byte(`{"detail":"Internal server error (request ` + id + `)."}`))
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// Request body limits. Every body is bounded before anything reads it —
// before authentication and the CSRF check, which parses form bodies —
// so an anonymous client cannot make the server keep or spool more than
// rest.MaxBodyBytes. Only the two upload routes take more: the consumer's
// upload limit plus uploadSlack for the form's other parts.
const uploadSlack = 1 << 20

// limitBodies bounds each request body: uploads (POST post_document, a
// multipart POST to /graphql) to maxUpload + uploadSlack (no bound when
// maxUpload is negative, as QUIRE_MAX_UPLOAD_SIZE allows), everything else
// to rest.MaxBodyBytes. A declared Content-Length over the bound is
// answered 413 at once without reading the body; a chunked body fails its
// reader at the bound and the handler answers 413. Form parts spilled to
// temporary files by a parse of this request are removed when it ends
// (parses of derived requests are bounded below the size at which the
// standard library spills, or remove their own files; see README "Request
// bodies").
func limitBodies(maxUpload int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			limit := int64(rest.MaxBodyBytes)
			if isUpload(r) {
				limit = maxUpload + uploadSlack
				if maxUpload < 0 {
					limit = -1
				}
			}
			if limit >= 0 {
				if r.ContentLength > limit {
					tooLarge(w, limit)
					return
				}
				r.Body = http.MaxBytesReader(w, r.Body, limit)
			}
			defer func() {
				if r.MultipartForm != nil {
					r.MultipartForm.RemoveAll()
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// isUpload reports whether r may carry a document upload.
func isUpload(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	switch r.URL.Path {
	case rest.Prefix + "/documents/post_document/":
		return true
	case "/graphql":
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		return mt == "multipart/form-data"
	}
	return false
}

// tooLarge answers 413 with a DRF-style body and closes the connection
// (the unread body is not drained).
func tooLarge(w http.ResponseWriter, limit int64) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Connection", "close")
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	fmt.Fprintf(w, `{"detail":"Request body is larger than the limit of %d bytes."}`, limit)
}
