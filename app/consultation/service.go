package consultation

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/store"
)

// Service runs each consultation action in a transaction of its own.
type Service struct {
	DB    *bun.DB
	Clock clock.Clock
	Mail  Mailer
}

func run[T any](ctx context.Context, s *Service, action func(ctx context.Context, tx bun.Tx, now time.Time) (T, error)) (T, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (T, error) {
		return action(ctx, tx, s.Clock.Now())
	})
}

// CreateDraft begins a draft.
func (s *Service) CreateDraft(ctx context.Context, who Who, processID int64, in DraftInput) (Draft, error) {
	return run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (Draft, error) {
		return CreateDraft(ctx, tx, now, who, processID, in)
	})
}

// UpdateDraft changes a draft's settings.
func (s *Service) UpdateDraft(ctx context.Context, who Who, draftID int64, in DraftInput) (Draft, error) {
	return run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (Draft, error) {
		return UpdateDraft(ctx, tx, now, who, draftID, in)
	})
}

// PublishVersion publishes a new text and places every comment in it.
func (s *Service) PublishVersion(ctx context.Context, who Who, draftID int64, body, note string) (Version, error) {
	return run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (Version, error) {
		return PublishVersion(ctx, tx, now, who, draftID, body, note)
	})
}

// AddComment records a comment or a reply.
func (s *Service) AddComment(ctx context.Context, who Who, draftID int64, in CommentInput) (Comment, error) {
	return run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (Comment, error) {
		return AddComment(ctx, tx, now, who, draftID, in)
	})
}

// Support adds or withdraws a support.
func (s *Service) Support(ctx context.Context, who Who, commentID int64, on bool) (Comment, error) {
	return run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (Comment, error) {
		return Support(ctx, tx, now, who, commentID, on)
	})
}

// Flag flags a comment for the moderators.
func (s *Service) Flag(ctx context.Context, who Who, commentID int64) (Comment, error) {
	return run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (Comment, error) {
		return Flag(ctx, tx, now, who, commentID)
	})
}

// Moderate hides, restores or dismisses the flags of a comment.
func (s *Service) Moderate(ctx context.Context, who Who, commentID int64, action, reason, note string) (Comment, error) {
	return run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (Comment, error) {
		return Moderate(ctx, tx, now, who, commentID, action, reason, note)
	})
}

// Mark records a reader's mark on a paragraph.
func (s *Service) Mark(ctx context.Context, who Who, draftID int64, version, paragraph int, mark, group string) error {
	_, err := run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (struct{}, error) {
		return struct{}{}, Mark(ctx, tx, now, who, draftID, version, paragraph, mark, group)
	})
	return err
}

// Place confirms or chooses a comment's place in the newest version.
func (s *Service) Place(ctx context.Context, who Who, commentID int64, paragraph int) (Comment, error) {
	return run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (Comment, error) {
		return Place(ctx, tx, now, who, commentID, paragraph)
	})
}

// ToInput records a comment (or its group of copies) as an input, or joins it to one.
func (s *Service) ToInput(ctx context.Context, who Who, commentID int64, in InputInput) (minutes.Input, error) {
	return run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (minutes.Input, error) {
		return ToInput(ctx, tx, now, who, commentID, in)
	})
}

// Submit records a formal submission and mails its sender the tracking number; a notice that
// cannot be written never undoes the submission.
func (s *Service) Submit(ctx context.Context, who Who, draftID int64, in SubmissionInput) (Submission, error) {
	return run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (Submission, error) {
		sub, p, err := Submit(ctx, tx, now, who, draftID, in)
		if err != nil {
			return sub, err
		}
		return sub, tellSubmitter(ctx, tx, s.Mail, sub, p)
	})
}

// AddPoint records a point of a submission on a paragraph.
func (s *Service) AddPoint(ctx context.Context, who Who, submissionID int64, paragraph int, quote, body string) (Comment, error) {
	return run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (Comment, error) {
		return AddPoint(ctx, tx, now, who, submissionID, paragraph, quote, body)
	})
}
