package accounts

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters besides the cost: 1 lane, 32-byte keys, 16-byte salts.
const (
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// Cost is what one argon2id hash spends: memory in KiB and passes. It is stored in each hash,
// so raising it later keeps old hashes verifiable.
type Cost struct {
	Memory uint32
	Time   uint32
}

// ProductionCost is the OWASP minimum: 19 MiB, 2 passes (about 26 ms a hash on these machines).
func ProductionCost() Cost { return Cost{Memory: 19 * 1024, Time: 2} }

// TestCost is for tests only: hashes that take microseconds, so that thousands of sign-ups and
// sign-ins fit in a test run (one test keeps ProductionCost).
func TestCost() Cost { return Cost{Memory: 8, Time: 1} }

// Hasher hashes and verifies passwords, computing at most a fixed number of hashes at once:
// each takes 19 MiB and tens of milliseconds, so a burst of sign-ins must queue, not exhaust
// memory.
type Hasher struct {
	slots chan struct{}
	cost  Cost
	dummy string
}

// NewHasher hashes at cost, computing at most concurrency hashes at once (2 in production).
func NewHasher(concurrency int, cost Cost) *Hasher {
	h := &Hasher{slots: make(chan struct{}, max(concurrency, 1)), cost: cost}
	h.dummy = encodeHash(make([]byte, argonSaltLen), make([]byte, argonKeyLen), cost.Memory, cost.Time, argonThreads)
	return h
}

// acquire waits for a free slot. A request already given up gets none: select would pick at
// random between a free slot and a done context.
func (h *Hasher) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("waiting to hash a password: %w", err)
	}
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting to hash a password: %w", ctx.Err())
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash returns the PHC string of password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salting a password: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	key := argon2.IDKey([]byte(password), salt, h.cost.Time, h.cost.Memory, argonThreads, argonKeyLen)
	return encodeHash(salt, key, h.cost.Memory, h.cost.Time, argonThreads), nil
}

func encodeHash(salt, key []byte, m uint32, t uint32, p uint8) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, m, t, p, b64.EncodeToString(salt), b64.EncodeToString(key))
}

var errBadHash = errors.New("malformed password hash")

// Verify reports whether password matches hash, in constant time.
func (h *Hasher) Verify(ctx context.Context, hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, errBadHash
	}
	// Bounds keep a corrupt or hostile hash from asking for gigabytes or minutes.
	if m < 8 || m > 256*1024 || t < 1 || t > 10 || p < 1 || p > 16 {
		return false, errBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 64 {
		return false, errBadHash
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// VerifyNothing spends the time of a verification, so that an unknown email takes as long to
// refuse as a wrong password.
func (h *Hasher) VerifyNothing(ctx context.Context, password string) {
	_, _ = h.Verify(ctx, h.dummy, password)
}

// GeneratePassword returns a random 20-character password without look-alike characters.
func GeneratePassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	for i := range b {
		b[i] = alphabet[randIntn(len(alphabet))]
	}
	return string(b)
}

func randIntn(n int) int {
	var buf [1]byte
	limit := 256 - 256%n // reject bytes that would bias the choice
	for {
		if _, err := rand.Read(buf[:]); err != nil {
			panic("crypto/rand failed: " + err.Error())
		}
		if int(buf[0]) < limit {
			return int(buf[0]) % n
		}
	}
}
