package notifier

import (
	"io"
	"net/http"
)

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
