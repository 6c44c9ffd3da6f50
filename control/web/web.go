// Package web is roomwatch's small web app, served by the daemon on its
// HTTP listener beside the API: the room list in the order of `status`, a
// page per room with buttons for what happened, a form for a new order and
// the calendar link with its QR code. Pages are rendered on the server with
// html/template; there is no JavaScript, no CDN and no build step.
//
// A browser signs in with the API token (or a ten-minute link printed by
// `roomwatch web-link`) and gets a session cookie, HttpOnly, SameSite=Strict
// and Secure when the app is reached over TLS. Sessions live in the store,
// so they survive a restart and `roomwatch web-logout --all` ends them.
// Every POST carries a CSRF token derived from the session. Each action goes
// through core.Service, exactly as the command line's does.
package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	core "github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/control"
	"github.com/roomwatch/roomwatch/control/links"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/store"
)

// SessionTTL is how long a browser stays signed in.
const SessionTTL = 30 * 24 * time.Hour

// SignInTTL is how long a link printed by `roomwatch web-link` works.
const SignInTTL = 10 * time.Minute

// cookieName names the session cookie.
const cookieName = "roomwatch_session"

// maxForm bounds a form's body: every form is a few hundred bytes.
const maxForm = 16 << 10

// Sessions keeps the signed-in browsers (store.Store does).
type Sessions interface {
	PutWebSession(id string, ws store.WebSession, now time.Time) error
	LookupWebSession(id string, now time.Time) (store.WebSession, bool, error)
	DeleteWebSession(id string) error
}

// Options configure the web app.
type Options struct {
	// Service runs every action and read, as for the command line.
	Service core.Service
	// Sessions keeps sessions; Marks makes each sign-in link work once.
	Sessions Sessions
	Marks    control.LinkMarks
	// Config is the configuration in force, read per request so a reload
	// changes the language, the zone and the tokens.
	Config func() *config.Config
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	Log *slog.Logger
	// Refused is called on every refused credential (a bad token, a bad
	// sign-in link), so guessing counts against the API's limit; nil: none.
	Refused func(*http.Request)
}

// app is the web app's handler.
type app struct {
	opt Options
	mux *http.ServeMux
}

// New returns the web app's handler. Service, Sessions, Marks and Config
// are required: without them New panics, as the daemon's wiring is wrong.
func New(o Options) http.Handler {
	if o.Service == nil || o.Sessions == nil || o.Marks == nil || o.Config == nil {
		panic("web: the web app needs a service, a session store, link marks and the configuration")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Refused == nil {
		o.Refused = func(*http.Request) {}
	}
	a := &app{opt: o, mux: http.NewServeMux()}
	a.routes()
	return a
}

func (a *app) routes() {
	m := a.mux
	m.HandleFunc("GET /{$}", a.signedIn(a.list))
	m.HandleFunc("GET /rooms/new", a.signedIn(a.newRoomForm))
	m.HandleFunc("POST /rooms/new", a.posted(a.addRoom))
	m.HandleFunc("GET /rooms/{id}", a.signedIn(a.room))
	m.HandleFunc("POST /rooms/{id}", a.posted(a.act))
	m.HandleFunc("GET /calendar", a.signedIn(a.calendar))
	m.HandleFunc("GET /signin", a.signInForm)
	m.HandleFunc("POST /signin", a.signInWithToken)
	m.HandleFunc("GET /signin/{token}", a.signInLinkPage)
	m.HandleFunc("POST /signin/{token}", a.signInWithLink)
	m.HandleFunc("POST /signout", a.posted(a.signOut))
	m.HandleFunc("GET /manifest.webmanifest", serveManifest)
	m.HandleFunc("GET /app.css", serveCSS)
	m.HandleFunc("GET /icon-192.png", serveIcon(192))
	m.HandleFunc("GET /icon-512.png", serveIcon(512))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		a.fail(w, r, http.StatusNotFound, a.words().NotFound)
	})
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	a.mux.ServeHTTP(w, r)
}

func (a *app) cfg() *config.Config { return a.opt.Config() }

func (a *app) lang() string { return message.Language(a.cfg().Language) }

func (a *app) words() message.WebWords { return message.Web(a.lang()) }

// session is a signed-in browser: the cookie's value, and the CSRF token
// every form of its pages carries.
type session struct {
	id   string
	csrf string
}

// sessionKey is what the store keeps for a cookie: its digest, so a copy of
// the store signs nobody in.
func sessionKey(cookie string) string {
	sum := sha256.Sum256([]byte("roomwatch web session\x00" + cookie))
	return hex.EncodeToString(sum[:])
}

// csrfToken is the form token of a session: an HMAC keyed by the session's
// secret, so it needs no storage and no other session's token fits.
func csrfToken(cookie string) string {
	m := hmac.New(sha256.New, []byte(cookie))
	m.Write([]byte("roomwatch csrf"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// currentSession is the request's session; ok is false without a valid one.
func (a *app) currentSession(r *http.Request) (session, bool, error) {
	c, err := r.Cookie(cookieName)
	if err != nil || c.Value == "" || len(c.Value) > 128 {
		return session{}, false, nil
	}
	_, ok, err := a.opt.Sessions.LookupWebSession(sessionKey(c.Value), a.opt.Now())
	if err != nil || !ok {
		return session{}, false, err
	}
	return session{id: c.Value, csrf: csrfToken(c.Value)}, true, nil
}

type handler func(w http.ResponseWriter, r *http.Request, s session)

// signedIn serves h to a signed-in browser and sends any other to sign in.
func (a *app) signedIn(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, ok, err := a.currentSession(r)
		switch {
		case err != nil:
			a.opt.Log.Error("web: reading the session", "err", err)
			a.fail(w, r, http.StatusInternalServerError, a.words().Failed)
		case !ok:
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
		default:
			w.Header().Set("Cache-Control", "no-store")
			h(w, r, s)
		}
	}
}

// posted serves h to a POST of a signed-in browser whose form carries the
// session's CSRF token; anything else is refused before it can write.
func (a *app) posted(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		s, ok, err := a.currentSession(r)
		if err != nil {
			a.opt.Log.Error("web: reading the session", "err", err)
			a.fail(w, r, http.StatusInternalServerError, a.words().Failed)
			return
		}
		if !ok {
			a.opt.Log.Warn("web: refused a form without a session", "remote", r.RemoteAddr, "path", r.URL.Path)
			a.fail(w, r, http.StatusForbidden, a.words().Forbidden)
			return
		}
		if err := r.ParseForm(); err != nil {
			a.fail(w, r, http.StatusBadRequest, a.words().Forbidden)
			return
		}
		if subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(s.csrf)) != 1 {
			a.opt.Log.Warn("web: refused a form with a bad CSRF token", "remote", r.RemoteAddr, "path", r.URL.Path)
			a.fail(w, r, http.StatusForbidden, a.words().Forbidden)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		h(w, r, s)
	}
}

// secure reports whether the browser reaches the app over TLS: here, or
// through a reverse proxy at an https public address.
func (a *app) secure(r *http.Request) bool {
	ctrl := a.cfg().Control
	return r.TLS != nil || ctrl.TLS() || strings.HasPrefix(ctrl.PublicURL, "https://")
}

// startSession signs the browser in and sends it to the room list.
func (a *app) startSession(w http.ResponseWriter, r *http.Request) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		a.opt.Log.Error("web: making a session", "err", err)
		a.fail(w, r, http.StatusInternalServerError, a.words().Failed)
		return
	}
	id := base64.RawURLEncoding.EncodeToString(buf)
	now := a.opt.Now()
	if err := a.opt.Sessions.PutWebSession(sessionKey(id), store.WebSession{Created: now, Expires: now.Add(SessionTTL)}, now); err != nil {
		a.opt.Log.Error("web: keeping a session", "err", err)
		a.fail(w, r, http.StatusInternalServerError, a.words().Failed)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: id, Path: "/",
		Expires: now.Add(SessionTTL), MaxAge: int(SessionTTL / time.Second),
		HttpOnly: true, Secure: a.secure(r), SameSite: http.SameSiteStrictMode,
	})
	a.opt.Log.Info("web: a browser signed in", "remote", r.RemoteAddr)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (a *app) signOut(w http.ResponseWriter, r *http.Request, s session) {
	if err := a.opt.Sessions.DeleteWebSession(sessionKey(s.id)); err != nil {
		a.opt.Log.Error("web: signing out", "err", err)
		a.fail(w, r, http.StatusInternalServerError, a.words().Failed)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: a.secure(r), SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/signin?out=1", http.StatusSeeOther)
}

// signInForm asks for the API token.
func (a *app) signInForm(w http.ResponseWriter, r *http.Request) {
	if _, ok, _ := a.currentSession(r); ok {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	v := a.page(r, a.words().SignInTitle)
	if r.URL.Query().Get("out") != "" {
		v.Notice = v.W.SignedOut
	}
	a.render(w, http.StatusOK, "signin", v)
}

func (a *app) signInWithToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	token := ""
	if err := r.ParseForm(); err == nil {
		token = strings.TrimSpace(r.PostForm.Get("token"))
	}
	if !control.SecretMatcher(a.cfg().Control.Token)(token) {
		// The token typed is never logged.
		a.opt.Log.Warn("web: refused a sign-in with a wrong token", "remote", r.RemoteAddr)
		a.opt.Refused(r)
		v := a.page(r, a.words().SignInTitle)
		v.Error = v.W.BadToken
		a.render(w, http.StatusUnauthorized, "signin", v)
		return
	}
	a.startSession(w, r)
}

// signInSigner signs the links of `roomwatch web-link` with a key derived
// from the API token: whoever can print one could sign in with the token
// anyway, the command line needs no access to the daemon's store, and a new
// token ends every link made with the old one. The derived key is not the
// action links' key, so neither kind of link passes for the other.
func signInSigner(token config.Secret) (*links.Signer, error) {
	if token.IsZero() {
		return nil, errors.New("web: sign-in links need control.token")
	}
	m := hmac.New(sha256.New, []byte(token.Value()))
	m.Write([]byte("roomwatch web sign-in link key"))
	return links.NewSigner(m.Sum(nil))
}

// SignInLink is a link that signs one browser in, once, within SignInTTL.
func SignInLink(ctrl config.Control, now time.Time) (string, error) {
	signer, err := signInSigner(ctrl.Token)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, 12)
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	token, err := signer.Sign(links.Claim{Room: hex.EncodeToString(nonce), Action: links.SignIn, Expires: now.Add(SignInTTL)})
	if err != nil {
		return "", err
	}
	return BaseURL(ctrl) + "/signin/" + token, nil
}

// BaseURL is where a browser reaches the web app: control.public_url, or
// the HTTP listener's own address.
func BaseURL(ctrl config.Control) string {
	if ctrl.PublicURL != "" {
		return ctrl.PublicURL
	}
	host, port, err := net.SplitHostPort(ctrl.HTTP)
	if err != nil {
		host, port = ctrl.HTTP, ""
	}
	if host == "" {
		// The listener binds loopback when no host is given.
		host = "127.0.0.1"
	}
	addr := host
	if port != "" {
		addr = net.JoinHostPort(host, port)
	}
	if ctrl.TLS() {
		return "https://" + addr
	}
	return "http://" + addr
}

// RoomURL is the address of a room's page under base (control.public_url).
func RoomURL(base, room string) string {
	return strings.TrimSuffix(base, "/") + "/rooms/" + url.PathEscape(room)
}

// signInClaim checks a sign-in link: genuine, unexpired, unused.
func (a *app) signInClaim(token string) (links.Claim, error) {
	signer, err := signInSigner(a.cfg().Control.Token)
	if err != nil {
		return links.Claim{}, err
	}
	c, err := signer.Verify(token, a.opt.Now())
	if err != nil {
		return c, err
	}
	if c.Action != links.SignIn {
		return c, links.ErrInvalid
	}
	used, err := a.opt.Marks.LinkUsed(links.ID(token))
	if err != nil {
		return c, err
	}
	if used {
		return c, errUsedLink
	}
	return c, nil
}

var errUsedLink = errors.New("web: the sign-in link was used before")

// signInLinkPage shows one button: a chat preview or a mail scanner that
// fetches the link signs nobody in.
func (a *app) signInLinkPage(w http.ResponseWriter, r *http.Request) {
	v := a.page(r, a.words().SignInTitle)
	if _, err := a.signInClaim(r.PathValue("token")); err != nil {
		a.refuseLink(w, r, v, err)
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	a.render(w, http.StatusOK, "signinlink", v)
}

func (a *app) signInWithLink(w http.ResponseWriter, r *http.Request) {
	v := a.page(r, a.words().SignInTitle)
	token := r.PathValue("token")
	c, err := a.signInClaim(token)
	if err != nil {
		a.refuseLink(w, r, v, err)
		return
	}
	first, err := a.opt.Marks.UseLink(links.ID(token), c.Expires, a.opt.Now())
	if err != nil {
		a.refuseLink(w, r, v, err)
		return
	}
	if !first {
		a.refuseLink(w, r, v, errUsedLink)
		return
	}
	a.startSession(w, r)
}

func (a *app) refuseLink(w http.ResponseWriter, r *http.Request, v view, err error) {
	if !errors.Is(err, links.ErrInvalid) && !errors.Is(err, links.ErrExpired) && !errors.Is(err, errUsedLink) {
		a.opt.Log.Error("web: checking a sign-in link", "err", err)
		a.fail(w, r, http.StatusInternalServerError, v.W.Failed)
		return
	}
	// The token is never logged.
	a.opt.Log.Warn("web: refused a sign-in link", "remote", r.RemoteAddr, "reason", err)
	a.opt.Refused(r)
	v.Error = v.W.LinkRefused
	a.render(w, http.StatusForbidden, "message", v)
}

// fail answers with a page that says only msg.
func (a *app) fail(w http.ResponseWriter, r *http.Request, code int, msg string) {
	v := a.page(r, "roomwatch")
	v.Error = msg
	a.render(w, code, "message", v)
}
