package registration

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/store"
)

// Service runs each registration action in its own transaction, with the notices it queues.
type Service struct {
	DB       *bun.DB
	Clock    clock.Clock
	Notifier Notifier
	Links    Links
	// Live is told, after commit, which forum's counts changed (the hub: organisers watch them
	// live); nil tells nobody.
	Live Toucher
	// Log hears what could not be done after a change committed (nil: nobody).
	Log *slog.Logger

	once    sync.Once
	batches store.Batcher[forumRequest, Result]
}

// Toucher hears that a live room's counts changed (realtime.Hub).
type Toucher interface {
	Touch(room string, keys ...string)
}

// CountsRoom is the live room of forum forumID's registration counts.
func CountsRoom(forumID int64) string { return "registrants:" + strconv.FormatInt(forumID, 10) }

// changed tells the live counts of forumID, after commit, and records what its page says of
// its places. The change has committed either way: a failure here is only logged.
func (s *Service) changed(ctx context.Context, forumID int64) {
	if forumID == 0 {
		return
	}
	if s.Live != nil {
		s.Live.Touch(CountsRoom(forumID))
	}
	if _, err := store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (struct{}, error) {
		return struct{}{}, ShowAvailability(ctx, tx, forumID)
	}); err != nil && s.Log != nil {
		s.Log.Error("showing a forum's places", "forum", forumID, "err", err)
	}
}

// counted runs an action on one registration in a transaction and, once it has committed, tells
// the live counts of its forum.
func (s *Service) counted(ctx context.Context, action func(ctx context.Context, tx bun.Tx) (Registration, error)) (Registration, error) {
	r, err := store.InTx(ctx, s.DB, action)
	if err == nil {
		s.changed(ctx, r.ForumID)
	}
	return r, err
}

// forumRequest is a Request for one forum.
type forumRequest struct {
	forumID int64
	req     Request
}

// Register registers owner for forum forumID; a guest also gets their link's token.
// Registrations that arrive together are written together, a transaction per forum: each locks
// the row counting its forum's places until it commits, so one by one they would queue on that
// lock. Each is still answered only after its transaction commits.
//
// A guest whose address is registered already gets no error, no registration and no token,
// as a new guest would before confirming: the form must not tell who is registered. Their
// link goes to the address instead.
func (s *Service) Register(ctx context.Context, forumID int64, owner Owner, form Form) (Registration, string, error) {
	s.once.Do(func() { s.batches.Run = s.registerBatch })
	res, err := s.batches.Do(ctx, forumRequest{forumID: forumID, req: Request{Owner: owner, Form: form}})
	if err == nil {
		err = res.Err
	}
	if err != nil || res.Registration.LinkSalt == nil || res.Registration.ID == 0 {
		return res.Registration, "", err
	}
	return res.Registration, s.Links.Token(*res.Registration.LinkSalt), nil
}

// registerBatch registers a batch of requests, the requests of each forum in a transaction of
// their own, the forums side by side on PostgreSQL and one after another on SQLite.
func (s *Service) registerBatch(ctx context.Context, items []forumRequest) []Result {
	at := map[int64][]int{}
	for i, it := range items {
		at[it.forumID] = append(at[it.forumID], i)
	}
	out := make([]Result, len(items))
	run := func(forumID int64, idx []int) {
		reqs := make([]Request, len(idx))
		for j, i := range idx {
			reqs[j] = items[i].req
		}
		for j, r := range s.registerForum(ctx, forumID, reqs) {
			out[idx[j]] = r
		}
	}
	if !store.IsPostgres(s.DB) {
		// SQLite has one writer: forums side by side would only wait on each other's lock,
		// and a long wait ends in "database is locked".
		for forumID, idx := range at {
			run(forumID, idx)
		}
		return out
	}
	var wg sync.WaitGroup
	for forumID, idx := range at {
		wg.Go(func() { run(forumID, idx) })
	}
	wg.Wait()
	return out
}

// registerForum registers requests for one forum in one transaction. When it fails as a whole
// on a unique index (the same person registering through two instances at the same moment),
// each request is tried again on its own, so only that one is refused, as the domain refuses
// it (a batch of one too).
func (s *Service) registerForum(ctx context.Context, forumID int64, reqs []Request) []Result {
	out, err := store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) ([]Result, error) {
		return RegisterMany(ctx, tx, s.Clock.Now(), s.Notifier, forumID, reqs)
	})
	if err == nil {
		s.changed(ctx, forumID)
		return out
	}
	defer s.changed(ctx, forumID)
	out = make([]Result, len(reqs))
	for i, req := range reqs {
		if !store.IsUniqueViolation(err) {
			out[i].Err = err
			continue
		}
		r, err := store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Registration, error) {
			return Register(ctx, tx, s.Clock.Now(), s.Notifier, forumID, req.Owner, req.Form)
		})
		switch {
		case !store.IsUniqueViolation(err):
		case req.Owner.AccountID == 0:
			r, err = Registration{}, nil // as for any registered guest: the same answer
		default:
			err = ErrRegistered
		}
		out[i] = Result{Registration: r, Err: err}
	}
	return out
}

// SendLinks mails a guest who lost their links each of them again.
func (s *Service) SendLinks(ctx context.Context, email string) error {
	_, err := store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (struct{}, error) {
		return struct{}{}, SendLinks(ctx, tx, s.Clock.Now(), s.Notifier, email)
	})
	return err
}

// Cancel cancels one of who's registrations.
func (s *Service) Cancel(ctx context.Context, id int64, who Holder) (Registration, error) {
	return s.counted(ctx, func(ctx context.Context, tx bun.Tx) (Registration, error) {
		return Cancel(ctx, tx, s.Clock.Now(), s.Notifier, id, who)
	})
}

// Accept accepts the offer of a seat.
func (s *Service) Accept(ctx context.Context, id int64, who Holder) (Registration, error) {
	return s.counted(ctx, func(ctx context.Context, tx bun.Tx) (Registration, error) {
		return Accept(ctx, tx, s.Clock.Now(), s.Notifier, id, who)
	})
}

// ChangeMode moves one of who's registrations to another attendance mode.
func (s *Service) ChangeMode(ctx context.Context, id int64, who Holder, mode string) (Registration, error) {
	return s.counted(ctx, func(ctx context.Context, tx bun.Tx) (Registration, error) {
		return ChangeMode(ctx, tx, s.Clock.Now(), s.Notifier, id, who, mode)
	})
}

// ConfirmGuest confirms a guest's address from their link.
func (s *Service) ConfirmGuest(ctx context.Context, token string) (Registration, error) {
	who, err := s.Links.Holder(token)
	if err != nil {
		return Registration{}, err
	}
	return s.counted(ctx, func(ctx context.Context, tx bun.Tx) (Registration, error) {
		return ConfirmGuest(ctx, tx, s.Clock.Now(), s.Notifier, who)
	})
}

// Configure sets a forum's registration policy.
func (s *Service) Configure(ctx context.Context, actor audit.Actor, processID, forumID int64, in SettingsInput) (Current, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Current, error) {
		return Configure(ctx, tx, s.Clock.Now(), s.Notifier, actor, processID, forumID, in)
	})
}

// Write sends organisers' message m to the registrants of forum forumID that a names, and tells
// how many it reached.
func (s *Service) Write(ctx context.Context, actor audit.Actor, processID, forumID int64, a Audience, m Message) (int, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (int, error) {
		return Write(ctx, tx, s.Clock.Now(), s.Notifier, actor, processID, forumID, a, m)
	})
}

// Approve approves a pending registration of forum forumID.
func (s *Service) Approve(ctx context.Context, actor audit.Actor, forumID, id int64) (Registration, error) {
	return s.counted(ctx, func(ctx context.Context, tx bun.Tx) (Registration, error) {
		return Approve(ctx, tx, s.Clock.Now(), s.Notifier, actor, forumID, id)
	})
}

// Decline declines a registration of forum forumID.
func (s *Service) Decline(ctx context.Context, actor audit.Actor, forumID, id int64) (Registration, error) {
	return s.counted(ctx, func(ctx context.Context, tx bun.Tx) (Registration, error) {
		return Decline(ctx, tx, s.Clock.Now(), s.Notifier, actor, forumID, id)
	})
}

// Admit seats a waitlisted registration ahead of the line.
func (s *Service) Admit(ctx context.Context, actor audit.Actor, forumID, id int64) (Registration, error) {
	return s.counted(ctx, func(ctx context.Context, tx bun.Tx) (Registration, error) {
		return Admit(ctx, tx, s.Clock.Now(), s.Notifier, actor, forumID, id)
	})
}

// WalkIn registers and checks in someone at the door.
func (s *Service) WalkIn(ctx context.Context, actor audit.Actor, forumID int64, in WalkInInput) (Registration, error) {
	return s.counted(ctx, func(ctx context.Context, tx bun.Tx) (Registration, error) {
		return WalkIn(ctx, tx, s.Clock.Now(), actor, forumID, in)
	})
}

// MoveMode moves a registrant of forum forumID to another mode.
func (s *Service) MoveMode(ctx context.Context, actor audit.Actor, forumID, id int64, mode string) (Registration, error) {
	return s.counted(ctx, func(ctx context.Context, tx bun.Tx) (Registration, error) {
		return MoveMode(ctx, tx, s.Clock.Now(), s.Notifier, actor, forumID, id, mode)
	})
}

// Sweep passes on the offers whose time is over and releases the quotas whose date has come,
// each in a transaction of its own, and tells how many it handled.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.Clock.Now()
	var offers []Registration
	if err := s.DB.NewSelect().Model(&offers).Column("id", "forum_id").
		Where("status = ? AND offer_expires_at <= ?", StatusOffered, now).OrderExpr("offer_expires_at, id").Scan(ctx); err != nil {
		return 0, fmt.Errorf("finding expired offers: %w", err)
	}
	done := 0
	for _, o := range offers {
		ok, err := store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (bool, error) {
			return ExpireOffer(ctx, tx, now, s.Notifier, o.ID)
		})
		if err != nil {
			return done, err
		}
		if ok {
			done++
			s.changed(ctx, o.ForumID)
		}
	}
	forgotten, err := store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (int, error) {
		return ForgetGuests(ctx, tx, now)
	})
	if err != nil {
		return done, err
	}
	done += forgotten
	reminded, err := store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (int, error) {
		return Remind(ctx, tx, now, s.Notifier)
	})
	if err != nil {
		return done, err
	}
	done += reminded
	updated, err := store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (int, error) {
		return SendUpdates(ctx, tx, now, s.Notifier)
	})
	if err != nil {
		return done, err
	}
	done += updated
	var due []Place
	if err := s.DB.NewSelect().Model(&due).Where("stakeholder_group <> '' AND NOT released AND release_at <= ?", now).
		Scan(ctx); err != nil {
		return done, fmt.Errorf("finding quotas due for release: %w", err)
	}
	for _, q := range due {
		ok, err := store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (bool, error) {
			return ReleaseQuotas(ctx, tx, now, s.Notifier, q.ForumID, q.SessionID, q.Mode)
		})
		if err != nil {
			return done, err
		}
		if ok {
			done++
			s.changed(ctx, q.ForumID)
		}
	}
	return done, nil
}

// SweepLoop sweeps every interval until ctx ends.
func (s *Service) SweepLoop(ctx context.Context, every time.Duration, onError func(error)) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
				onError(err)
			}
		}
	}
}

// CheckIn checks a registrant of forum forumID in.
func (s *Service) CheckIn(ctx context.Context, actor audit.Actor, forumID, id int64) (Registration, error) {
	return s.counted(ctx, func(ctx context.Context, tx bun.Tx) (Registration, error) {
		return CheckIn(ctx, tx, s.Clock.Now(), actor, forumID, id)
	})
}

// CheckInByCode checks in the registrant of forum forumID with the badge's code.
func (s *Service) CheckInByCode(ctx context.Context, actor audit.Actor, forumID int64, code string) (Registration, error) {
	return s.counted(ctx, func(ctx context.Context, tx bun.Tx) (Registration, error) {
		return CheckInByCode(ctx, tx, s.Clock.Now(), actor, forumID, code)
	})
}

// Export lists a forum's registrants for its organisers, recording that they were taken.
func (s *Service) Export(ctx context.Context, actor audit.Actor, forumID int64) ([]Registration, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) ([]Registration, error) {
		return Export(ctx, tx, s.Clock.Now(), actor, forumID)
	})
}

// ResetFeed gives an account a new calendar feed address.
func (s *Service) ResetFeed(ctx context.Context, accountID int64) error {
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return ResetFeed(ctx, tx, accountID) })
}

// RegisterSession gives who a place at a capped session; a guest also gets their place's
// link's token.
func (s *Service) RegisterSession(ctx context.Context, sessionID int64, who Holder) (Registration, string, error) {
	r, err := s.counted(ctx, func(ctx context.Context, tx bun.Tx) (Registration, error) {
		return RegisterSession(ctx, tx, s.Clock.Now(), s.Notifier, sessionID, who)
	})
	if store.IsUniqueViolation(err) {
		err = ErrRegistered // the same person, twice at once: the other request holds the place
	}
	if err != nil {
		return r, "", err
	}
	if r, err = withPosition(ctx, s.DB, r); err != nil || r.LinkSalt == nil {
		return r, "", err
	}
	return r, s.Links.Token(*r.LinkSalt), nil
}
