package web

import (
	"bytes"
	"embed"
	"html/template"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"sync"
)

//go:embed assets/*.html assets/app.css
var assets embed.FS

// pages are the page templates, each parsed with the layout.
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"list", "room", "new", "calendar", "signin", "signinlink", "message"} {
		out[name] = template.Must(template.ParseFS(assets, "assets/layout.html", "assets/"+name+".html"))
	}
	return out
}()

// render writes page with v; the page is rendered into memory first, so a
// template error never sends half a page.
func (a *app) render(w http.ResponseWriter, code int, page string, v view) {
	var buf bytes.Buffer
	if err := pages[page].ExecuteTemplate(&buf, "layout", v); err != nil {
		a.opt.Log.Error("web: rendering a page", "page", page, "err", err)
		http.Error(w, "roomwatch: the page could not be drawn", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

func serveCSS(w http.ResponseWriter, r *http.Request) {
	css, _ := assets.ReadFile("assets/app.css")
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(css)
}

// manifest lets a phone add the app to its home screen.
const manifest = `{
  "name": "roomwatch",
  "short_name": "roomwatch",
  "start_url": "/",
  "scope": "/",
  "display": "standalone",
  "background_color": "#f1f5f9",
  "theme_color": "#1e3a8a",
  "icons": [
    {"src": "/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any maskable"},
    {"src": "/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any maskable"}
  ]
}
`

func serveManifest(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/manifest+json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write([]byte(manifest))
}

var (
	iconsMu sync.Mutex
	icons   = map[int][]byte{}
)

func serveIcon(size int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		iconsMu.Lock()
		b, ok := icons[size]
		if !ok {
			b = drawIcon(size)
			icons[size] = b
		}
		iconsMu.Unlock()
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Cache-Control", "public, max-age=86400")
		_, _ = w.Write(b)
	}
}

// drawIcon draws the app's icon: a white clock face with its hands at ten
// to two on the brand's blue, filling the square so it survives a phone's
// mask (the safe zone is the centre 80%).
func drawIcon(size int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	blue := color.NRGBA{0x1e, 0x3a, 0x8a, 0xff}
	red := color.NRGBA{0xdc, 0x26, 0x26, 0xff}
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	s := float64(size)
	c := s / 2
	face := s * 0.32
	ring := s * 0.045
	// distance from point (px,py) to the segment (0,0)-(hx,hy) around the centre
	seg := func(px, py, hx, hy float64) float64 {
		t := math.Max(0, math.Min(1, (px*hx+py*hy)/(hx*hx+hy*hy)))
		dx, dy := px-t*hx, py-t*hy
		return math.Hypot(dx, dy)
	}
	hour := [2]float64{-math.Sin(math.Pi/3) * face * 0.55, -math.Cos(math.Pi/3) * face * 0.55}
	minute := [2]float64{math.Sin(math.Pi/3) * face * 0.8, -math.Cos(math.Pi/3) * face * 0.8}
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			px, py := float64(x)+0.5-c, float64(y)+0.5-c
			d := math.Hypot(px, py)
			col := blue
			switch {
			case d <= face-ring:
				col = white
				if seg(px, py, hour[0], hour[1]) <= s*0.028 || seg(px, py, minute[0], minute[1]) <= s*0.022 {
					col = blue
				}
				if d <= s*0.035 {
					col = red
				}
			case d <= face:
				col = color.NRGBA{0xbf, 0xdb, 0xfe, 0xff}
			}
			img.SetNRGBA(x, y, col)
		}
	}
	// the alert's dot, top right
	dot := s * 0.09
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			if math.Hypot(float64(x)+0.5-(c+face*0.78), float64(y)+0.5-(c-face*0.78)) <= dot {
				img.SetNRGBA(x, y, red)
			}
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}
