package web

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	core "github.com/roomwatch/roomwatch/app"
)

// The browser tests drive a real headless Chromium (Debian's chromium
// package), one browser for the whole test binary; each test gets its own
// browser context, so cookies never cross tests.

var updateScreenshots = flag.Bool("update-screenshots", false, "write the README's screenshots to docs/")

var browser context.Context // nil when no Chromium was found

// chromiumPath finds the browser: $ROOMWATCH_CHROMIUM, or the usual names.
func chromiumPath() string {
	if p := os.Getenv("ROOMWATCH_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func TestMain(m *testing.M) {
	flag.Parse()
	var stop func()
	if path := chromiumPath(); path != "" && !testing.Short() {
		opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
			chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(390, 844),
			chromedp.Flag("lang", "ja-JP"))
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelBrowser := chromedp.NewContext(alloc)
		// The first Run starts the browser; it must not carry a timeout.
		if err := chromedp.Do(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "web: starting %s failed: %v; the browser tests will fail\n", path, err)
		}
		browser = ctx
		stop = func() { cancelBrowser(); cancelAlloc() }
	}
	code := m.Run()
	if stop != nil {
		stop()
	}
	os.Exit(code)
}

// tab opens a fresh browser context (no cookies) with a phone's viewport.
func tab(t *testing.T) context.Context {
	t.Helper()
	if browser == nil {
		t.Skip("no Chromium found (install Debian's chromium package, or set ROOMWATCH_CHROMIUM): browser tests skipped")
	}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 20*time.Second)
	t.Cleanup(cancelTimeout)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2))); err != nil {
		t.Fatal(err)
	}
	return ctx
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	must(t, err)
	return v
}

// signIn opens the app, is sent to the sign-in page and signs in with the
// token, as a seller does the first time.
func signIn(t *testing.T, ctx context.Context, f *fixture) {
	t.Helper()
	must(t, chromedp.Do(ctx, chromedp.Navigate(f.base+"/")))
	if loc := run(t, ctx, chromedp.Location()); !strings.HasSuffix(loc, "/signin") {
		t.Fatalf("without a session the app opened %s, not the sign-in page", loc)
	}
	must(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("token"), testToken)))
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("signin-button")))
	must(t, err)
	if resp.Status != 200 {
		t.Fatalf("signing in ended on %d", resp.Status)
	}
	must(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("read-at"))))
}

func TestBrowserSignInAndRoomsInUrgencyOrder(t *testing.T) {
	ctx := tab(t)
	f := newFixture(t, "ja")
	signIn(t, ctx, f)
	got := run(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#rooms [data-room]")].map(e => e.dataset.room)`))
	sts, err := f.local.Status(context.Background(), core.StatusRequest{})
	must(t, err)
	var want []string
	for _, st := range sts {
		want = append(want, st.Room)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("rooms on the page %v, roomwatch status %v", got, want)
	}
	// The overdue delivery comes first, in red, saying how late it is.
	first := run(t, ctx, chromedp.Text(chromedp.CSS("#rooms li:first-child .left")))
	if !strings.Contains(first, "超過") {
		t.Errorf("the first room says %q, not overdue", first)
	}
	cookies := run(t, ctx, chromedp.Evaluate[string](`document.cookie`))
	if strings.Contains(cookies, cookieName) {
		t.Error("the session cookie is readable from JavaScript: it must be HttpOnly")
	}
}

func TestBrowserTheBuyerWroteMovesTheNextDeadline(t *testing.T) {
	ctx := tab(t)
	f := newFixture(t, "ja")
	signIn(t, ctx, f)
	must(t, chromedp.Do(ctx, chromedp.Navigate(f.base+"/rooms/4012349")))
	before := run(t, ctx, chromedp.Text(chromedp.ID("next-deadline")))
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("ev-buyer_message")))
	must(t, err)
	if resp.Status != 200 {
		t.Fatalf("the buyer wrote: answered %d", resp.Status)
	}
	notice := run(t, ctx, chromedp.Text(chromedp.ID("notice")))
	after := run(t, ctx, chromedp.Text(chromedp.ID("next-deadline")))
	if !strings.Contains(notice, "購入者から連絡あり") || after == before {
		t.Fatalf("after the buyer wrote: notice %q, next deadline %q (was %q)", notice, after, before)
	}
	st, err := f.local.Status(context.Background(), core.StatusRequest{Room: "4012349"})
	must(t, err)
	app := New(Options{Service: f.local, Sessions: f.store, Marks: f.store, Config: f.local.Config, Now: f.clock.Now}).(*app)
	if want := app.when(st[0].Next.Deadline); after != want {
		t.Errorf("the page shows %q; roomwatch status says %s", after, want)
	}
	ev := f.events("4012349")
	if last := ev[len(ev)-1]; last.Event != "buyer_message" || last.Source != core.SourceWeb {
		t.Errorf("roomwatch history shows %+v, want buyer_message from web", last)
	}
	if src := run(t, ctx, chromedp.Text(chromedp.CSS("#events li:first-child .source"))); !strings.Contains(src, "web") {
		t.Errorf("the page's history says %q", src)
	}
}

func TestBrowserAddARoomKeepsTheComments(t *testing.T) {
	ctx := tab(t)
	f := newFixture(t, "ja")
	before := f.configText()
	signIn(t, ctx, f)
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(f.base+"/rooms/new"),
		chromedp.SendKeys(chromedp.ID("f-id"), "https://coconala.com/talkrooms/4030303"),
		chromedp.SendKeys(chromedp.ID("f-title"), "ロゴの色違い 3案"),
		chromedp.SendKeys(chromedp.ID("f-buyer"), "watanabe"),
		chromedp.SendKeys(chromedp.ID("f-due"), "2026-11-28"),
		chromedp.SetValue(chromedp.ID("f-via"), "quote"),
	))
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("f-add")))
	must(t, err)
	if resp.Status != 200 {
		t.Fatalf("adding ended on %d", resp.Status)
	}
	if notice := run(t, ctx, chromedp.Text(chromedp.ID("notice"))); !strings.Contains(notice, "4030303") {
		t.Errorf("notice %q", notice)
	}
	if steps := run(t, ctx, chromedp.Text(chromedp.ID("alerts"))); !strings.Contains(steps, "重要事項の送付") {
		t.Errorf("the new room's plan:\n%s", steps)
	}
	after := f.configText()
	for _, line := range strings.Split(before, "\n") {
		if !strings.Contains(after, line) {
			t.Errorf("the line %q was lost", line)
		}
	}
	for _, want := range []string{`id: "4030303"`, "title: ロゴの色違い 3案", "buyer: watanabe", "due: 2026-11-28", "via: quote", "url: https://coconala.com/talkrooms/4030303"} {
		if !strings.Contains(after, want) {
			t.Errorf("the file lacks %q:\n%s", want, after)
		}
	}
}

func TestBrowserRefusesWithoutSessionOrWithABadCSRFToken(t *testing.T) {
	ctx := tab(t)
	f := newFixture(t, "en")
	yaml := f.configText()
	events := len(f.events("4012345"))
	// A page of another origin cannot read the token; even a form posted
	// from this origin without a session is refused.
	must(t, chromedp.Do(ctx, chromedp.Navigate(f.base+"/signin")))
	post := chromedp.Evaluate[chromedp.Void](`(() => {
		const f = document.createElement("form");
		f.method = "post"; f.action = "/rooms/4012345";
		for (const [k, v] of [["event", "buyer_message"], ["csrf", "x"]]) {
			const i = document.createElement("input"); i.name = k; i.value = v; f.append(i);
		}
		document.body.append(f); f.submit();
	})()`)
	resp, err := chromedp.RunResponse(ctx, post)
	must(t, err)
	if resp.Status != 403 {
		t.Errorf("a POST without a session answered %d", resp.Status)
	}
	signIn(t, ctx, f)
	must(t, chromedp.Do(ctx, chromedp.Navigate(f.base+"/rooms/4012345"),
		chromedp.SetValue(chromedp.CSS(`#record input[name="csrf"]`), "forged")))
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("ev-buyer_message")))
	must(t, err)
	if resp.Status != 403 {
		t.Errorf("a form with a bad CSRF token answered %d", resp.Status)
	}
	if msg := run(t, ctx, chromedp.Text(chromedp.ID("error"))); !strings.Contains(msg, "Nothing was recorded") {
		t.Errorf("the refusal says %q", msg)
	}
	if n := len(f.events("4012345")); n != events {
		t.Errorf("%d events were written", n-events)
	}
	if f.configText() != yaml {
		t.Error("the configuration changed")
	}
}

// TestBrowserScreenshots draws the README's screenshots (390×844, ja):
// go test ./control/web -run Screenshots -update-screenshots
func TestBrowserScreenshots(t *testing.T) {
	ctx := tab(t)
	f := newFixture(t, "ja")
	// Some history for the room page to show.
	_, err := f.local.Record(context.Background(), core.EventRequest{Room: "4012345", Event: "seller_message",
		At: testNow.Add(-2 * time.Hour), Source: core.SourceWeb})
	must(t, err)
	signIn(t, ctx, f)
	shots := []struct{ path, file string }{
		{"/", "web-rooms.ja.png"},
		{"/rooms/4012345", "web-room.ja.png"},
	}
	for _, s := range shots {
		must(t, chromedp.Do(ctx, chromedp.Navigate(f.base+s.path)))
		png := run(t, ctx, chromedp.CaptureScreenshot())
		if len(png) < 1000 {
			t.Fatalf("%s: a screenshot of %d bytes", s.path, len(png))
		}
		if *updateScreenshots {
			must(t, os.WriteFile(filepath.Join("..", "..", "docs", s.file), png, 0o644))
		}
	}
}
