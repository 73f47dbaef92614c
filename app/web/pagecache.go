package web

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"
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

// cacheBytes bounds what the cache holds (bodies and their compressed copies): past it, it
// starts afresh. cacheLife is how long an entry lasts (pages show time: what is upcoming).
const (
	cacheBytes = 64 << 20
	cacheLife  = time.Minute
)

type pageCache struct {
	mu      sync.RWMutex
	rev     int64
	bytes   int // held, roughly
	entries map[string]cacheEntry
}

// cachedResponse is a whole response, with its compressed forms made on first demand.
type cachedResponse struct {
	made                                   time.Time
	body, etag                             string
	contentType, disposition, cacheControl string
	once                                   [2]sync.Once
	compressed                             [2][]byte // brotli, gzip
}

// cachedContent is a page's content, rendered; its deflated form is made on first demand.
type cachedContent struct {
	made               time.Time
	title, description string
	body               []byte // HTML, escaped by html/template
	once               sync.Once
	deflated           []byte
}

func newPageCache() *pageCache {
	return &pageCache{entries: map[string]cacheEntry{}}
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
		pc.clear()
	}
	return rev == pc.rev
}

// clear drops everything; the caller holds the write lock.
func (pc *pageCache) clear() {
	pc.entries, pc.bytes = map[string]cacheEntry{}, 0
}

// grow counts n more bytes held, dropping everything first when that would pass the bound.
// The caller holds the write lock.
func (pc *pageCache) grow(n int) {
	if pc.bytes+n > cacheBytes {
		pc.clear()
	}
	pc.bytes += n
}

// cacheEntry is what the cache holds: a whole response, or a page's content.
type cacheEntry interface {
	madeAt() time.Time
	size() int
}

func (e *cachedResponse) madeAt() time.Time { return e.made }
func (e *cachedResponse) size() int         { return len(e.body) }
func (e *cachedContent) madeAt() time.Time  { return e.made }
func (e *cachedContent) size() int          { return len(e.body) }

// lookup returns the entry of key, of type E, made for revision rev less than cacheLife ago.
func lookup[E cacheEntry](pc *pageCache, rev int64, key string, now time.Time) (E, bool) {
	var zero E
	if !pc.at(rev) {
		return zero, false
	}
	pc.mu.RLock()
	defer pc.mu.RUnlock()
	e, ok := pc.entries[key].(E)
	if !ok || now.Sub(e.madeAt()) >= cacheLife {
		return zero, false
	}
	return e, true
}

// put files e under key for revision rev, unless the cache has moved to a newer one.
func (pc *pageCache) put(rev int64, key string, e cacheEntry) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if rev != pc.rev {
		return
	}
	pc.grow(e.size())
	pc.entries[key] = e
}

// counted adds the bytes of a compressed copy made after the entry was stored.
func (pc *pageCache) counted(n int) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	pc.grow(n)
}

// cacheQuery lists the query parameters the cached pages read; others do not make another
// entry (nor reach the page, which is drawn for the address without them).
var cacheQuery = []string{"format", "kind", "lang", "language", "topic"}

// cacheURL is the address a cached page is filed under: the path and the parameters it reads.
func cacheURL(c *fiber.Ctx) string {
	q := url.Values{}
	for _, k := range cacheQuery {
		if v := c.Query(k); v != "" {
			q.Set(k, strings.Clone(v))
		}
	}
	if len(q) == 0 {
		return strings.Clone(c.Path())
	}
	return strings.Clone(c.Path()) + "?" + q.Encode()
}

// Keys of c.Locals the cache leaves for s.page.
const (
	localCacheFill  = "cache_fill"  // an anonymous response being cached: no visitor cookie
	localContentFor = "content_for" // *contentFill: render the content apart and keep it
	localRevisions  = "revisions"   // store.Revisions read for this request
	localCacheURL   = "cache_url"   // the address the page is drawn for: cacheURL
	localNoCache    = "no_cache"    // the page shows what only this viewer may see
)

// noCache marks this request's page as one that must not be cached for others: it shows the
// viewer what their own roles let them see (a draft, the organiser's links).
func noCache(c *fiber.Ctx) { c.Locals(localNoCache, true) }

// contentFill is where s.page leaves the content it rendered for the cache.
type contentFill struct {
	rev  int64
	key  string
	made time.Time
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

// cached serves h's answer from the page cache, filling it on a miss. Requests that miss the
// same entry at once wait for one of them to render it.
func (s *Server) cached(h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		variant := cacheVariant(c)
		if variant == "" {
			return h(c)
		}
		revs, err := s.revisions.read(c)
		if err != nil {
			return err
		}
		rev := revs.Content
		page := cacheURL(c)
		c.Locals(localCacheURL, page)
		key := variant + "\x00" + lang(c) + "\x00" + page
		now := s.Clock.Now()
		if variant != "anon" {
			if e, ok := lookup[*cachedContent](s.cache, rev, key, now); ok {
				return s.page(c, fiber.StatusOK, "", "", &Page{Title: e.title, Description: e.description, cached: e})
			}
			leader := false
			_, err, _ := s.fills.Do(key, func() (any, error) {
				leader = true
				c.Locals(localContentFor, &contentFill{rev: rev, key: key, made: now})
				return nil, h(c)
			})
			if leader {
				return err
			}
			if e, ok := lookup[*cachedContent](s.cache, rev, key, now); ok {
				return s.page(c, fiber.StatusOK, "", "", &Page{Title: e.title, Description: e.description, cached: e})
			}
			return h(c)
		}
		if e, ok := lookup[*cachedResponse](s.cache, rev, key, now); ok {
			return s.sendCached(c, e)
		}
		leader := false
		_, err, _ = s.fills.Do(key, func() (any, error) {
			leader = true
			return nil, s.fill(c, h, rev, key, now)
		})
		if leader {
			return err
		}
		if e, ok := lookup[*cachedResponse](s.cache, rev, key, now); ok {
			return s.sendCached(c, e)
		}
		return h(c)
	}
}

// fill runs h for an anonymous request and keeps its answer when it is a whole 200.
func (s *Server) fill(c *fiber.Ctx, h fiber.Handler, rev int64, key string, now time.Time) error {
	c.Locals(localCacheFill, true)
	if err := h(c); err != nil {
		return err
	}
	res := c.Response()
	if res.StatusCode() != fiber.StatusOK || len(res.Header.ContentEncoding()) > 0 || c.Locals(localNoCache) != nil {
		return nil
	}
	body := string(res.Body()) // a copy: Fiber reuses the buffer
	e := &cachedResponse{made: now, body: body, contentType: string(res.Header.ContentType()),
		disposition: string(res.Header.Peek(fiber.HeaderContentDisposition)), cacheControl: string(res.Header.Peek(fiber.HeaderCacheControl))}
	if tag := res.Header.Peek(fiber.HeaderETag); len(tag) > 0 {
		e.etag = string(tag)
	} else {
		sum := sha256.Sum256([]byte(body))
		e.etag = `W/"` + hex.EncodeToString(sum[:16]) + `"` // weak: sent gzipped, brotli or as it is
		c.Set(fiber.HeaderETag, e.etag)
	}
	s.cache.put(rev, key, e)
	return nil
}

// revisionReader reads the content revision for many requests at once: a request waits for
// the next read that starts after it arrived (never one already under way, which could predate
// a change it must see), and every request waiting then shares that one read. Under load this
// is one query per round trip to the database instead of one per request.
type revisionReader struct {
	db      bun.IDB
	mu      sync.Mutex
	next    *revisionRound
	reading bool
}

type revisionRound struct {
	done chan struct{}
	revs store.Revisions
	err  error
}

// read returns the revisions as they are now, or later, never earlier; a request reads them
// once (the login cache and the page cache share what it read).
func (r *revisionReader) read(c *fiber.Ctx) (store.Revisions, error) {
	if revs, ok := c.Locals(localRevisions).(store.Revisions); ok {
		return revs, nil
	}
	revs, err := r.readNew(c.UserContext())
	if err == nil {
		c.Locals(localRevisions, revs)
	}
	return revs, err
}

func (r *revisionReader) readNew(ctx context.Context) (store.Revisions, error) {
	r.mu.Lock()
	if r.next == nil {
		r.next = &revisionRound{done: make(chan struct{})}
	}
	round := r.next
	if !r.reading {
		r.reading = true
		go r.loop()
	}
	r.mu.Unlock()
	select {
	case <-round.done:
		return round.revs, round.err
	case <-ctx.Done():
		return store.Revisions{}, ctx.Err()
	}
}

// loop runs rounds while requests wait for one.
func (r *revisionReader) loop() {
	for {
		r.mu.Lock()
		round := r.next
		r.next = nil
		if round == nil {
			r.reading = false
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		round.revs, round.err = store.ReadRevisions(ctx, r.db)
		cancel()
		close(round.done)
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
		return c.Send(e.compress(0, s.cache))
	case enc.HasAcceptEncoding("gzip"):
		c.Set(fiber.HeaderContentEncoding, "gzip")
		return c.Send(e.compress(1, s.cache))
	}
	return c.SendString(e.body)
}

func (e *cachedResponse) compress(i int, pc *pageCache) []byte {
	e.once[i].Do(func() {
		defer func() { pc.counted(len(e.compressed[i])) }()
		if i == 0 {
			e.compressed[i] = fasthttp.AppendBrotliBytesLevel(nil, []byte(e.body), fasthttp.CompressBrotliDefaultCompression)
		} else {
			e.compressed[i] = fasthttp.AppendGzipBytesLevel(nil, []byte(e.body), fasthttp.CompressDefaultCompression)
		}
	})
	return e.compressed[i]
}

// contentMarker stands in the layout where cached content goes; the layout is drawn per
// request (the person's name, their forms' tokens, a message) and the content put in its place.
const contentMarker = "<!--convene:content-->"

// gzipHeader is a gzip member's header: deflate, no name, no time, unknown system.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// deflate returns the content as a deflate segment of its own: compressed by a fresh
// compressor (it refers to nothing before it) and ended by a sync flush on a byte boundary (so
// more blocks may follow). Made once per cached entry.
func (e *cachedContent) deflate() []byte {
	e.once.Do(func() {
		var b bytes.Buffer
		w, _ := flate.NewWriter(&b, flate.DefaultCompression)
		_, _ = w.Write(e.body)
		_ = w.Flush()
		e.deflated = b.Bytes()
	})
	return e.deflated
}

// sendAround sends layout with the cached content in place of its marker. A client that takes
// gzip gets one gzip stream spliced from the layout's two parts, deflated now, and the content
// deflated once: the page is not compressed again on every request.
func sendAround(c *fiber.Ctx, status int, layout []byte, content *cachedContent) error {
	i := bytes.Index(layout, []byte(contentMarker))
	if i < 0 {
		return errors.New("the layout lost the content marker")
	}
	pre, post := layout[:i], layout[i+len(contentMarker):]
	c.Vary(fiber.HeaderAcceptEncoding)
	if !c.Context().Request.Header.HasAcceptEncoding("gzip") {
		out := make([]byte, 0, len(pre)+len(content.body)+len(post))
		out = append(append(append(out, pre...), content.body...), post...)
		return c.Status(status).Send(out)
	}
	// The layout's parts go as stored (uncompressed) blocks: a few kilobytes that cost nothing
	// to frame, where compressing them would cost more than the rest of the request.
	var b bytes.Buffer
	b.Grow(len(gzipHeader) + len(pre) + len(content.deflate()) + len(post) + 64)
	b.Write(gzipHeader)
	storedBlocks(&b, pre, false)
	b.Write(content.deflate())
	storedBlocks(&b, post, true)
	crc := crc32.ChecksumIEEE(pre)
	crc = crc32.Update(crc, crc32.IEEETable, content.body)
	crc = crc32.Update(crc, crc32.IEEETable, post)
	b.Write(binary.LittleEndian.AppendUint32(nil, crc))
	b.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(pre)+len(content.body)+len(post))))
	c.Set(fiber.HeaderContentEncoding, "gzip")
	return c.Status(status).Send(b.Bytes())
}

// storedBlocks writes data as deflate stored blocks (RFC 1951 §3.2.4), starting on a byte
// boundary as a sync flush leaves it; final marks the last block of the stream.
func storedBlocks(b *bytes.Buffer, data []byte, final bool) {
	for {
		n := min(len(data), 0xffff)
		last := final && n == len(data)
		if last {
			b.WriteByte(1)
		} else {
			b.WriteByte(0)
		}
		b.Write([]byte{byte(n), byte(n >> 8), ^byte(n), ^byte(n >> 8)})
		b.Write(data[:n])
		data = data[n:]
		if len(data) == 0 && (last || !final) {
			return
		}
	}
}
