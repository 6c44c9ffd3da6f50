package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/roomwatch/roomwatch/config"
)

// debugServer serves net/http/pprof for `roomwatch run --debug-addr`: the
// profiles of a daemon that uses too much memory or CPU, taken where it
// runs. Profiles show the rooms' IDs and titles in memory and cost CPU to
// take, so the server is off by default and answers this machine only.
type debugServer struct {
	srv *http.Server
	ln  net.Listener
}

// listenDebug binds addr (host:port; an empty host or localhost means
// 127.0.0.1) and serves the profiles under /debug/pprof/; nil when addr is
// empty. It refuses an address other machines could reach.
func listenDebug(addr string, log *slog.Logger) (*debugServer, error) {
	if addr == "" {
		return nil, nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("--debug-addr %q: use host:port, e.g. 127.0.0.1:6060: %w", addr, err)
	}
	if !config.Loopback(host) {
		return nil, fmt.Errorf("--debug-addr %s: the profiling server shows the daemon's memory, rooms included, and is served to this machine only: use a loopback address such as 127.0.0.1:%s (reach it from elsewhere through ssh -L)", addr, port)
	}
	if host == "" || host == "localhost" || host == "LOCALHOST" {
		host = "127.0.0.1"
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, fmt.Errorf("--debug-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	d := &debugServer{ln: ln, srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	go func() {
		if err := d.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("debug server", "err", err)
		}
	}()
	log.Info("profiling server listening (--debug-addr)", "url", "http://"+ln.Addr().String()+"/debug/pprof/")
	return d, nil
}

// Close stops the server; a nil server (the default, off) is fine.
func (d *debugServer) Close() {
	if d == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = d.srv.Shutdown(ctx)
}
