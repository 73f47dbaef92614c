package registration

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/validate"
)

// NoticeLinkAsked is the mail a guest asks for when they lost their link: the link again.
const NoticeLinkAsked = "link_asked"

// MaxLinksMailed bounds how many registrations one request mails links to.
const MaxLinksMailed = 20

// SendLinks mails its link to each guest registration of an address whose link still works (its
// forum ended less than LinkLife ago), in the caller's transaction: the way back for a guest who
// lost the link. Its answer is the same whether or not the address has any, so the form tells
// nobody who is registered; only an address that is not one is refused, naming the field email.
func SendLinks(ctx context.Context, db bun.IDB, now time.Time, n Notifier, email string) error {
	var es validate.Errors
	email = es.Email("email", email)
	if err := es.Err(); err != nil {
		return err
	}
	var regs []Registration
	if err := db.NewSelect().Model(&regs).Where("email = ? AND account_id IS NULL AND link_salt IS NOT NULL", email).
		OrderExpr("id DESC").Limit(MaxLinksMailed).Scan(ctx); err != nil {
		return fmt.Errorf("the guest registrations of an address: %w", err)
	}
	ns := make([]Notice, 0, len(regs))
	for _, r := range regs {
		if err := checkLinkLive(ctx, db, now, r); err != nil {
			if errors.Is(err, ErrBadLink) {
				continue
			}
			return err
		}
		pos, err := position(ctx, db, r)
		if err != nil {
			return err
		}
		r.Position = pos
		ns = append(ns, Notice{Kind: NoticeLinkAsked, Registration: r})
	}
	if n == nil || len(ns) == 0 {
		return nil
	}
	return n.Notify(ctx, db, ns...)
}
