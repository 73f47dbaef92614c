package store

// Pending tells how many calls wait for a batch (for tests that must know they all arrived).
func (b *Batcher[T, R]) Pending() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.pending)
}
