package app

import "context"

// WebSessionRevoker is a Service that can sign every browser out of the web
// app (`roomwatch web-logout --all`); App does on its store, Client asks
// the daemon.
type WebSessionRevoker interface {
	RevokeWebSessions(ctx context.Context) (WebLogout, error)
}

// WebLogout says how many signed-in browsers were signed out.
type WebLogout struct {
	Revoked int `json:"revoked"`
}

// RevokeWebSessions deletes every web app session from the store.
func (e *App) RevokeWebSessions(ctx context.Context) (WebLogout, error) {
	n, err := e.store.DeleteWebSessions(e.Now())
	return WebLogout{Revoked: n}, err
}
