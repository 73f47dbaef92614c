package store_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/store/storetest"
)

func TestKV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		clk := clock.NewFixed(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
		kv := &store.KV{DB: db.DB, Clock: clk}
		steps := []struct {
			name string
			run  func() error
			key  string
			want []byte
		}{
			{"absent", nil, "a", nil},
			{"set", func() error { return kv.Set("a", []byte("1"), time.Minute) }, "a", []byte("1")},
			{"overwrite", func() error { return kv.Set("a", []byte("2"), time.Minute) }, "a", []byte("2")},
			{"no expiry", func() error { return kv.Set("b", []byte("x"), 0) }, "b", []byte("x")},
			{"expired", func() error { clk.Advance(2 * time.Minute); return nil }, "a", nil},
			{"never expires", nil, "b", []byte("x")},
			{"delete", func() error { return kv.Delete("b") }, "b", nil},
		}
		for _, s := range steps {
			if s.run != nil {
				if err := s.run(); err != nil {
					t.Fatalf("%s: %v", s.name, err)
				}
			}
			got, err := kv.Get(s.key)
			if err != nil {
				t.Fatalf("%s: get: %v", s.name, err)
			}
			if !bytes.Equal(got, s.want) {
				t.Fatalf("%s: Get(%q) = %q, want %q", s.name, s.key, got, s.want)
			}
		}
		n, err := kv.Sweep(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("Sweep = %d, %v; want the one expired key", n, err)
		}
		if err := kv.Set("c", []byte("y"), 0); err != nil {
			t.Fatal(err)
		}
		if err := kv.Reset(); err != nil {
			t.Fatal(err)
		}
		if got, _ := kv.Get("c"); got != nil {
			t.Fatalf("after Reset Get = %q", got)
		}
	})
}
