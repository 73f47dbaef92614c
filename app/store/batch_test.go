package store_test

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"weak"

	"github.com/convene/convene/app/store"
)

func TestBatcher(t *testing.T) {
	ctx := context.Background()
	t.Run("each call gets its own result, batches stay under Max", func(t *testing.T) {
		var mu sync.Mutex
		var sizes []int
		release := make(chan struct{})
		b := &store.Batcher[int, int]{Max: 7, Run: func(_ context.Context, items []int) []int {
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
				got, err := b.Do(ctx, i)
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
		b := &store.Batcher[int, int]{Run: func(_ context.Context, items []int) []int {
			sizes = append(sizes, len(items))
			if len(sizes) == 1 {
				close(started)
				<-release
			}
			return items
		}}
		var wg sync.WaitGroup
		wg.Go(func() { _, _ = b.Do(ctx, 0) })
		<-started
		for i := range 5 {
			wg.Go(func() { _, _ = b.Do(ctx, i+1) })
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
		b := &store.Batcher[int, int]{Run: func(_ context.Context, items []int) []int {
			if items[0] < 0 {
				panic("negative")
			}
			return items
		}}
		if _, err := b.Do(ctx, -1); err == nil || !strings.Contains(err.Error(), "negative") {
			t.Fatalf("err = %v, want the panic", err)
		}
		if got, err := b.Do(ctx, 3); err != nil || got != 3 {
			t.Fatalf("after a panic: %d, %v", got, err)
		}
	})
	t.Run("a result short of the batch is an error", func(t *testing.T) {
		b := &store.Batcher[int, int]{Run: func(_ context.Context, items []int) []int { return nil }}
		if _, err := b.Do(ctx, 1); err == nil {
			t.Fatal("no error for a missing result")
		}
	})
	t.Run("a batch runs with its leader's values, not its cancellation", func(t *testing.T) {
		type key struct{}
		var got context.Context
		var errInBatch error
		b := &store.Batcher[int, int]{Timeout: time.Minute, Run: func(ctx context.Context, items []int) []int {
			got, errInBatch = ctx, ctx.Err()
			return items
		}}
		lctx, cancel := context.WithCancel(context.WithValue(ctx, key{}, "request 7"))
		cancel()
		if _, err := b.Do(lctx, 1); err != nil {
			t.Fatal(err)
		}
		if got.Value(key{}) != "request 7" {
			t.Error("the batch lost the leader's values")
		}
		if errInBatch != nil {
			t.Error("the leader's cancellation cancelled the batch")
		}
		if d, ok := got.Deadline(); !ok || time.Until(d) > time.Minute {
			t.Error("the batch has no deadline of Timeout")
		}
	})
	t.Run("finished calls are not kept reachable", func(t *testing.T) {
		release := make(chan struct{})
		b := &store.Batcher[*[1 << 16]byte, int]{Max: 2, Run: func(_ context.Context, items []*[1 << 16]byte) []int {
			<-release
			return make([]int, len(items))
		}}
		var wg sync.WaitGroup
		var ptrs []weak.Pointer[[1 << 16]byte]
		var mu sync.Mutex
		for range 9 {
			wg.Go(func() {
				item := new([1 << 16]byte)
				mu.Lock()
				ptrs = append(ptrs, weak.Make(item))
				mu.Unlock()
				_, _ = b.Do(ctx, item)
			})
		}
		for {
			mu.Lock()
			n := len(ptrs)
			mu.Unlock()
			if n == 9 {
				break
			}
			runtime.Gosched()
		}
		close(release)
		wg.Wait()
		runtime.GC()
		runtime.GC()
		for i, p := range ptrs {
			if p.Value() != nil {
				t.Errorf("item %d is still reachable after its call returned", i)
			}
		}
		runtime.KeepAlive(b)
	})
}
