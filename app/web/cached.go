package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/web/cache"
)

// Public pages and feeds are served through the page cache (app/web/cache) for the current
// content revision. Anonymous requests get whole responses (with their ETag and compressed
// copies); signed-in people whose pages look alike (admins; members who hold no role) get the
// page's content, with the layout (their name, their forms' tokens, a message) drawn for them.
// People who run some process see organiser links that depend on it, and are served uncached.

// cacheQuery lists the query parameters the cached pages read; others do not make another
// entry (nor reach the page, which is drawn for the address without them).
var cacheQuery = []string{"forum", "format", "from", "group", "kind", "lang", "language", "page", "q", "sort", "standing", "to", "topic", "version"}

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

// cachedForVisitors is cached for people who are not signed in: signed-in people get the page
// drawn for them, because it tells them where they stand (registered, a place held).
func (s *Server) cachedForVisitors(h fiber.Handler) fiber.Handler {
	cached := s.cached(h)
	return func(c *fiber.Ctx) error {
		if account(c) != nil {
			noCache(c)
			return h(c)
		}
		return cached(c)
	}
}

// cached serves h's answer from the page cache, filling it on a miss. Requests that miss the
// same entry at once wait for one of them to render it.
func (s *Server) cached(h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		variant := cacheVariant(c)
		if variant == "" {
			return h(c)
		}
		revs, err := s.readRevisions(c)
		if err != nil {
			return err
		}
		rev := revs.Content
		page := cacheURL(c)
		c.Locals(localCacheURL, page)
		key := variant + "\x00" + lang(c) + "\x00" + page
		now := s.Clock.Now()
		if variant != "anon" {
			if e, ok := s.cache.Content(rev, key, now); ok {
				return s.page(c, fiber.StatusOK, "", "", &Page{Title: e.Title, Description: e.Description, cached: e})
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
			if e, ok := s.cache.Content(rev, key, now); ok {
				return s.page(c, fiber.StatusOK, "", "", &Page{Title: e.Title, Description: e.Description, cached: e})
			}
			return h(c)
		}
		if e, ok := s.cache.Response(rev, key, now); ok {
			return s.cache.Send(c, e)
		}
		leader := false
		_, err, _ = s.fills.Do(key, func() (any, error) {
			leader = true
			return nil, s.fill(c, h, rev, key, now)
		})
		if leader {
			return err
		}
		if e, ok := s.cache.Response(rev, key, now); ok {
			return s.cache.Send(c, e)
		}
		return h(c)
	}
}

// fill runs h for an anonymous request and keeps its answer when it is a whole 200 that shows
// nothing only this viewer may see.
func (s *Server) fill(c *fiber.Ctx, h fiber.Handler, rev int64, key string, now time.Time) error {
	c.Locals(localCacheFill, true)
	if err := h(c); err != nil {
		return err
	}
	if c.Locals(localNoCache) == nil {
		s.cache.Keep(c, rev, key, now)
	}
	return nil
}

// readRevisions returns the revisions as they are now, or later, never earlier; a request
// reads them once (the login cache and the page cache share what it read).
func (s *Server) readRevisions(c *fiber.Ctx) (store.Revisions, error) {
	if revs, ok := c.Locals(localRevisions).(store.Revisions); ok {
		return revs, nil
	}
	revs, err := s.revisions.Read(c.UserContext())
	if err == nil {
		c.Locals(localRevisions, revs)
	}
	return revs, err
}

// authenticate checks a login cookie: from the login cache when this instance checked it under
// the current logins revision in the last minute, else with the query.
func (s *Server) authenticate(c *fiber.Ctx, token string) (accounts.Account, accounts.Login, error) {
	revs, err := s.readRevisions(c)
	if err != nil {
		return accounts.Account{}, accounts.Login{}, err
	}
	now := s.Clock.Now()
	if e, ok := s.logins.Get(revs.Logins, token, now, s.Config.LoginIdle); ok {
		return e.Account, e.Login, nil
	}
	a, l, err := s.Accounts.Authenticate(c.UserContext(), token)
	if err != nil {
		return a, l, err
	}
	s.logins.Put(revs.Logins, token, cache.Login{Account: a, Login: l, Checked: now})
	return a, l, nil
}

// fragment is part (a template of page name) drawn from what data returns, for every viewer
// alike: from the page cache when it holds it for the content revision, the language and key
// (what else the part depends on). The page puts cache.Marker where it goes and is given it as
// Page.part: drawn for each signed-in viewer, it draws only what is theirs, and the part is
// compressed once for all of them. Requests that miss at once wait for one of them to draw it.
func (s *Server) fragment(c *fiber.Ctx, name, part, key string, data func() (map[string]any, error)) (*cache.Content, error) {
	revs, err := s.readRevisions(c)
	if err != nil {
		return nil, err
	}
	l := lang(c)
	key = "part\x00" + name + "\x00" + part + "\x00" + l + "\x00" + key
	now := s.Clock.Now()
	if e, ok := s.cache.Content(revs.Content, key, now); ok {
		return e, nil
	}
	// One fill per revision: a request that read a newer one must not take an older fill's part.
	e, err, _ := s.fills.Do(key+"@"+strconv.FormatInt(revs.Content, 10), func() (any, error) {
		d, err := data()
		if err != nil {
			return (*cache.Content)(nil), err
		}
		h, err := s.render.renderPart(name, part, &Page{Lang: l, Now: now, Data: d})
		if err != nil {
			return (*cache.Content)(nil), err
		}
		e := cache.NewContent(now, "", "", []byte(h))
		s.cache.PutContent(revs.Content, key, e)
		return e, nil
	})
	return e.(*cache.Content), err
}
