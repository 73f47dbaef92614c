package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// One browser for the whole package, a fresh tab (and cookie-free browser context) per test.
var shared struct {
	once   sync.Once
	ctx    context.Context
	cancel []context.CancelFunc
	err    error
	camera string // the file the browser's fake camera plays
}

func closeBrowser() {
	for i := len(shared.cancel) - 1; i >= 0; i-- {
		shared.cancel[i]()
	}
}

// tab opens a new tab in a new browser context (its own cookies) in Spanish, as a Mexican
// participant's browser would be. Browser tests fail, never skip, when Chromium is missing,
// unless CONVENE_TEST_SKIP_BROWSER=1 opts out explicitly.
func tab(t *testing.T) context.Context {
	t.Helper()
	return tabFor(t, 3*time.Minute) // the walk's tabs share the browser and both cores: a loaded machine was seen to take 90 s
}

// tabFor is tab with its own time limit, for a walk of many pages.
func tabFor(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	if os.Getenv("CONVENE_TEST_SKIP_BROWSER") == "1" {
		t.Skip("browser tests skipped: CONVENE_TEST_SKIP_BROWSER=1")
	}
	shared.once.Do(func() {
		path := os.Getenv("CONVENE_TEST_CHROMIUM")
		if path == "" {
			path = "/usr/bin/chromium-headless-shell" // .ci/ensure-chromium says why
		}
		if _, err := os.Stat(path); err != nil {
			shared.err = fmt.Errorf("chromium not found at %s (install Debian's chromium-headless-shell: apt-get install "+
				"chromium-headless-shell, or run make test, which installs it; CONVENE_TEST_CHROMIUM sets another path)", path)
			return
		}
		dir, err := os.MkdirTemp("", "convene-chromium-")
		if err != nil {
			shared.err = err
			return
		}
		// The camera is a video file (fakeCamera writes it): the desk's test shows it a badge.
		shared.camera = filepath.Join(dir, "camera.y4m")
		if err := writeY4M(shared.camera, nil); err != nil {
			shared.err = err
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.UserDataDir(dir),
			chromedp.Flag("use-fake-ui-for-media-stream", true), chromedp.Flag("use-fake-device-for-media-stream", true),
			chromedp.Flag("use-file-for-fake-video-capture", shared.camera),
			chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-background-networking", true), chromedp.Flag("lang", "es-MX"),
			chromedp.Flag("accept-lang", "es-MX,es"),
			// One origin, ours: site isolation's processes cost an eighth of the browser's CPU
			// and protect nothing here. The features chromedp turns off stay off.
			chromedp.Flag("disable-site-isolation-trials", true),
			chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,IsolateOrigins,site-per-process"),
		)
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		browser, cancelBrowser := chromedp.NewContext(alloc)
		shared.cancel = append(shared.cancel, cancelAlloc, cancelBrowser, func() { os.RemoveAll(dir) })
		shared.ctx = browser
		shared.err = chromedp.Do(browser)
	})
	if shared.err != nil {
		t.Fatalf("starting the browser: %v", shared.err)
	}
	ctx, cancel := chromedp.NewContext(shared.ctx, chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(ctx, limit)
	t.Cleanup(func() {
		if t.Failed() {
			screenshot(t, ctx)
		}
		cancelTimeout()
		cancel()
	})
	return ctx
}

// screenshot saves what the tab shows, for a failed journey.
func screenshot(t *testing.T, ctx context.Context) {
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
	if err != nil {
		t.Logf("no screenshot: %v", err)
		return
	}
	dir := os.Getenv("CONVENE_TEST_ARTIFACTS")
	if dir == "" {
		dir = os.TempDir()
	}
	name := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())+".jpg")
	if err := os.WriteFile(name, png, 0o644); err == nil {
		t.Logf("screenshot of the failure: %s", name)
	}
}

// waitJS waits until the JavaScript expression is true in the current page. A poll that the
// page's navigation interrupts starts again on the new page.
func waitJS(what, expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for {
			_, err := chromedp.Poll[bool](expr)(ctx, tg)
			if err == nil {
				return nil
			}
			if ctx.Err() != nil || !navigationInterrupted(err) {
				return fmt.Errorf("waiting for %s: %w", what, err)
			}
		}
	})
}

// navigationInterrupted tells the errors of a page that went away under the poll.
func navigationInterrupted(err error) bool {
	for _, m := range []string{"navigated or closed", "Cannot find context", "Execution context was destroyed"} {
		if strings.Contains(err.Error(), m) {
			return true
		}
	}
	return false
}

// clickOn clicks the element sel finds, as chromedp.Click does, again if the page replaced the
// element between finding it and clicking it (a page still settling after the one before): that
// failure comes before any click is sent, so nothing is clicked twice.
func clickOn(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for {
			_, err := chromedp.Click(chromedp.CSS(sel))(ctx, tg)
			if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), "Could not find node with given id") {
				return err
			}
		}
	})
}

// sendForm clicks a form's button and waits for the page that answers it: the same words may
// be on the page it leaves, so waiting for them would not say the page has changed.
func sendForm(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := chromedp.Evaluate[bool](`(window.convenedLeaving = true)`)(ctx, tg); err != nil {
			return err
		}
		if _, err := clickOn(sel)(ctx, tg); err != nil {
			return err
		}
		_, err := waitJS("the next page", `window.convenedLeaving === undefined && document.readyState === "complete"`)(ctx, tg)
		return err
	})
}

// waitText waits until the page's visible text contains s.
func waitText(s string) chromedp.Action[chromedp.Void] {
	lit, _ := json.Marshal(s)
	return waitJS(fmt.Sprintf("the text %q", s), fmt.Sprintf("document.body !== null && document.body.innerText.includes(%s)", lit))
}

// waitLang waits until the page is in lang.
func waitLang(lang string) chromedp.Action[chromedp.Void] {
	return waitJS("the page language "+lang, fmt.Sprintf("document.documentElement.lang === %q", lang))
}

// fill sets form fields by id (f-NAME), by script: ids with dots (title.es) are not CSS-safe.
func fill(values map[string]string) chromedp.Action[chromedp.Void] {
	b, _ := json.Marshal(values)
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		// The whole form first: a text near the top of a page can show while a loaded machine
		// still parses the fields below it.
		if _, err := chromedp.Poll[bool](`document.readyState === "complete"`)(ctx, tg); err != nil {
			return err
		}
		missing, err := chromedp.Evaluate[string](fmt.Sprintf(`(() => { for (const [k, v] of Object.entries(%s)) {
			const el = document.getElementById("f-" + k); if (!el) { return k } el.value = v } return "" })()`, b))(ctx, tg)
		if err == nil && missing != "" {
			err = fmt.Errorf("no field %s", missing)
		}
		return err
	})
}
