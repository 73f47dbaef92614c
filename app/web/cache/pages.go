// Package cache holds what spares a request its work: the page cache (whole public
// responses, and the content of pages signed-in people see alike), the login cache, and the
// revision reader both are keyed by. Every change to what pages show or to a login grows a
// revision in the database (store.ContentChanged, store.LoginsChanged), so an instance that
// reads a newer revision drops what it held: instances share nothing but the database.
package cache

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// pageBytes bounds what the page cache holds (bodies and their compressed copies): past it,
// it starts afresh. Life is how long an entry lasts: pages show time (what is upcoming, what
// ended).
const (
	pageBytes = 64 << 20
	Life      = time.Minute
)

// Pages holds rendered pages for one content revision.
type Pages struct {
	mu      sync.RWMutex
	rev     int64
	bytes   int // held, roughly
	entries map[string]entry
}

// Response is a whole response, with its compressed forms made on first demand.
type Response struct {
	made                                   time.Time
	body, etag                             string
	contentType, disposition, cacheControl string
	once                                   [2]sync.Once
	compressed                             [2][]byte // brotli, gzip
}

// Content is a page's content, rendered, to be drawn inside each viewer's own layout, or a
// part of a page that the pages of many viewers share (a forum's programme); its deflated
// form is made on first demand.
type Content struct {
	made               time.Time
	Title, Description string
	body               []byte // HTML, escaped by html/template
	once               sync.Once
	deflated           []byte
}

// NewContent is a page's rendered content, made at made.
func NewContent(made time.Time, title, description string, body []byte) *Content {
	return &Content{made: made, Title: title, Description: description, body: body}
}

// NewPages is an empty page cache.
func NewPages() *Pages {
	return &Pages{entries: map[string]entry{}}
}

// at moves the cache to revision rev when that is newer (dropping what it held) and tells
// whether rev is the one it holds: a request that read an older revision neither reads nor
// fills it.
func (pc *Pages) at(rev int64) bool {
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
func (pc *Pages) clear() {
	pc.entries, pc.bytes = map[string]entry{}, 0
}

// grow counts n more bytes held, dropping everything first when that would pass the bound.
// The caller holds the write lock.
func (pc *Pages) grow(n int) {
	if pc.bytes+n > pageBytes {
		pc.clear()
	}
	pc.bytes += n
}

// entry is what the cache holds: a whole response, or a page's content.
type entry interface {
	madeAt() time.Time
	size() int
}

func (e *Response) madeAt() time.Time { return e.made }
func (e *Response) size() int         { return len(e.body) }
func (e *Content) madeAt() time.Time  { return e.made }
func (e *Content) size() int          { return len(e.body) }

func lookup[E entry](pc *Pages, rev int64, key string, now time.Time) (E, bool) {
	var zero E
	if !pc.at(rev) {
		return zero, false
	}
	pc.mu.RLock()
	defer pc.mu.RUnlock()
	e, ok := pc.entries[key].(E)
	if !ok || now.Sub(e.madeAt()) >= Life {
		return zero, false
	}
	return e, true
}

// Response returns the whole response filed under key for revision rev less than Life ago.
func (pc *Pages) Response(rev int64, key string, now time.Time) (*Response, bool) {
	return lookup[*Response](pc, rev, key, now)
}

// Content returns the content filed under key for revision rev less than Life ago.
func (pc *Pages) Content(rev int64, key string, now time.Time) (*Content, bool) {
	return lookup[*Content](pc, rev, key, now)
}

// PutContent files e under key for revision rev, unless the cache has moved to a newer one.
func (pc *Pages) PutContent(rev int64, key string, e *Content) { pc.put(rev, key, e) }

func (pc *Pages) put(rev int64, key string, e entry) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if rev != pc.rev {
		return
	}
	pc.grow(e.size())
	pc.entries[key] = e
}

// counted adds the bytes of a compressed copy made after the entry was stored.
func (pc *Pages) counted(n int) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	pc.grow(n)
}

// Keep files c's answer under key for revision rev when it is a whole, uncompressed 200,
// giving it a weak ETag when the handler set none (it is sent gzipped, brotli or as it is).
func (pc *Pages) Keep(c *fiber.Ctx, rev int64, key string, now time.Time) {
	res := c.Response()
	if res.StatusCode() != fiber.StatusOK || len(res.Header.ContentEncoding()) > 0 {
		return
	}
	body := string(res.Body()) // a copy: Fiber reuses the buffer
	e := &Response{made: now, body: body, contentType: string(res.Header.ContentType()),
		disposition: string(res.Header.Peek(fiber.HeaderContentDisposition)), cacheControl: string(res.Header.Peek(fiber.HeaderCacheControl))}
	if tag := res.Header.Peek(fiber.HeaderETag); len(tag) > 0 {
		e.etag = string(tag)
	} else {
		sum := sha256.Sum256([]byte(body))
		e.etag = `W/"` + hex.EncodeToString(sum[:16]) + `"`
		c.Set(fiber.HeaderETag, e.etag)
	}
	pc.put(rev, key, e)
}

// Send answers from a cached response: 304 when the client holds it, else the body,
// compressed as the client accepts (brotli, then gzip), each compressed once per entry.
func (pc *Pages) Send(c *fiber.Ctx, e *Response) error {
	c.Set(fiber.HeaderContentType, e.contentType)
	c.Set(fiber.HeaderETag, e.etag)
	if e.cacheControl != "" {
		c.Set(fiber.HeaderCacheControl, e.cacheControl)
	}
	if e.disposition != "" {
		c.Set(fiber.HeaderContentDisposition, e.disposition)
	}
	c.Vary(fiber.HeaderAcceptLanguage, fiber.HeaderCookie, fiber.HeaderAcceptEncoding)
	if match := c.Get(fiber.HeaderIfNoneMatch); match != "" && ETagMatches(match, e.etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	enc := &c.Context().Request.Header
	switch {
	case len(e.body) < 200:
	case enc.HasAcceptEncoding("br"):
		c.Set(fiber.HeaderContentEncoding, "br")
		return c.Send(e.compress(0, pc))
	case enc.HasAcceptEncoding("gzip"):
		c.Set(fiber.HeaderContentEncoding, "gzip")
		return c.Send(e.compress(1, pc))
	}
	return c.SendString(e.body)
}

func (e *Response) compress(i int, pc *Pages) []byte {
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

// Marker stands in the layout where cached content goes; the layout is drawn per request
// (the person's name, their forms' tokens, a message) and the content put in its place.
const Marker = "<!--convene:content-->"

// gzipHeader is a gzip member's header: deflate, no name, no time, unknown system.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// deflate returns the content as a deflate segment of its own: compressed by a fresh
// compressor (it refers to nothing before it) and ended by a sync flush on a byte boundary (so
// more blocks may follow). Made once per cached entry.
func (e *Content) deflate() []byte {
	e.once.Do(func() {
		var b bytes.Buffer
		w, _ := flate.NewWriter(&b, flate.DefaultCompression)
		_, _ = w.Write(e.body)
		_ = w.Flush()
		e.deflated = b.Bytes()
	})
	return e.deflated
}

// Inline is layout with the content in place of its Marker, uncompressed: for a page that is
// itself to be cached whole.
func Inline(layout []byte, content *Content) ([]byte, error) {
	i := bytes.Index(layout, []byte(Marker))
	if i < 0 {
		return nil, errors.New("the layout lost the content marker")
	}
	out := make([]byte, 0, len(layout)+len(content.body))
	return append(append(append(out, layout[:i]...), content.body...), layout[i+len(Marker):]...), nil
}

// SendAround sends layout with the content in place of its Marker. A client that takes gzip
// gets one gzip stream spliced from the layout's two parts, framed as they are, and the
// content deflated once: the page is not compressed again on every request.
func SendAround(c *fiber.Ctx, status int, layout []byte, content *Content) error {
	i := bytes.Index(layout, []byte(Marker))
	if i < 0 {
		return errors.New("the layout lost the content marker")
	}
	pre, post := layout[:i], layout[i+len(Marker):]
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
