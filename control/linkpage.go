package control

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strings"
	"sync"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/control/links"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// linkPages serves GET and POST /a/TOKEN. The GET only shows what the link
// would record, with one button; the button's POST records it, once. Mail
// scanners and chat previews fetch links with GET, so they record nothing.
// A link reads nothing but its room's name and does nothing but its action.
type linkPages struct {
	opt   HTTPOptions
	limit *failureLimit
	// mu makes "is it used? record, mark it used" one step, so two presses
	// at once record once.
	mu sync.Mutex
}

// pageView is what the link page template shows.
type pageView struct {
	Lang     string
	Title    string
	Message  string
	Note     string
	Room     string
	RoomName string
	Button   string // empty: no form
	Status   string // "ok", "already", "refused", "failed"
}

var linkPageTemplate = template.Must(template.New("link").Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>{{.Title}}</title>
<style>
body{margin:0;padding:24px 16px;font-family:system-ui,-apple-system,"Hiragino Sans","Noto Sans JP",sans-serif;background:#f4f4f5;color:#18181b;font-size:18px;line-height:1.5}
main{max-width:28rem;margin:0 auto;background:#fff;border-radius:12px;padding:20px}
h1{font-size:20px;margin:0 0 12px}
.room{color:#52525b;margin:0 0 16px;font-size:16px}
button{display:block;width:100%;padding:16px;font-size:20px;font-weight:bold;border:0;border-radius:10px;background:#1d4ed8;color:#fff}
.note{color:#71717a;font-size:14px;margin:12px 0 0}
.ok{border-left:6px solid #16a34a}.already{border-left:6px solid #ca8a04}.refused,.failed{border-left:6px solid #dc2626}
</style>
</head>
<body>
<main class="{{.Status}}" data-status="{{.Status}}">
<h1>{{.Message}}</h1>
{{- if .Room}}
<p class="room">{{.Room}}{{if .RoomName}} — {{.RoomName}}{{end}}</p>
{{- end}}
{{- if .Button}}
<form method="post"><button type="submit">{{.Button}}</button></form>
<p class="note">{{.Note}}</p>
{{- end}}
</main>
</body>
</html>
`))

func (p *linkPages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	lang := message.Language(p.opt.Language())
	words := message.LinkPage(lang)
	view := pageView{Lang: lang, Title: words.Title}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		view.Message, view.Status = words.Refused, "refused"
		p.write(w, http.StatusMethodNotAllowed, view)
		return
	}
	token := r.PathValue("token")
	now := p.opt.Now()
	claim, err := p.opt.Links.Verify(token, now)
	var name string
	if err == nil {
		name, err = p.roomName(r.Context(), claim.Room)
	}
	if err != nil {
		if !errors.Is(err, errUnknownLinkRoom) && !errors.Is(err, links.ErrInvalid) && !errors.Is(err, links.ErrExpired) {
			p.opt.Log.Error("action link: reading the room", "err", err)
			view.Message, view.Status = words.Failed, "failed"
			p.write(w, http.StatusInternalServerError, view)
			return
		}
		// The token is never logged: it works until it expires.
		p.opt.Log.Warn("action link refused", "remote", r.RemoteAddr, "method", r.Method, "reason", err)
		p.limit.fail(r)
		view.Message, view.Status = words.Refused, "refused"
		p.write(w, http.StatusForbidden, view)
		return
	}
	label := message.LinkLabel(string(claim.Action), lang)
	fill := strings.NewReplacer("{action}", label, "{room}", claim.Room).Replace
	view.Room, view.RoomName = claim.Room, name
	id := links.ID(token)

	if r.Method != http.MethodPost {
		used, err := p.opt.Marks.LinkUsed(id)
		switch {
		case err != nil:
			p.opt.Log.Error("action link: reading its used-mark", "err", err)
			view.Message, view.Status = words.Failed, "failed"
			p.write(w, http.StatusInternalServerError, view)
		case used:
			view.Message, view.Status = fill(words.Already), "already"
			p.write(w, http.StatusOK, view)
		default:
			view.Message, view.Note, view.Button, view.Status = fill(words.Question), words.Note, label, "question"
			p.write(w, http.StatusOK, view)
		}
		return
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	if used, err := p.opt.Marks.LinkUsed(id); err != nil || used {
		if err != nil {
			p.opt.Log.Error("action link: reading its used-mark", "err", err)
			view.Message, view.Status = words.Failed, "failed"
			p.write(w, http.StatusInternalServerError, view)
			return
		}
		view.Message, view.Status = fill(words.Already), "already"
		p.write(w, http.StatusOK, view)
		return
	}
	if err := p.act(r, claim); err != nil {
		view.Status = "failed"
		view.Message = words.Failed
		code := http.StatusInternalServerError
		if app.IsInputError(err) {
			// The room's state refuses it (nothing left to acknowledge):
			// say why; the link stays usable.
			view.Message, code = err.Error(), http.StatusConflict
		} else {
			p.opt.Log.Error("action link: recording", "room", claim.Room, "action", claim.Action, "err", err)
		}
		p.write(w, code, view)
		return
	}
	if _, err := p.opt.Marks.UseLink(id, claim.Expires, now); err != nil {
		// Recorded, but not marked: a second press would record again,
		// which only repeats the same fact.
		p.opt.Log.Error("action link: marking it used", "room", claim.Room, "err", err)
	}
	p.opt.Log.Info("action link used", "room", claim.Room, "action", claim.Action, "remote", r.RemoteAddr)
	view.Message, view.Status = fill(words.Done), "ok"
	p.write(w, http.StatusOK, view)
}

var errUnknownLinkRoom = errors.New("the link's room is not tracked")

// roomName is all a link reads: its room's title.
func (p *linkPages) roomName(ctx context.Context, room string) (string, error) {
	st, err := p.opt.Service.Status(ctx, app.StatusRequest{Room: room})
	switch {
	case app.IsInputError(err):
		return "", errUnknownLinkRoom
	case err != nil:
		return "", err
	case len(st) == 0:
		return "", errUnknownLinkRoom
	}
	return st[0].Title, nil
}

// linkSource names where a press came from: ntfy's buttons say so in their
// body; every other press is a link opened in a browser.
func linkSource(r *http.Request) string {
	if err := r.ParseForm(); err == nil && r.PostForm.Get("source") == app.SourceNtfy {
		return app.SourceNtfy
	}
	return app.SourceLink
}

// act does the claim's one action through the service.
func (p *linkPages) act(r *http.Request, c links.Claim) error {
	r.Body = http.MaxBytesReader(nil, r.Body, 1<<10)
	source := linkSource(r)
	ctx := r.Context()
	svc := p.opt.Service
	record := func(e rules.EventKind) error {
		_, err := svc.Record(ctx, app.EventRequest{Room: c.Room, Event: e, Source: source})
		return err
	}
	switch c.Action {
	case links.Sent:
		return record(rules.EventSellerMessage)
	case links.Replied:
		return record(rules.EventBuyerMessage)
	case links.Delivered:
		return record(rules.EventDelivered)
	case links.Snooze:
		_, err := svc.Snooze(ctx, app.SnoozeRequest{Room: c.Room, For: links.SnoozeFor})
		return err
	case links.Ack:
		_, err := svc.Ack(ctx, app.AckRequest{Room: c.Room})
		return err
	}
	return errors.New("control: a link with an action roomwatch does not know")
}

func (p *linkPages) write(w http.ResponseWriter, code int, view pageView) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// The URL is the credential: nothing may keep or pass it on.
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(code)
	if err := linkPageTemplate.Execute(w, view); err != nil {
		p.opt.Log.Error("action link page", "err", err)
	}
}
