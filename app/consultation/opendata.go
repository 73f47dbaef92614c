package consultation

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/minutes"
)

// OpenDrafts are a process's published drafts as the open data gives them (schema 1.2): their
// versions, how many published comments and public submissions each took, how many comments
// moderators hid for each reason, and the inputs heard on each with every decision on them.
func OpenDrafts(ctx context.Context, db bun.IDB, processID int64, code, baseURL string) ([]minutes.OpenDraft, error) {
	ds, err := OfProcess(ctx, db, processID, false)
	if err != nil {
		return nil, err
	}
	out := make([]minutes.OpenDraft, 0, len(ds))
	for i := len(ds) - 1; i >= 0; i-- { // oldest first
		d := ds[i]
		od := minutes.OpenDraft{ID: d.ID, Title: d.Title, Summary: d.Summary, Version: d.Version, OpensAt: utc(d.OpensAt), ClosesAt: utc(d.ClosesAt),
			URL: baseURL + "/drafts/" + strconv.FormatInt(d.ID, 10), Versions: []minutes.OpenDraftVersion{}}
		vs, err := Versions(ctx, db, d.ID)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			od.Versions = append(od.Versions, minutes.OpenDraftVersion{Version: v.Number, PublishedAt: v.PublishedAt.UTC(), Note: v.Note})
		}
		n, err := db.NewSelect().Model((*Comment)(nil)).Where("c.draft_id = ? AND c.status = ?", d.ID, Visible).Count(ctx)
		if err != nil {
			return nil, fmt.Errorf("counting the comments of draft %d: %w", d.ID, err)
		}
		od.Comments = int(n)
		if n, err = db.NewSelect().Model((*Submission)(nil)).Where("s.draft_id = ? AND s.public", d.ID).Count(ctx); err != nil {
			return nil, fmt.Errorf("counting the submissions of draft %d: %w", d.ID, err)
		}
		od.Submissions = int(n)
		if od.Hidden, err = Moderation(ctx, db, d.ID); err != nil {
			return nil, err
		}
		if od.Inputs, od.Dispositions, err = minutes.HeardOn(ctx, db, processID, d.ID, code, baseURL); err != nil {
			return nil, err
		}
		out = append(out, od)
	}
	return out, nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
