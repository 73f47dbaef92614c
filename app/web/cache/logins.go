package cache

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/convene/convene/app/accounts"
)

// Logins spares a signed-in request the query that checks its login: an instance remembers
// each login it checked, for the logins revision it read before checking (see
// store.LoginsChanged: a sign-out, an ended login, a new password, a role, a profile change all
// grow it, on any instance), and for at most a minute, so the login's last use is still
// written once a minute and its idle and absolute limits still hold.
type Logins struct {
	mu      sync.Mutex
	rev     int64
	entries map[[32]byte]Login
}

// loginEntries bounds the cache: past it, it starts afresh.
const loginEntries = 20000

// Login is a checked login and its account.
type Login struct {
	Account accounts.Account
	Login   accounts.Login
	Checked time.Time
}

// NewLogins is an empty login cache.
func NewLogins() *Logins { return &Logins{entries: map[[32]byte]Login{}} }

// Get returns the login of token as checked under revision rev within the last minute, and
// still within its limits at now.
func (lc *Logins) Get(rev int64, token string, now time.Time, idle time.Duration) (Login, bool) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if rev != lc.rev {
		if rev > lc.rev {
			lc.rev, lc.entries = rev, map[[32]byte]Login{}
		}
		return Login{}, false
	}
	e, ok := lc.entries[sha256.Sum256([]byte(token))]
	if !ok || now.Sub(e.Checked) >= time.Minute || !now.Before(e.Login.ExpiresAt) || !now.Before(e.Login.LastSeenAt.Add(idle)) {
		return Login{}, false
	}
	return e, true
}

// Put remembers the login of token, checked under revision rev.
func (lc *Logins) Put(rev int64, token string, e Login) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if rev != lc.rev {
		return
	}
	if len(lc.entries) >= loginEntries {
		lc.entries = map[[32]byte]Login{}
	}
	lc.entries[sha256.Sum256([]byte(token))] = e
}
