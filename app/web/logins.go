package web

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/accounts"
)

// The login cache spares a signed-in request the query that checks its login: an instance
// remembers each login it checked, for the logins revision it read before checking (see
// store.LoginsChanged: a sign-out, an ended login, a new password, a role, a profile change all
// grow it, on any instance), and for at most a minute, so the login's last use is still
// written once a minute and its idle and absolute limits still hold.

// loginEntries bounds the cache: past it, it starts afresh.
const loginEntries = 20000

type loginCache struct {
	mu      sync.Mutex
	rev     int64
	entries map[[32]byte]cachedLogin
}

type cachedLogin struct {
	account accounts.Account
	login   accounts.Login
	checked time.Time
}

func newLoginCache() *loginCache { return &loginCache{entries: map[[32]byte]cachedLogin{}} }

// get returns the login of token as checked under revision rev within the last minute, and
// still within its limits at now.
func (lc *loginCache) get(rev int64, token string, now time.Time, idle time.Duration) (cachedLogin, bool) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if rev != lc.rev {
		if rev > lc.rev {
			lc.rev, lc.entries = rev, map[[32]byte]cachedLogin{}
		}
		return cachedLogin{}, false
	}
	e, ok := lc.entries[sha256.Sum256([]byte(token))]
	if !ok || now.Sub(e.checked) >= time.Minute || !now.Before(e.login.ExpiresAt) || !now.Before(e.login.LastSeenAt.Add(idle)) {
		return cachedLogin{}, false
	}
	return e, true
}

func (lc *loginCache) put(rev int64, token string, e cachedLogin) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if rev != lc.rev {
		return
	}
	if len(lc.entries) >= loginEntries {
		lc.entries = map[[32]byte]cachedLogin{}
	}
	lc.entries[sha256.Sum256([]byte(token))] = e
}

// authenticate checks a login cookie: from the cache when this instance checked it under the
// current logins revision in the last minute, else with the query.
func (s *Server) authenticate(c *fiber.Ctx, token string) (accounts.Account, accounts.Login, error) {
	revs, err := s.revisions.read(c)
	if err != nil {
		return accounts.Account{}, accounts.Login{}, err
	}
	now := s.Clock.Now()
	if e, ok := s.logins.get(revs.Logins, token, now, s.Config.LoginIdle); ok {
		return e.account, e.login, nil
	}
	a, l, err := s.Accounts.Authenticate(c.UserContext(), token)
	if err != nil {
		return a, l, err
	}
	s.logins.put(revs.Logins, token, cachedLogin{account: a, login: l, checked: now})
	return a, l, nil
}
