package control

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// After maxFailures refused credentials (bad tokens, bad links) from one
// client address within failureWindow, that address is answered 429 until
// the window ends: a guessing script learns nothing, a seller who mistyped
// waits a minute.
const (
	maxFailures   = 10
	failureWindow = time.Minute
	// maxTracked bounds the table; past it, finished windows are dropped.
	maxTracked = 4096
)

type failureLimit struct {
	now    func() time.Time
	mu     sync.Mutex
	byAddr map[string]*failures
}

type failures struct {
	n     int
	since time.Time
}

func newFailureLimit(now func() time.Time) *failureLimit {
	return &failureLimit{now: now, byAddr: map[string]*failures{}}
}

// clientAddr is the address a request came from, without its port. Behind
// a reverse proxy every request shares the proxy's address; headers such
// as X-Forwarded-For are not trusted, since anyone can write them.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// fail counts one refused credential from r's client.
func (l *failureLimit) fail(r *http.Request) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	addr := clientAddr(r)
	f := l.byAddr[addr]
	if f == nil || now.Sub(f.since) >= failureWindow {
		if len(l.byAddr) >= maxTracked {
			for a, old := range l.byAddr {
				if now.Sub(old.since) >= failureWindow {
					delete(l.byAddr, a)
				}
			}
		}
		f = &failures{since: now}
		l.byAddr[addr] = f
	}
	f.n++
}

// wait is how long r's client must wait, or 0.
func (l *failureLimit) wait(r *http.Request) time.Duration {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.byAddr[clientAddr(r)]
	if f == nil || f.n < maxFailures {
		return 0
	}
	left := f.since.Add(failureWindow).Sub(now)
	if left <= 0 {
		return 0
	}
	return left
}

// guard answers 429 to a client over its failures, before any credential
// is looked at.
func (l *failureLimit) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if left := l.wait(r); left > 0 {
			secs := int(left.Round(time.Second) / time.Second)
			if secs < 1 {
				secs = 1
			}
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			writeJSON(w, http.StatusTooManyRequests, errorBody{Error: fmt.Sprintf("control: too many refused requests from %s; try again in %d s", clientAddr(r), secs)})
			return
		}
		next.ServeHTTP(w, r)
	})
}
