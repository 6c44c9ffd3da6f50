package control

import (
	"context"
	"github.com/roomwatch/roomwatch/config"
	"log/slog"
	"net/http"
)

// pathWebLogout signs every browser out of the web app.
const pathWebLogout = "/v1/web/logout"

// WebSessionRevoker is a Service that can sign every browser out of the web
// app (`roomwatch web-logout --all`); Local does on its store, Client asks
// the daemon.
type WebSessionRevoker interface {
	RevokeWebSessions(ctx context.Context) (WebLogout, error)
}

// WebLogout says how many signed-in browsers were signed out.
type WebLogout struct {
	Revoked int `json:"revoked"`
}

// RevokeWebSessions deletes every web app session from the store.
func (l *Local) RevokeWebSessions(ctx context.Context) (WebLogout, error) {
	n, err := l.Engine.Store().DeleteWebSessions(l.Engine.Now())
	return WebLogout{Revoked: n}, err
}

// RevokeWebSessions asks the daemon to sign every browser out.
func (c *Client) RevokeWebSessions(ctx context.Context) (WebLogout, error) {
	var out WebLogout
	return out, c.call(ctx, http.MethodPost, pathWebLogout, nil, struct{}{}, &out)
}

func handleWebLogout(mux *http.ServeMux, svc Service, log *slog.Logger) bool {
	wr, ok := svc.(WebSessionRevoker)
	if !ok {
		return false
	}
	mux.HandleFunc("POST "+pathWebLogout, func(w http.ResponseWriter, r *http.Request) {
		if err := decode(r, w, &struct{}{}); err != nil {
			reply(w, log)(nil, err)
			return
		}
		reply(w, log)(wr.RevokeWebSessions(r.Context()))
	})
	return true
}

// SecretMatcher compares credentials with secret in constant time, as the
// HTTP API does; the web app's sign-in form uses it for the API token.
func SecretMatcher(secret config.Secret) func(string) bool { return secretMatcher(secret) }
