package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
)

// API paths, shared by the server and the client.
const (
	pathEvents  = "/v1/events"
	pathAck     = "/v1/ack"
	pathSnooze  = "/v1/snooze"
	pathStatus  = "/v1/status"
	pathPlan    = "/v1/plan"
	pathHistory = "/v1/history"
	pathReload  = "/v1/reload"
	pathBackup  = "/v1/backup"
	pathWhere   = "/v1/where"
	pathBuyer   = "/v1/buyer"
)

// versionHeader names the running daemon's build in GET /v1/status.
const versionHeader = "Roomwatch-Version"

// errorBody is how the API reports a failure.
type errorBody struct {
	Error string `json:"error"`
	Input bool   `json:"input,omitempty"`
}

// Handler serves an app.Service as JSON over HTTP on the control socket: events
// without a source are the command line's.
func Handler(svc app.Service, log *slog.Logger) http.Handler {
	return serve(svc, log, wire{source: app.SourceCLI, loc: location(svc)})
}

// route is one operation of the API.
type route struct {
	method, path string
	serve        func(w http.ResponseWriter, r *http.Request) (any, error)
}

// serve puts the routes of svc on a mux; every answer, a refusal included,
// is JSON.
func serve(svc app.Service, log *slog.Logger, wr wire) http.Handler {
	routes := []route{
		{"POST", pathEvents, func(w http.ResponseWriter, r *http.Request) (any, error) {
			req, err := wr.event(r, w)
			if err != nil {
				return nil, err
			}
			return svc.Record(r.Context(), req)
		}},
		{"POST", pathAck, func(w http.ResponseWriter, r *http.Request) (any, error) {
			var req app.AckRequest
			if err := decode(r, w, &req); err != nil {
				return nil, err
			}
			return svc.Ack(r.Context(), req)
		}},
		{"POST", pathSnooze, func(w http.ResponseWriter, r *http.Request) (any, error) {
			req, err := wr.snooze(r, w)
			if err != nil {
				return nil, err
			}
			return svc.Snooze(r.Context(), req)
		}},
		{"GET", pathStatus, func(w http.ResponseWriter, r *http.Request) (any, error) {
			now, err := wr.queryTime(r, "now")
			if err != nil {
				return nil, err
			}
			// A header, so the body (a JSON array of rooms) stays as it was.
			if b, ok := svc.(interface{ BuildVersion() string }); ok && b.BuildVersion() != "" {
				w.Header().Set(versionHeader, b.BuildVersion())
			}
			return svc.Status(r.Context(), app.StatusRequest{Room: r.URL.Query().Get("room"), Now: now})
		}},
		{"GET", pathPlan, func(w http.ResponseWriter, r *http.Request) (any, error) {
			now, err := wr.queryTime(r, "now")
			if err != nil {
				return nil, err
			}
			until, err := wr.queryTime(r, "until")
			if err != nil {
				return nil, err
			}
			return svc.Plan(r.Context(), app.PlanRequest{Now: now, Until: until})
		}},
		{"GET", pathHistory, func(w http.ResponseWriter, r *http.Request) (any, error) {
			return svc.History(r.Context(), app.HistoryRequest{Room: r.URL.Query().Get("room")})
		}},
		{"POST", pathReload, func(w http.ResponseWriter, r *http.Request) (any, error) {
			err := svc.Reload(r.Context())
			return struct {
				Reloaded bool `json:"reloaded"`
			}{err == nil}, err
		}},
		{"GET", pathWhere, func(w http.ResponseWriter, r *http.Request) (any, error) {
			return svc.Where(r.Context())
		}},
		{"GET", pathBuyer, func(w http.ResponseWriter, r *http.Request) (any, error) {
			now, err := wr.queryTime(r, "now")
			if err != nil {
				return nil, err
			}
			q := r.URL.Query()
			return svc.Buyer(r.Context(), app.BuyerRequest{Buyer: q.Get("buyer"), Platform: q.Get("platform"), Now: now})
		}},
	}
	mux := http.NewServeMux()
	for _, rt := range routes {
		mux.HandleFunc(rt.method+" "+rt.path, func(w http.ResponseWriter, r *http.Request) {
			reply(w, log)(rt.serve(w, r))
		})
	}
	mux.HandleFunc("GET "+pathBackup, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		// Errors after the first byte cannot change the status: the client
		// sees a short body and refuses it (it checks the length trailer).
		cw := &countingWriter{w: w}
		if _, err := svc.Backup(r.Context(), cw); err != nil {
			log.Error("backup over the control socket failed", "err", err)
			if cw.n == 0 {
				writeJSON(w, http.StatusInternalServerError, errorBody{Error: err.Error()})
			}
			return
		}
		w.Header().Set(http.TrailerPrefix+"Backup-Length", strconv.FormatInt(cw.n, 10))
	})
	routes = append(routes, route{method: "GET", path: pathBackup})
	if handleStats(mux, svc, log) {
		routes = append(routes, route{method: "GET", path: pathStats})
	}
	if handleMail(mux, svc, log) {
		routes = append(routes, route{method: "POST", path: pathMail})
	}
	if handleWebLogout(mux, svc, log) {
		routes = append(routes, route{method: "POST", path: pathWebLogout})
	}
	// Any other method on a known path, and any unknown path, get a JSON
	// refusal rather than the mux's plain text.
	allowed := map[string][]string{}
	for _, rt := range routes {
		allowed[rt.path] = append(allowed[rt.path], rt.method)
	}
	for path, methods := range allowed {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", strings.Join(methods, ", "))
			writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: fmt.Sprintf("%s does not take %s: use %s", path, r.Method, strings.Join(methods, " or ")), Input: true})
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, errorBody{Error: fmt.Sprintf("no such operation: %s %s", r.Method, r.URL.Path), Input: true})
	})
	return mux
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// reply writes a service result: 200 with the value, 400 for the caller's
// mistake, 500 otherwise.
func reply(w http.ResponseWriter, log *slog.Logger) func(any, error) {
	return func(v any, err error) {
		var refused *requestError
		switch {
		case err == nil:
			writeJSON(w, http.StatusOK, v)
		case errors.As(err, &refused):
			writeJSON(w, refused.status, errorBody{Error: refused.msg, Input: true})
		case app.IsInputError(err):
			writeJSON(w, http.StatusBadRequest, errorBody{Error: err.Error(), Input: true})
		default:
			log.Error("control request failed", "err", err)
			writeJSON(w, http.StatusInternalServerError, errorBody{Error: err.Error()})
		}
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// Server is the daemon's control socket.
type Server struct {
	socket string
	http   *http.Server
	done   chan struct{}
}

type peerKey struct{}

// Listen serves svc on the configured unix socket, mode 0600, accepting only
// the daemon's own user and root.
func Listen(ctrl config.Control, svc app.Service, log *slog.Logger) (*Server, error) {
	path := ctrl.Socket
	if path == "" {
		return nil, errors.New("control: no socket path configured")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("control: socket folder: %w", err)
	}
	if _, err := os.Lstat(path); err == nil {
		if c, err := net.DialTimeout("unix", path, 200*time.Millisecond); err == nil {
			c.Close()
			return nil, fmt.Errorf("control: %s answers: another roomwatch is running with this configuration", path)
		}
		// A socket left by a daemon that died: nobody listens on it.
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("control: removing the stale socket: %w", err)
		}
	}
	// The umask makes the socket 0600 from birth; the chmod is for umasks
	// that were already stricter or a file system that ignores it.
	old := unix.Umask(0o177)
	ln, err := net.Listen("unix", path)
	unix.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("control: listen on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control: %w", err)
	}
	uid := os.Getuid()
	handler := Handler(svc, log)
	s := &Server{socket: path, done: make(chan struct{})}
	s.http = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			peer, _ := r.Context().Value(peerKey{}).(int)
			if peer != uid && peer != 0 {
				writeJSON(w, http.StatusForbidden, errorBody{Error: "control: only the daemon's own user or root may use this socket"})
				return
			}
			handler.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 5 * time.Second,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, peerKey{}, peerUID(c))
		},
	}
	go func() {
		defer close(s.done)
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("control socket stopped", "err", err)
		}
	}()
	return s, nil
}

// peerUID is the uid of the process on the other end of a unix socket, or
// -1 when it cannot be told.
func peerUID(c net.Conn) int {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return -1
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return -1
	}
	uid := -1
	_ = raw.Control(func(fd uintptr) { uid = socketPeerUID(int(fd)) }) // peer_*.go
	return uid
}

// Close stops serving and removes the socket file.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	err := s.http.Shutdown(ctx)
	<-s.done
	os.Remove(s.socket)
	return err
}
