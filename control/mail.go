package control

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/inbox/mailrule"
)

// pathMail is where the control socket takes a matched mail.
const pathMail = "/v1/mail"

var _ app.MailRecorder = (*Client)(nil)

// RecordMail sends a matched mail to the daemon.
func (c *Client) RecordMail(ctx context.Context, m mailrule.Match) (app.MailResult, error) {
	var out app.MailResult
	return out, c.call(ctx, http.MethodPost, pathMail, nil, m, &out)
}

// handleMail adds the mail route to mux when svc records mail.
func handleMail(mux *http.ServeMux, svc app.Service, log *slog.Logger) bool {
	mr, ok := svc.(app.MailRecorder)
	if !ok {
		return false
	}
	mux.HandleFunc("POST "+pathMail, func(w http.ResponseWriter, r *http.Request) {
		var m mailrule.Match
		if err := decode(r, w, &m); err != nil {
			reply(w, log)(nil, err)
			return
		}
		reply(w, log)(mr.RecordMail(r.Context(), m))
	})
	return true
}
