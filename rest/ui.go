package rest

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// baseHref is the <base href="…"> of the frontend's index.html.
var baseHref = regexp.MustCompile(`<base\s+href="[^"]*"\s*/?>`)

// UIHandler serves the web frontend in dir at /: its files as
// they are (publicly: scripts, styles, fonts), and index.html — with its
// <base href> rewritten to "/" — for "/" and every path that is no file,
// so the single-page app's routes work; index.html needs a login and
// redirects to /accounts/login/ without one. Files are opened through
// os.Root, so nothing outside the folder (not even through a symlink) is
// served. It fails when the folder has no index.html.
func UIHandler(dir string, auth Authenticator) (http.Handler, error) {
	if dir == "" || !dirExists(dir) {
		return nil, fmt.Errorf("web frontend folder %q does not exist", dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open web frontend folder: %w", err)
	}
	if _, err := root.Stat("index.html"); err != nil {
		root.Close()
		return nil, fmt.Errorf("web frontend folder %s has no index.html", dir)
	}
	fsys := root.FS()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "Method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name != "" && name != "index.html" {
			if fi, err := root.Stat(name); err == nil && fi.Mode().IsRegular() {
				http.ServeFileFS(w, r, fsys, name)
				return
			}
		}
		serveIndex(w, r, auth, root)
	}), nil
}

// serveIndex answers with index.html for a logged-in user, else redirects
// to the login form with next set to the requested path.
func serveIndex(w http.ResponseWriter, r *http.Request, auth Authenticator, root *os.Root) {
	u, _, err := auth.Authenticate(r)
	if err != nil || u == nil {
		http.Redirect(w, r, "/accounts/login/?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
		return
	}
	f, err := root.Open("index.html")
	if err != nil {
		http.Error(w, "index.html is missing", http.StatusInternalServerError)
		return
	}
	defer f.Close()
	page, err := io.ReadAll(f)
	if err != nil {
		http.Error(w, "index.html is unreadable", http.StatusInternalServerError)
		return
	}
	page = baseHref.ReplaceAll(page, []byte(`<base href="/">`))
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Length", strconv.Itoa(len(page)))
	w.Write(page) //nolint:errcheck // the client went away
}
