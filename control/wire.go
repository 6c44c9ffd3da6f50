package control

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules"
)

// remoteSources are the sources a caller of the HTTP API may name: yaml
// belongs to the configuration and link to the link endpoint.
var remoteSources = []string{app.SourceHTTP, app.SourceCLI, app.SourceSlack, app.SourceNtfy, app.SourceMail}

// maxBody bounds a request: every request body is a few hundred bytes.
const maxBody = 64 << 10

// wire is how one transport reads requests: the source an event gets when
// its body names none, which sources a body may name (nil: any word), and
// the zone times without an offset are read in.
type wire struct {
	source  string
	sources []string
	loc     func() *time.Location
}

// requestError is a request refused before it reached the service, with
// the status it deserves.
type requestError struct {
	status int
	msg    string
}

func (e *requestError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &requestError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// decode reads exactly one JSON object into v: unknown fields, trailing
// data and oversized bodies are refused.
func decode(r *http.Request, w http.ResponseWriter, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return &requestError{http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", maxBody)}
		}
		return badRequest("reading the request body: %v", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("empty request body: send one JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("bad request body: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("bad request body: data after the JSON object: send exactly one")
	}
	return nil
}

// eventBody is app.EventRequest as it travels: the time as text, in any form
// the command line takes.
type eventBody struct {
	Room   string          `json:"room"`
	Event  rules.EventKind `json:"event"`
	At     string          `json:"at,omitempty"`
	Source string          `json:"source,omitempty"`
}

func (wr wire) event(r *http.Request, w http.ResponseWriter) (app.EventRequest, error) {
	var b eventBody
	if err := decode(r, w, &b); err != nil {
		return app.EventRequest{}, err
	}
	req := app.EventRequest{Room: b.Room, Event: b.Event, Source: b.Source}
	if b.At != "" {
		at, err := config.ParseTime(b.At, wr.loc())
		if err != nil {
			return app.EventRequest{}, badRequest("at: %v", err)
		}
		req.At = at
	}
	switch {
	case req.Source == "":
		req.Source = wr.source
	case wr.sources != nil && !slices.Contains(wr.sources, req.Source):
		return app.EventRequest{}, badRequest("source: unknown source %q (one of %s, or leave it out for %s)", req.Source, strings.Join(wr.sources, ", "), wr.source)
	case len(req.Source) > 32:
		return app.EventRequest{}, badRequest("source: %d bytes is too long for a source name", len(req.Source))
	}
	return req, nil
}

// snoozeBody is app.SnoozeRequest as it travels: "for" is a duration as the
// command line writes it ("2h", "1d12h"), or, as older clients send it, a
// number of nanoseconds.
type snoozeBody struct {
	Room string          `json:"room"`
	For  json.RawMessage `json:"for"`
}

func (wr wire) snooze(r *http.Request, w http.ResponseWriter) (app.SnoozeRequest, error) {
	var b snoozeBody
	if err := decode(r, w, &b); err != nil {
		return app.SnoozeRequest{}, err
	}
	d, err := snoozeFor(b.For)
	if err != nil {
		return app.SnoozeRequest{}, err
	}
	return app.SnoozeRequest{Room: b.Room, For: d}, nil
}

func snoozeFor(raw json.RawMessage) (time.Duration, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return 0, badRequest(`for: missing: give a duration such as "2h"`)
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, badRequest("for: %v", err)
		}
		d, err := config.ParseDuration(s)
		if err != nil {
			return 0, badRequest("for: %v", err)
		}
		return d, nil
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, badRequest(`for: %s is not a duration: write it as text, such as "2h" or "1d12h"`, raw)
	}
	return time.Duration(n), nil
}

// queryTime reads the query parameter name as a time in any form the
// command line takes; absent is the zero time.
func (wr wire) queryTime(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := config.ParseTime(v, wr.loc())
	if err != nil {
		return time.Time{}, badRequest("%s: %v", name, err)
	}
	return t, nil
}

// location is the zone times without an offset are read in: the
// configuration's, which a reload may change.
func location(svc app.Service) func() *time.Location {
	l, ok := svc.(interface{ Location() *time.Location })
	if !ok {
		return func() *time.Location { return time.UTC }
	}
	return l.Location
}
