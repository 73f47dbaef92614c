package accounts

import (
	"time"

	"github.com/uptrace/bun"
)

// Purposes of one-time account tokens.
const (
	PurposeVerify = "verify"
	PurposeReset  = "reset"
)

// How long mailed links work.
const (
	verifyValidity = 48 * time.Hour
	resetValidity  = 60 * time.Minute
)

// accountToken is a one-time token mailed to the account's address.
type accountToken struct {
	bun.BaseModel `bun:"table:account_tokens"`

	ID        int64      `bun:"id,pk,autoincrement"`
	AccountID int64      `bun:"account_id,notnull"`
	Purpose   string     `bun:"purpose,notnull"`
	TokenHash string     `bun:"token_hash,notnull"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	ExpiresAt time.Time  `bun:"expires_at,notnull"`
	UsedAt    *time.Time `bun:"used_at"`
}

// Login is one signed-in browser.
type Login struct {
	bun.BaseModel `bun:"table:logins"`

	ID         int64     `bun:"id,pk,autoincrement" json:"id"`
	TokenHash  string    `bun:"token_hash,notnull" json:"-"`
	AccountID  int64     `bun:"account_id,notnull" json:"-"`
	CreatedAt  time.Time `bun:"created_at,notnull" json:"created_at"`
	LastSeenAt time.Time `bun:"last_seen_at,notnull" json:"last_seen_at"`
	ExpiresAt  time.Time `bun:"expires_at,notnull" json:"expires_at"`
	UserAgent  string    `bun:"user_agent,notnull" json:"user_agent"`

	Account *Account `bun:"rel:belongs-to,join:account_id=id" json:"-"`
	// HasRoles tells whether the account holds any role in a process, read with the login so
	// pages can offer "My processes" without another query.
	HasRoles bool `bun:"has_roles,scanonly" json:"-"`
}

// APIToken is a named bearer token for /api/v1.
type APIToken struct {
	bun.BaseModel `bun:"table:api_tokens"`

	ID         int64      `bun:"id,pk,autoincrement" json:"id"`
	AccountID  int64      `bun:"account_id,notnull" json:"-"`
	Name       string     `bun:"name,notnull" json:"name"`
	TokenHash  string     `bun:"token_hash,notnull" json:"-"`
	Prefix     string     `bun:"prefix,notnull" json:"prefix"`
	CreatedAt  time.Time  `bun:"created_at,notnull" json:"created_at"`
	LastUsedAt *time.Time `bun:"last_used_at" json:"last_used_at"`
	RevokedAt  *time.Time `bun:"revoked_at" json:"revoked_at"`

	Account *Account `bun:"rel:belongs-to,join:account_id=id" json:"-"` // read with the token when authenticating
}

// touchEvery limits last-seen writes to one a minute per login or token.
const touchEvery = time.Minute
