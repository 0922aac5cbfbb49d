package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// newBrowser starts a headless Chromium, or skips the test when none can
// start.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests skipped in -short mode")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900))
	for _, path := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if _, err := exec.LookPath(path); err == nil {
			opts = append(opts, chromedp.ExecPath(path))
			break
		}
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Skipf("no browser could start: %v", err)
	}
	return ctx
}

// TestBrowser drives the pages: home → a card, a row's evidence, a search,
// a facet.
func TestBrowser(t *testing.T) {
	ctx := newBrowser(t)
	ts := httptest.NewServer(New(sampleCollection(), Options{Title: "veille"}))
	defer ts.Close()
	err := chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(`ol.cards a.card-title`),
		chromedp.Click(`ol.cards a[href="/cards/`+idAI+`"]`),
		chromedp.WaitVisible(`#text mark.ev`),
		chromedp.Click(`#row-signals-1 td`),
		chromedp.Sleep(800*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	active := evaluate[bool](t, ctx, `document.querySelector('mark.ev[data-ev~="signals-1"]').classList.contains('active')`)
	visible := evaluate[bool](t, ctx, `(function(){var m=document.querySelector('mark.ev.active').getBoundingClientRect();
		var b=document.getElementById('text').getBoundingClientRect();
		return m.height>0 && m.top>=b.top && m.bottom<=b.bottom && m.top>=0 && m.bottom<=innerHeight;})()`)
	loc := evaluate[string](t, ctx, `location.href`)
	if !active || !visible || !strings.HasSuffix(loc, "#ev-signals-1") {
		t.Errorf("evidence: active %v, visible %v, location %s", active, visible, loc)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.SendKeys(`#q`, "batteries\n"),
		chromedp.WaitVisible(`.snippet mark`))
	if err != nil {
		t.Fatal(err)
	}
	marks := evaluate[string](t, ctx, `document.querySelector('.snippet mark').textContent`)
	err = chromedp.Do(ctx,
		chromedp.Click(`//details[@data-facet="category"]//a[text()="infrastructures"]`),
		chromedp.WaitVisible(`a.chip`))
	if err != nil {
		t.Fatal(err)
	}
	loc = evaluate[string](t, ctx, `location.href`)
	if !strings.EqualFold(marks, "batteries") || !strings.Contains(loc, "category=infrastructures") || !strings.Contains(loc, "q=batteries") {
		t.Errorf("search and facet: mark %q, location %s", marks, loc)
	}
	if os.Getenv("VEILLE_SCREENSHOTS") == "1" {
		screenshots(t, ctx, ts.URL)
	}
}

// screenshots captures the card page and the list at desktop and phone
// sizes: the desktop ones into docs/, the phone ones into a temporary
// folder for review.
func screenshots(t *testing.T, ctx context.Context, base string) {
	phoneDir := filepath.Join(os.TempDir(), "veille-screens")
	os.MkdirAll(phoneDir, 0o755)
	for _, size := range []struct {
		w, h int64
		dir  string
	}{{1280, 900, filepath.Join("..", "docs")}, {390, 844, phoneDir}} {
		for name, path := range map[string]string{"serve-card.png": "/cards/" + idAI + "#ev-signals-1",
			"serve-list.png": "/cards?theme=gouvernance", "serve-home.png": "/", "serve-signals.png": "/signals"} {
			err := chromedp.Do(ctx,
				chromedp.EmulateViewport(size.w, size.h),
				chromedp.Navigate(base+path),
				chromedp.WaitVisible(`main`),
				chromedp.Sleep(2500*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(size.dir, name)
			if name == "serve-home.png" || name == "serve-signals.png" {
				out = filepath.Join(phoneDir, fmt.Sprint(size.w, "-", name))
			}
			if err := os.WriteFile(out, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s (%d×%d, %d KB)", out, size.w, size.h, len(png)/1024)
		}
	}
}

// evaluate runs a JavaScript expression in the page and returns its value.
func evaluate[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}
