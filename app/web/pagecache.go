package web

import (
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"strconv"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/store"
)

// The page cache keeps what public pages and feeds render, for the current content revision
// (store.ContentRevision): every change to what they show grows the revision in its own
// transaction, so the next request on any instance misses and renders afresh. Anonymous
// requests get whole responses (with their ETag and compressed copies); signed-in people
// whose pages look alike (admins; members who hold no role) get the page's content, with the
// layout (their name, their forms' tokens, a message) drawn for them. People who run some
// process see organiser links that depend on it, and are served uncached. Time shows on these
// pages (what is upcoming, what ended), so an entry also lasts at most a minute.

// cacheEntries bounds each map: the filters' query strings make keys without end.
const cacheEntries = 4096

type pageCache struct {
	mu        sync.RWMutex
	rev       int64
	responses map[string]*cachedResponse
	contents  map[string]cachedContent
}

// cachedResponse is a whole response, with its compressed forms made on first demand.
type cachedResponse struct {
	body, etag                             string
	contentType, disposition, cacheControl string
	once                                   [2]sync.Once
	compressed                             [2][]byte // brotli, gzip
}

type cachedContent struct {
	title, description string
	body               template.HTML
}

func newPageCache() *pageCache {
	return &pageCache{responses: map[string]*cachedResponse{}, contents: map[string]cachedContent{}}
}

// at moves the cache to revision rev when that is newer (dropping what it held) and tells
// whether rev is the one it holds: a request that read an older revision neither reads nor
// fills it.
func (pc *pageCache) at(rev int64) bool {
	pc.mu.RLock()
	cur := pc.rev
	pc.mu.RUnlock()
	if rev == cur {
		return true
	}
	if rev < cur {
		return false
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if rev > pc.rev {
		pc.rev = rev
		pc.responses = map[string]*cachedResponse{}
		pc.contents = map[string]cachedContent{}
	}
	return rev == pc.rev
}

func (pc *pageCache) response(rev int64, key string) (*cachedResponse, bool) {
	if !pc.at(rev) {
		return nil, false
	}
	pc.mu.RLock()
	defer pc.mu.RUnlock()
	e, ok := pc.responses[key]
	return e, ok
}

func (pc *pageCache) putResponse(rev int64, key string, e *cachedResponse) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if rev != pc.rev {
		return
	}
	if len(pc.responses) >= cacheEntries {
		pc.responses = map[string]*cachedResponse{}
	}
	pc.responses[key] = e
}

func (pc *pageCache) content(rev int64, key string) (cachedContent, bool) {
	if !pc.at(rev) {
		return cachedContent{}, false
	}
	pc.mu.RLock()
	defer pc.mu.RUnlock()
	e, ok := pc.contents[key]
	return e, ok
}

func (pc *pageCache) putContent(rev int64, key string, e cachedContent) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if rev != pc.rev {
		return
	}
	if len(pc.contents) >= cacheEntries {
		pc.contents = map[string]cachedContent{}
	}
	pc.contents[key] = e
}

// Keys of c.Locals the cache leaves for s.page.
const (
	localCacheFill  = "cache_fill"  // an anonymous response being cached: no visitor cookie
	localContentFor = "content_for" // *contentFill: render the content apart and keep it
)

// contentFill is where s.page leaves the content it rendered for the cache.
type contentFill struct {
	rev  int64
	key  string
	done bool
}

// cacheVariant says whose view of a page this request gets: "" when it must not be cached.
func cacheVariant(c *fiber.Ctx) string {
	if c.Method() != fiber.MethodGet || c.Cookies("convene_flash") != "" && account(c) == nil {
		return ""
	}
	a := account(c)
	switch {
	case a == nil:
		return "anon"
	case a.IsAdmin:
		return "admin " + a.TimeZone
	}
	if l, ok := c.Locals(localLogin).(accounts.Login); ok && !l.HasRoles {
		return "member " + a.TimeZone
	}
	return ""
}

// cached serves h's answer from the page cache, filling it on a miss.
func (s *Server) cached(h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		variant := cacheVariant(c)
		if variant == "" {
			return h(c)
		}
		rev, err := store.ContentRevision(c.UserContext(), s.DB)
		if err != nil {
			return err
		}
		key := variant + "\x00" + lang(c) + "\x00" + strconv.FormatInt(s.Clock.Now().Unix()/60, 10) + "\x00" + c.OriginalURL()
		if variant != "anon" {
			if e, ok := s.cache.content(rev, key); ok {
				return s.page(c, fiber.StatusOK, "", "", &Page{Title: e.title, Description: e.description, Body: e.body})
			}
			c.Locals(localContentFor, &contentFill{rev: rev, key: key})
			return h(c)
		}
		if e, ok := s.cache.response(rev, key); ok {
			return s.sendCached(c, e)
		}
		c.Locals(localCacheFill, true)
		if err := h(c); err != nil {
			return err
		}
		res := c.Response()
		if res.StatusCode() != fiber.StatusOK || len(res.Header.ContentEncoding()) > 0 {
			return nil
		}
		body := string(res.Body()) // a copy: Fiber reuses the buffer
		e := &cachedResponse{body: body, contentType: string(res.Header.ContentType()),
			disposition: string(res.Header.Peek(fiber.HeaderContentDisposition)), cacheControl: string(res.Header.Peek(fiber.HeaderCacheControl))}
		if tag := res.Header.Peek(fiber.HeaderETag); len(tag) > 0 {
			e.etag = string(tag)
		} else {
			sum := sha256.Sum256([]byte(body))
			e.etag = `"` + hex.EncodeToString(sum[:16]) + `"`
			c.Set(fiber.HeaderETag, e.etag)
		}
		s.cache.putResponse(rev, key, e)
		return nil
	}
}

// sendCached answers from a cached response: 304 when the client holds it, else the body,
// compressed as the client accepts (brotli, then gzip), each compressed once per entry.
func (s *Server) sendCached(c *fiber.Ctx, e *cachedResponse) error {
	c.Set(fiber.HeaderContentType, e.contentType)
	c.Set(fiber.HeaderETag, e.etag)
	if e.cacheControl != "" {
		c.Set(fiber.HeaderCacheControl, e.cacheControl)
	}
	if e.disposition != "" {
		c.Set(fiber.HeaderContentDisposition, e.disposition)
	}
	c.Vary(fiber.HeaderAcceptLanguage, fiber.HeaderCookie, fiber.HeaderAcceptEncoding)
	if match := c.Get(fiber.HeaderIfNoneMatch); match != "" && etagMatches(match, e.etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	enc := &c.Context().Request.Header
	switch {
	case len(e.body) < 200:
	case enc.HasAcceptEncoding("br"):
		c.Set(fiber.HeaderContentEncoding, "br")
		return c.Send(e.compress(0))
	case enc.HasAcceptEncoding("gzip"):
		c.Set(fiber.HeaderContentEncoding, "gzip")
		return c.Send(e.compress(1))
	}
	return c.SendString(e.body)
}

func (e *cachedResponse) compress(i int) []byte {
	e.once[i].Do(func() {
		if i == 0 {
			e.compressed[i] = fasthttp.AppendBrotliBytesLevel(nil, []byte(e.body), fasthttp.CompressBrotliDefaultCompression)
		} else {
			e.compressed[i] = fasthttp.AppendGzipBytesLevel(nil, []byte(e.body), fasthttp.CompressDefaultCompression)
		}
	})
	return e.compressed[i]
}
