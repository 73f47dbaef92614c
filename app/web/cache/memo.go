package cache

import (
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Memo keeps one value per key, made at a content revision: asked at the same revision it is
// given again, for Life at most (as pages are, so that what changes without the revision
// growing is not wrong for longer); at a newer one it is made anew (once, however many ask at
// the same moment). For figures that cost much to count and change with the content.
type Memo[K comparable, V any] struct {
	mu    sync.Mutex
	byKey map[K]memoEntry[V]
	fills singleflight.Group
}

type memoEntry[V any] struct {
	rev   int64
	made  time.Time
	value V
}

// Get returns key's value at revision rev, made less than Life before now, making it with fill
// when it has none that recent.
func (m *Memo[K, V]) Get(rev int64, key K, now time.Time, fill func() (V, error)) (V, error) {
	m.mu.Lock()
	e, ok := m.byKey[key]
	m.mu.Unlock()
	if ok && e.rev >= rev && now.Sub(e.made) < Life {
		return e.value, nil
	}
	v, err, _ := m.fills.Do(fmt.Sprintf("%v@%d@%d", key, rev, now.Truncate(Life).Unix()), func() (any, error) {
		v, err := fill()
		if err != nil {
			return v, err
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.byKey == nil {
			m.byKey = map[K]memoEntry[V]{}
		}
		if old, ok := m.byKey[key]; !ok || old.rev < rev || old.rev == rev && old.made.Before(now) {
			m.byKey[key] = memoEntry[V]{rev: rev, made: now, value: v}
		}
		return v, nil
	})
	if err != nil {
		var zero V
		return zero, err
	}
	return v.(V), nil
}
