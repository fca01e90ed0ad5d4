package rest

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/quirehq/quire/resolvers"
)

// statusSocket is the consumer status websocket /ws/status/ (§13.14):
// it needs an authenticated user (the session cookie, as the web UI sends
// it, or any other credentials) and refuses the handshake with 401/403
// otherwise; then it pushes every consumption progress message as one
// JSON text frame until the client or the server goes away. The Origin is
// checked as on /graphql: a handshake by session cookie needs Quire's own,
// its public or a trusted origin (the session must not be usable by other
// sites), and any handshake naming another origin is refused with 403.
// Messages the client sends are ignored.
func (a *API) statusSocket() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, session, err := a.auth.Authenticate(r)
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		if u == nil {
			a.writeJSON(w, r, http.StatusForbidden, detail(msgNotAuthenticated))
			return
		}
		check := a.auth.CheckOrigin
		if session {
			check = a.auth.CheckCSRF // a websocket handshake: the Origin must be there and trusted
		}
		if err := check(r); err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		ctx, cancel := context.WithCancel(resolvers.WithUser(r.Context(), u))
		defer cancel()
		// Subscribe before the handshake completes, so that no message
		// sent after the client saw the connection open is lost.
		frames, err := a.progressFrames(ctx)
		if err != nil {
			a.writeError(w, r, err, nil)
			return
		}
		// The Origin was checked above, trusted origins included.
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
		if err != nil {
			return // Accept answered the client
		}
		defer c.CloseNow() //nolint:errcheck // best effort
		ctx = c.CloseRead(ctx)
		for {
			select {
			case <-ctx.Done():
				c.Close(websocket.StatusGoingAway, "") //nolint:errcheck // best effort
				return
			case p, ok := <-frames:
				if !ok {
					c.Close(websocket.StatusGoingAway, "") //nolint:errcheck // best effort
					return
				}
				msg, _ := json.Marshal(statusFrame{Filename: p.Filename, TaskID: p.TaskID, CurrentProgress: p.CurrentProgress,
					MaxProgress: p.MaxProgress, Status: p.Status, Message: p.Message, DocumentID: p.DocumentID})
				wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
				err := c.Write(wctx, websocket.MessageText, msg)
				wcancel()
				if err != nil {
					return
				}
			}
		}
	}
}

// legacyRedirect answers any method with 302 to target (with the path's
// {id}); the query string is dropped (§8.5).
func legacyRedirect(target string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", expandID(target, r))
		w.WriteHeader(http.StatusFound)
	}
}
