package accounts_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"

	"github.com/convene/convene/app/accounts"
)

// phc encodes an argon2id hash of password with the given parameters, as an older or newer
// Convene might have stored it.
func phc(password string, m, t uint32, p uint8) string {
	salt := []byte("sixteen byte slt")
	key := argon2.IDKey([]byte(password), salt, t, m, p, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", m, t, p, b64.EncodeToString(salt), b64.EncodeToString(key))
}

func TestHasher(t *testing.T) {
	h := accounts.NewHasher(1, accounts.ProductionCost())
	ctx := context.Background()
	good, err := h.Hash(ctx, "secret passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(good, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not argon2id at the OWASP minimum", good)
	}
	if again, _ := h.Hash(ctx, "secret passphrase"); again == good {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	cases := []struct {
		name, hash, password string
		ok, fails            bool
	}{
		{"right", good, "secret passphrase", true, false},
		{"wrong", good, "secret passphrasf", false, false},
		{"empty password", good, "", false, false},
		{"other parameters, right", phc("pw", 8, 1, 1), "pw", true, false},
		{"raised parameters, right", phc("pw", 32*1024, 3, 2), "pw", true, false},
		{"other parameters, wrong", phc("pw", 8, 1, 1), "pw2", false, false},
		{"memory beyond the bound", strings.Replace(phc("pw", 8, 1, 1), "m=8,", "m=9999999,", 1), "pw", false, true},
		{"no passes", strings.Replace(phc("pw", 8, 1, 1), "t=1,", "t=0,", 1), "pw", false, true},
		{"other version", strings.Replace(phc("pw", 8, 1, 1), "v=19", "v=16", 1), "pw", false, true},
		{"not argon2id", "$2a$10$abcdefghijklmnopqrstuv", "x", false, true},
		{"argon2i", strings.Replace(phc("pw", 8, 1, 1), "argon2id", "argon2i", 1), "pw", false, true},
		{"bad params", "$argon2id$v=19$m=x,t=2,p=1$AAAA$AAAA", "x", false, true},
		{"bad salt", "$argon2id$v=19$m=19456,t=2,p=1$***$AAAA", "x", false, true},
		{"short key", "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAA", "x", false, true},
		{"empty", "", "x", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := h.Verify(ctx, tc.hash, tc.password)
			if ok != tc.ok || (err != nil) != tc.fails {
				t.Fatalf("Verify = %v, %v", ok, err)
			}
		})
	}
}

func TestHasherRespectsContext(t *testing.T) {
	h := accounts.NewHasher(1, accounts.ProductionCost())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// A request already given up spends no hashing time, even with a slot free.
	if _, err := h.Hash(ctx, "a passphrase"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Hash: %v", err)
	}
	if _, err := h.Verify(ctx, phc("pw", 8, 1, 1), "pw"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Verify: %v", err)
	}
}

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		p := accounts.GeneratePassword()
		if len(p) != 20 || strings.ContainsAny(p, "0O1lI") || seen[p] {
			t.Fatalf("generated password %q", p)
		}
		seen[p] = true
	}
}

func FuzzVerifyHash(f *testing.F) {
	h := accounts.NewHasher(1, accounts.ProductionCost())
	f.Add("$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "pw")
	f.Add("$argon2id$v=19$m=,t=,p=$$", "")
	f.Fuzz(func(t *testing.T, hash, password string) {
		// Malformed hashes must never panic, and Verify's parameter bounds keep memory small.
		_, _ = h.Verify(context.Background(), hash, password)
	})
}
