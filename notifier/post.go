package notifier

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"
)

// PostJSON posts body to url within timeout as JSON (unless header names
// another Content-Type), with header's fields, and returns the answer as Do does. A request that
// cannot be built is a mistake no retry mends (retry false); no answer at
// all (err from Do) is one the retry loop may mend (retry true). The
// caller names itself in the error and redacts its secrets from it.
func PostJSON(ctx context.Context, client *http.Client, url string, timeout time.Duration, body []byte, header http.Header, limit int64) (resp *http.Response, answer []byte, retry bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, nil, false, err
	}
	req.Header.Set("Content-Type", "application/json")
	for name, values := range header {
		req.Header[name] = values // a webhook's headers may name another Content-Type
	}
	resp, answer, err = Do(client, req, limit)
	if err != nil {
		// The retry loop's deadline bounds the wait for the network.
		return nil, nil, true, err
	}
	return resp, answer, false, nil
}

// Do sends req and returns the response with at most limit bytes of its
// body, what a backend reads for the service's reason; the rest is drained
// so the connection can be reused, and the body is closed. A non-nil error
// means no response came (a timeout, a refused or reset connection, a DNS
// hiccup): the network may come back, so it is worth retrying. Backends
// classify the status themselves and redact their secrets from any error.
func Do(client *http.Client, req *http.Request, limit int64) (*http.Response, []byte, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, limit))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp, body, nil
}

// Succeeded reports whether resp is a 2xx answer.
func Succeeded(resp *http.Response) bool {
	return resp.StatusCode >= 200 && resp.StatusCode < 300
}
