package control

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
)

// pathWebLogout signs every browser out of the web app.
const pathWebLogout = "/v1/web/logout"

// RevokeWebSessions asks the daemon to sign every browser out.
func (c *Client) RevokeWebSessions(ctx context.Context) (app.WebLogout, error) {
	var out app.WebLogout
	return out, c.call(ctx, http.MethodPost, pathWebLogout, nil, struct{}{}, &out)
}

func handleWebLogout(mux *http.ServeMux, svc app.Service, log *slog.Logger) bool {
	wr, ok := svc.(app.WebSessionRevoker)
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
