package consultation

import (
	"context"
	"fmt"
	"hash/fnv"

	"github.com/uptrace/bun"
)

// Campaigns: identical and near-identical comments (the same text sent by many, with a name or
// a word changed) are one group, counted and answered once, every comment still shown. A
// comment's MinHash signature over its word pairs is cut into bands; comments sharing a band
// are candidates, and a candidate close enough by words is a copy.

const (
	bands       = 8
	rowsPerBand = 2
	// CopyFloor is the least word similarity of a near copy.
	CopyFloor = 0.8
	// candidates read per new comment: enough to find the group among copies of many groups.
	maxCandidates = 40
)

type band struct {
	bun.BaseModel `bun:"table:comment_bands"`

	DraftID   int64 `bun:"draft_id,pk"`
	Band      int   `bun:"band,pk"`
	Hash      int64 `bun:"hash,pk"`
	CommentID int64 `bun:"comment_id,pk"`
}

// signature is the comment's band hashes: texts that share most word pairs share a band with
// high probability (Jaccard 0.7: 99.5%), texts that share few rarely do.
func signature(body string) [bands]int64 {
	ws := words(body)
	shingles := make([]string, 0, len(ws))
	for i := 0; i+1 < len(ws); i++ {
		shingles = append(shingles, ws[i]+" "+ws[i+1])
	}
	if len(ws) == 1 {
		shingles = append(shingles, ws[0])
	}
	var mins [bands * rowsPerBand]uint64
	for i := range mins {
		mins[i] = ^uint64(0)
	}
	for _, s := range shingles {
		h := fnv.New64a()
		h.Write([]byte(s))
		base := h.Sum64()
		for i := range mins {
			// One hash per row from one FNV: multiply-xorshift with a constant per row.
			x := base ^ (uint64(i+1) * 0x9e3779b97f4a7c15)
			x ^= x >> 33
			x *= 0xff51afd7ed558ccd
			x ^= x >> 33
			mins[i] = min(mins[i], x)
		}
	}
	var out [bands]int64
	for b := range out {
		h := fnv.New64a()
		for r := range rowsPerBand {
			v := mins[b*rowsPerBand+r]
			for k := range 8 {
				h.Write([]byte{byte(v >> (8 * k))})
			}
		}
		out[b] = int64(h.Sum64() >> 1) // fits a signed BIGINT on both databases
	}
	return out
}

// joinCampaign records the comment's bands and, when an earlier comment on the draft is a copy
// of it, puts it in that comment's group (making the group when the earlier one was alone).
func joinCampaign(ctx context.Context, db bun.IDB, c *Comment) error {
	if len(words(c.Body)) == 0 {
		return nil
	}
	sig := signature(c.Body)
	q := db.NewSelect().TableExpr("comment_bands AS b").Join("JOIN draft_comments AS c ON c.id = b.comment_id").
		ColumnExpr("DISTINCT c.id, c.body, c.campaign_id").Where("b.draft_id = ?", c.DraftID)
	q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		for b, h := range sig {
			q = q.WhereOr("(b.band = ? AND b.hash = ?)", b, h)
		}
		return q
	})
	var found []struct {
		ID         int64  `bun:"id"`
		Body       string `bun:"body"`
		CampaignID *int64 `bun:"campaign_id"`
	}
	if err := q.OrderExpr("c.id").Limit(maxCandidates).Scan(ctx, &found); err != nil {
		return fmt.Errorf("finding copies of comment %d: %w", c.ID, err)
	}
	rows := make([]band, 0, bands)
	for b, h := range sig {
		rows = append(rows, band{DraftID: c.DraftID, Band: b, Hash: h, CommentID: c.ID})
	}
	if _, err := db.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("recording the bands of comment %d: %w", c.ID, err)
	}
	for _, f := range found {
		if similarity(f.Body, c.Body) < CopyFloor {
			continue
		}
		group := f.ID
		if f.CampaignID != nil {
			group = *f.CampaignID
		} else if _, err := db.NewUpdate().Model((*Comment)(nil)).Set("campaign_id = ?", group).Where("id = ?", f.ID).Exec(ctx); err != nil {
			return fmt.Errorf("grouping comment %d: %w", f.ID, err)
		}
		c.CampaignID = &group
		if _, err := db.NewUpdate().Model(c).Column("campaign_id").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("grouping comment %d: %w", c.ID, err)
		}
		return nil
	}
	return nil
}
