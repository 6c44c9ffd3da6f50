package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/roomwatch/roomwatch/app"
)

// Client calls a running daemon's app.Service over its control socket.
type Client struct {
	http *http.Client
	base string
}

var _ app.Service = (*Client)(nil)

// dialTimeout bounds the check whether a daemon answers: a stale socket
// file refuses at once, a live daemon accepts at once.
const dialTimeout = 300 * time.Millisecond

// Dial returns a client when a daemon answers on socket.
func Dial(ctx context.Context, socket string) (*Client, bool) {
	if socket == "" {
		return nil, false
	}
	d := net.Dialer{Timeout: dialTimeout}
	c, err := d.DialContext(ctx, "unix", socket)
	if err != nil {
		return nil, false
	}
	c.Close()
	return NewClient(socket), true
}

// NewClient returns a client for the daemon on socket.
func NewClient(socket string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
	}
	return &Client{http: &http.Client{Transport: tr, Timeout: 30 * time.Second}, base: "http://roomwatch"}
}

func (c *Client) call(ctx context.Context, method, path string, query url.Values, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("control: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("control: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("control: the daemon did not answer: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var eb errorBody
		if err := json.NewDecoder(resp.Body).Decode(&eb); err != nil || eb.Error == "" {
			return fmt.Errorf("control: the daemon answered %s", resp.Status)
		}
		if eb.Input {
			return &app.InputError{Msg: eb.Error}
		}
		return errors.New(eb.Error)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("control: reading the daemon's answer: %w", err)
	}
	return nil
}

func timeQuery(q url.Values, name string, t time.Time) {
	if !t.IsZero() {
		q.Set(name, t.Format(time.RFC3339Nano))
	}
}

func (c *Client) Record(ctx context.Context, req app.EventRequest) (app.RoomStatus, error) {
	var out app.RoomStatus
	return out, c.call(ctx, http.MethodPost, pathEvents, nil, req, &out)
}

func (c *Client) Ack(ctx context.Context, req app.AckRequest) (app.AckResult, error) {
	var out app.AckResult
	return out, c.call(ctx, http.MethodPost, pathAck, nil, req, &out)
}

func (c *Client) Snooze(ctx context.Context, req app.SnoozeRequest) (app.RoomStatus, error) {
	var out app.RoomStatus
	return out, c.call(ctx, http.MethodPost, pathSnooze, nil, req, &out)
}

func (c *Client) Status(ctx context.Context, req app.StatusRequest) ([]app.RoomStatus, error) {
	q := url.Values{}
	if req.Room != "" {
		q.Set("room", req.Room)
	}
	timeQuery(q, "now", req.Now)
	var out []app.RoomStatus
	return out, c.call(ctx, http.MethodGet, pathStatus, q, nil, &out)
}

func (c *Client) Plan(ctx context.Context, req app.PlanRequest) ([]app.PlanStep, error) {
	q := url.Values{}
	timeQuery(q, "now", req.Now)
	timeQuery(q, "until", req.Until)
	var out []app.PlanStep
	return out, c.call(ctx, http.MethodGet, pathPlan, q, nil, &out)
}

func (c *Client) History(ctx context.Context, req app.HistoryRequest) (app.History, error) {
	var out app.History
	return out, c.call(ctx, http.MethodGet, pathHistory, url.Values{"room": {req.Room}}, nil, &out)
}

func (c *Client) Reload(ctx context.Context) error {
	var out struct {
		Reloaded bool `json:"reloaded"`
	}
	return c.call(ctx, http.MethodPost, pathReload, nil, struct{}{}, &out)
}

// Where asks the daemon which configuration and store it runs on.
func (c *Client) Where(ctx context.Context) (app.Where, error) {
	var out app.Where
	if err := c.call(ctx, http.MethodGet, pathWhere, nil, nil, &out); err != nil {
		return app.Where{}, err
	}
	// Whatever the daemon's own Local says, the answer came over its socket.
	out.Daemon = true
	return out, nil
}

// Backup streams the daemon's consistent copy of its store into w. A copy
// whose length does not match what the daemon says it sent is an error, so
// a cut-off transfer never passes for a backup.
func (c *Client) Backup(ctx context.Context, w io.Writer) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+pathBackup, nil)
	if err != nil {
		return 0, fmt.Errorf("control: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("control: the daemon did not answer: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var eb errorBody
		if json.NewDecoder(resp.Body).Decode(&eb) == nil && eb.Error != "" {
			return 0, errors.New(eb.Error)
		}
		return 0, fmt.Errorf("control: the daemon answered %s", resp.Status)
	}
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return n, fmt.Errorf("control: receiving the backup: %w", err)
	}
	if want := resp.Trailer.Get("Backup-Length"); want != strconv.FormatInt(n, 10) {
		return n, fmt.Errorf("control: the backup was cut off (got %d bytes, the daemon sent %q)", n, want)
	}
	return n, nil
}
