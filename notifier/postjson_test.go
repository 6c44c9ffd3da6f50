package notifier

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestPostJSON(t *testing.T) {
	var gotType, gotAuth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotType, gotAuth = r.Header.Get("Content-Type"), r.Header.Get("Authorization")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"bad"}`))
	}))
	defer srv.Close()
	ctx := context.Background()

	resp, answer, retry, err := PostJSON(ctx, srv.Client(), srv.URL, time.Second, []byte(`{}`), http.Header{"Authorization": {"Bearer t"}}, 1<<10)
	if err != nil || retry || resp.StatusCode != http.StatusBadRequest || string(answer) != `{"error":"bad"}` {
		t.Fatalf("PostJSON = %v, %q, %v, %v", resp, answer, retry, err)
	}
	if gotType != "application/json" || gotAuth != "Bearer t" {
		t.Errorf("headers sent: Content-Type %q, Authorization %q", gotType, gotAuth)
	}

	// A header may name another Content-Type (a webhook's `headers`).
	form := http.Header{}
	form.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, _, _, err := PostJSON(ctx, srv.Client(), srv.URL, time.Second, []byte(`a=1`), form, 1<<10); err != nil || gotType != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type %q with another one named, err %v", gotType, err)
	}

	// No answer at all: worth a retry. A request that cannot be made: not.
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	if _, _, retry, err := PostJSON(ctx, http.DefaultClient, closed.URL, time.Second, nil, nil, 1); err == nil || !retry {
		t.Errorf("closed server: retry %v, err %v; want an error worth a retry", retry, err)
	}
	if _, _, retry, err := PostJSON(ctx, http.DefaultClient, "http://[::1", time.Second, nil, nil, 1); err == nil || retry {
		t.Errorf("bad URL: retry %v, err %v; want an error no retry mends", retry, err)
	}
}
