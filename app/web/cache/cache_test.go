package cache

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// TestPagesFollowTheRevision: a newer revision drops what the cache held, a request that read
// an older one neither reads nor fills it, and an entry lasts Life.
func TestPagesFollowTheRevision(t *testing.T) {
	pc := NewPages()
	now := time.Unix(1_800_000_000, 0)
	pc.PutContent(0, "k", NewContent(now, "t", "", []byte("zero")))
	if _, ok := pc.Content(0, "k", now); !ok {
		t.Fatal("an entry of the current revision is missing")
	}
	if _, ok := pc.Content(1, "k", now); ok {
		t.Fatal("a newer revision still sees the older entry")
	}
	pc.PutContent(0, "k", NewContent(now, "t", "", []byte("stale")))
	if _, ok := pc.Content(0, "k", now); ok {
		t.Fatal("a request that read an older revision filled or read the cache")
	}
	pc.PutContent(1, "k", NewContent(now, "t", "", []byte("one")))
	if _, ok := pc.Content(1, "k", now.Add(Life-time.Second)); !ok {
		t.Fatal("an entry is gone before its life ends")
	}
	if _, ok := pc.Content(1, "k", now.Add(Life)); ok {
		t.Fatal("an entry outlives its life")
	}
	if _, ok := pc.Response(1, "k", now); ok {
		t.Fatal("content was taken for a whole response")
	}
}

// TestSendAroundSplices: the gzip stream spliced from stored blocks and the content's own
// deflate segment decodes to the page, also when the layout's parts pass a stored block's
// 65,535 bytes.
func TestSendAroundSplices(t *testing.T) {
	for _, n := range []int{0, 10, 70_000, 140_000} {
		pre := "<html><body>" + strings.Repeat("a", n)
		post := strings.Repeat("z", n/2) + "</body></html>"
		content := NewContent(time.Now(), "", "", bytes.Repeat([]byte("<p>content</p>"), 500))
		app := fiber.New()
		app.Get("/", func(c *fiber.Ctx) error {
			return SendAround(c, fiber.StatusOK, []byte(pre+Marker+post), content)
		})
		for _, enc := range []string{"", "gzip"} {
			req := httptest.NewRequest("GET", "/", nil)
			if enc != "" {
				req.Header.Set("Accept-Encoding", enc)
			}
			res, err := app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			var r io.Reader = res.Body
			if res.Header.Get("Content-Encoding") == "gzip" {
				zr, err := gzip.NewReader(res.Body)
				if err != nil {
					t.Fatalf("layout %d bytes: %v", n, err)
				}
				r = zr
			} else if enc == "gzip" {
				t.Fatalf("layout %d bytes: asked for gzip, got %q", n, res.Header.Get("Content-Encoding"))
			}
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatalf("layout %d bytes, %q: %v", n, enc, err)
			}
			if want := pre + string(content.body) + post; string(got) != want {
				t.Fatalf("layout %d bytes, %q: the page differs (%d bytes, want %d)", n, enc, len(got), len(want))
			}
		}
	}
}

// TestLoginsFollowTheRevision: a login checked under an older revision is not taken, nor one
// past its idle limit.
func TestLoginsFollowTheRevision(t *testing.T) {
	lc := NewLogins()
	now := time.Unix(1_800_000_000, 0)
	e := Login{Checked: now}
	e.Login.ExpiresAt, e.Login.LastSeenAt = now.Add(time.Hour), now
	lc.Put(0, "tok", e)
	if _, ok := lc.Get(0, "tok", now, time.Hour); !ok {
		t.Fatal("a fresh login is missing")
	}
	if _, ok := lc.Get(0, "tok", now.Add(2*time.Minute), time.Minute); ok {
		t.Fatal("a login past its idle limit was taken")
	}
	if _, ok := lc.Get(1, "tok", now, time.Hour); ok {
		t.Fatal("a login checked under an older revision was taken")
	}
	if _, ok := lc.Get(0, "tok", now, time.Hour); ok {
		t.Fatal("the cache went back to an older revision")
	}
}

// TestMemo: a value is made once per key and revision, given again at that revision for Life
// at most, made anew at a newer one or after that, and not kept when making it failed.
func TestMemo(t *testing.T) {
	var m Memo[int64, int]
	made := 0
	fill := func() (int, error) { made++; return made, nil }
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		rev, key  int64
		after     time.Duration
		want, had int
	}{{1, 7, 0, 1, 1}, {1, 7, 0, 1, 1}, {2, 7, 0, 2, 2}, {1, 7, 0, 2, 2}, {2, 8, 0, 3, 3}, {2, 7, Life / 2, 2, 3}, {2, 7, Life, 4, 4}} {
		got, err := m.Get(c.rev, c.key, now.Add(c.after), fill)
		if err != nil || got != c.want || made != c.had {
			t.Fatalf("revision %d, key %d, %v on: %d (made %d times), want %d (%d)", c.rev, c.key, c.after, got, made, c.want, c.had)
		}
	}
	if _, err := m.Get(3, 7, now, func() (int, error) { return 0, errors.New("no") }); err == nil {
		t.Fatal("a failed fill gave no error")
	}
	if got, _ := m.Get(3, 7, now, fill); got != 5 {
		t.Fatalf("after a failed fill: %d, want a value made anew", got)
	}
}
