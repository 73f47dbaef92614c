package store_test

import (
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/convene/convene/app/store"
)

func TestBatcher(t *testing.T) {
	t.Run("each call gets its own result, batches stay under Max", func(t *testing.T) {
		var mu sync.Mutex
		var sizes []int
		release := make(chan struct{})
		b := &store.Batcher[int, int]{Max: 7, Run: func(items []int) []int {
			<-release
			mu.Lock()
			sizes = append(sizes, len(items))
			mu.Unlock()
			out := make([]int, len(items))
			for i, v := range items {
				out[i] = v * v
			}
			return out
		}}
		const n = 50
		var wg sync.WaitGroup
		errs := make(chan string, n)
		for i := range n {
			wg.Go(func() {
				got, err := b.Do(i)
				if err != nil || got != i*i {
					errs <- "wrong result"
				}
			})
		}
		close(release)
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Fatal(e)
		}
		total := 0
		for _, s := range sizes {
			if s < 1 || s > 7 {
				t.Fatalf("a batch of %d with Max 7", s)
			}
			total += s
		}
		if total != n {
			t.Fatalf("%d items ran, want %d", total, n)
		}
	})
	t.Run("calls that arrive while a batch runs gather into the next", func(t *testing.T) {
		started := make(chan struct{})
		release := make(chan struct{})
		var sizes []int
		b := &store.Batcher[int, int]{Run: func(items []int) []int {
			sizes = append(sizes, len(items))
			if len(sizes) == 1 {
				close(started)
				<-release
			}
			return items
		}}
		var wg sync.WaitGroup
		wg.Go(func() { _, _ = b.Do(0) })
		<-started
		for i := range 5 {
			wg.Go(func() { _, _ = b.Do(i + 1) })
		}
		// The five wait for the running batch; let it finish only when all have arrived.
		for b.Pending() < 5 {
			runtime.Gosched()
		}
		close(release)
		wg.Wait()
		if len(sizes) != 2 || sizes[0] != 1 || sizes[1] != 5 {
			t.Fatalf("batch sizes %v, want [1 5]", sizes)
		}
	})
	t.Run("a panic is every call's error, and the next batch runs", func(t *testing.T) {
		b := &store.Batcher[int, int]{Run: func(items []int) []int {
			if items[0] < 0 {
				panic("negative")
			}
			return items
		}}
		if _, err := b.Do(-1); err == nil || !strings.Contains(err.Error(), "negative") {
			t.Fatalf("err = %v, want the panic", err)
		}
		if got, err := b.Do(3); err != nil || got != 3 {
			t.Fatalf("after a panic: %d, %v", got, err)
		}
	})
	t.Run("a result short of the batch is an error", func(t *testing.T) {
		b := &store.Batcher[int, int]{Run: func(items []int) []int { return nil }}
		if _, err := b.Do(1); err == nil {
			t.Fatal("no error for a missing result")
		}
	})
}
