package consultation

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/store"
)

// errHidden: a hidden comment is, to everyone but its author and the moderators, not there.
var errHidden = problem.ErrNotFound

// ByID is a draft.
func ByID(ctx context.Context, db bun.IDB, id int64) (Draft, error) {
	var d Draft
	if err := db.NewSelect().Model(&d).Where("d.id = ?", id).Scan(ctx); err != nil {
		return d, fmt.Errorf("draft %d: %w", id, store.NotFound(err))
	}
	return d, nil
}

// OfProcess are a process's drafts, newest first; published only unless all.
func OfProcess(ctx context.Context, db bun.IDB, processID int64, all bool) ([]Draft, error) {
	var ds []Draft
	q := db.NewSelect().Model(&ds).Where("d.process_id = ?", processID).OrderExpr("d.id DESC")
	if !all {
		q = q.Where("d.version > 0")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("the drafts of process %d: %w", processID, err)
	}
	return ds, nil
}

// VersionOf is one published version of a draft.
func VersionOf(ctx context.Context, db bun.IDB, draftID int64, number int) (Version, error) {
	var v Version
	if err := db.NewSelect().Model(&v).Where("v.draft_id = ? AND v.number = ?", draftID, number).Scan(ctx); err != nil {
		return v, fmt.Errorf("version %d of draft %d: %w", number, draftID, store.NotFound(err))
	}
	return v, nil
}

// Versions are a draft's published versions, oldest first, without their text.
func Versions(ctx context.Context, db bun.IDB, draftID int64) ([]Version, error) {
	var vs []Version
	if err := db.NewSelect().Model(&vs).Column("draft_id", "number", "note", "published_by", "published_at").
		Where("v.draft_id = ?", draftID).OrderExpr("v.number").Scan(ctx); err != nil {
		return nil, fmt.Errorf("the versions of draft %d: %w", draftID, err)
	}
	return vs, nil
}

// CommentByID is a comment, whatever its status.
func CommentByID(ctx context.Context, db bun.IDB, id int64) (Comment, error) {
	var c Comment
	if err := db.NewSelect().Model(&c).Where("c.id = ?", id).Scan(ctx); err != nil {
		return c, fmt.Errorf("comment %d: %w", id, store.NotFound(err))
	}
	return c, nil
}

// Viewer is who reads comments: their own hidden ones, and all of them for moderators.
type Viewer struct {
	AccountID int64
	Moderator bool
}

// where keeps what the viewer may read.
func (v Viewer) where(q *bun.SelectQuery) *bun.SelectQuery {
	switch {
	case v.Moderator:
		return q
	case v.AccountID != 0:
		return q.Where("(c.status = ? OR c.author_id = ?)", Visible, v.AccountID)
	}
	return q.Where("c.status = ?", Visible)
}

// Counts are the visible comments (replies apart) on each paragraph of a version: in the
// newest, where comments stand now; in an older one, those made on it. Key 0 is the whole draft.
func Counts(ctx context.Context, db bun.IDB, d Draft, version int) (map[int]int, error) {
	var rows []struct {
		Paragraph int `bun:"paragraph"`
		N         int `bun:"n"`
	}
	q := db.NewSelect().Model((*Comment)(nil)).Where("c.draft_id = ? AND c.parent_id IS NULL AND c.status = ?", d.ID, Visible)
	if version == d.Version {
		q = q.ColumnExpr("c.at_paragraph AS paragraph, COUNT(*) AS n").Where("c.at_paragraph > 0 OR c.paragraph = 0").GroupExpr("c.at_paragraph")
	} else {
		q = q.ColumnExpr("c.paragraph AS paragraph, COUNT(*) AS n").Where("c.version = ?", version).GroupExpr("c.paragraph")
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("counting the comments of draft %d: %w", d.ID, err)
	}
	out := make(map[int]int, len(rows))
	for _, r := range rows {
		out[r.Paragraph] = r.N
	}
	return out, nil
}

// Thread is a comment as its thread shows it: its replies, whether the viewer supports it, and
// how many sent the same text.
type Thread struct {
	Comment
	Replies   []Comment
	Supported bool
	Copies    int // comments in its campaign group, itself included (0: alone)
	// Answer is what became of the input it was recorded as (nil: none yet).
	Answer *minutes.Standing
}

// ThreadsOn are the comments on a paragraph (0: the whole draft) of a version, oldest first,
// with their replies: in the newest version where they stand now, in an older one those made
// on it.
func ThreadsOn(ctx context.Context, db bun.IDB, d Draft, version, paragraph int, v Viewer) ([]Thread, error) {
	ts, _, err := ThreadsPage(ctx, db, d, version, paragraph, v, ThreadQuery{Sort: SortOldest})
	return ts, err
}

// Orders of a thread.
const (
	SortSupported = "supported" // most supported first, then oldest
	SortRecent    = "recent"
	SortOldest    = "oldest"
)

// Sorts lists the orders, the default first.
func Sorts() []string { return []string{SortSupported, SortRecent, SortOldest} }

// ThreadQuery is the order of a thread and the page of it read (Limit 0: all of it).
type ThreadQuery struct {
	Sort          string
	Offset, Limit int
}

// ThreadsPage is ThreadsOn in the order asked for, one page of it, and how many comments the
// thread has in all.
func ThreadsPage(ctx context.Context, db bun.IDB, d Draft, version, paragraph int, v Viewer, tq ThreadQuery) ([]Thread, int, error) {
	var cs []Comment
	q := db.NewSelect().Model(&cs).Where("c.draft_id = ? AND c.parent_id IS NULL", d.ID)
	switch {
	case version != d.Version:
		q = q.Where("c.version = ? AND c.paragraph = ?", version, paragraph)
	case paragraph == 0:
		q = q.Where("c.paragraph = 0")
	default:
		q = q.Where("c.at_paragraph = ?", paragraph)
	}
	q = v.where(q)
	switch tq.Sort {
	case SortSupported:
		q = q.OrderExpr("c.supports DESC, c.id")
	case SortRecent:
		q = q.OrderExpr("c.id DESC")
	default:
		q = q.OrderExpr("c.id")
	}
	var total int
	var err error
	if tq.Limit > 0 {
		q = q.Limit(int64(tq.Limit)).Offset(int64(tq.Offset))
		var n int64
		n, err = q.ScanAndCount(ctx)
		total = int(n)
	} else {
		err = q.Scan(ctx)
		total = len(cs)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("the comments on paragraph %d of draft %d: %w", paragraph, d.ID, err)
	}
	ts, err := threads(ctx, db, cs, v)
	return ts, total, err
}

// Orphans are the comments whose paragraph the newest version no longer has: shown as on a
// paragraph of the version they were made on.
func Orphans(ctx context.Context, db bun.IDB, d Draft, v Viewer) ([]Thread, error) {
	var cs []Comment
	q := db.NewSelect().Model(&cs).Where("c.draft_id = ? AND c.parent_id IS NULL AND c.paragraph > 0 AND c.at_paragraph = 0", d.ID).OrderExpr("c.id")
	if err := v.where(q).Scan(ctx); err != nil {
		return nil, fmt.Errorf("the orphaned comments of draft %d: %w", d.ID, err)
	}
	return threads(ctx, db, cs, v)
}

func threads(ctx context.Context, db bun.IDB, cs []Comment, v Viewer) ([]Thread, error) {
	out := make([]Thread, len(cs))
	if len(cs) == 0 {
		return out, nil
	}
	ids := make([]int64, len(cs))
	at := make(map[int64]int, len(cs))
	var groups, inputs []int64
	for i, c := range cs {
		out[i].Comment, ids[i], at[c.ID] = c, c.ID, i
		if c.CampaignID != nil {
			groups = append(groups, *c.CampaignID)
		}
		if c.InputID != nil {
			inputs = append(inputs, *c.InputID)
		}
	}
	if len(inputs) > 0 {
		answers, err := minutes.StandingsOf(ctx, db, inputs)
		if err != nil {
			return nil, err
		}
		for i := range out {
			if id := out[i].InputID; id != nil {
				if a, ok := answers[*id]; ok {
					out[i].Answer = &a
				}
			}
		}
	}
	var replies []Comment
	if err := v.where(db.NewSelect().Model(&replies).Where("c.parent_id IN (?)", bun.List(ids)).OrderExpr("c.id")).Scan(ctx); err != nil {
		return nil, fmt.Errorf("replies: %w", err)
	}
	for _, r := range replies {
		i := at[*r.ParentID]
		out[i].Replies = append(out[i].Replies, r)
	}
	if v.AccountID != 0 {
		var supported []int64
		if err := db.NewSelect().TableExpr("comment_supports").Column("comment_id").
			Where("account_id = ? AND comment_id IN (?)", v.AccountID, bun.List(ids)).Scan(ctx, &supported); err != nil {
			return nil, fmt.Errorf("supports: %w", err)
		}
		for _, id := range supported {
			out[at[id]].Supported = true
		}
	}
	if len(groups) > 0 {
		sizes, err := groupSizes(ctx, db, groups)
		if err != nil {
			return nil, err
		}
		for i := range out {
			if g := out[i].CampaignID; g != nil {
				out[i].Copies = sizes[*g]
			}
		}
	}
	return out, nil
}

func groupSizes(ctx context.Context, db bun.IDB, groups []int64) (map[int64]int, error) {
	slices.Sort(groups)
	groups = slices.Compact(groups)
	var rows []struct {
		ID int64 `bun:"campaign_id"`
		N  int   `bun:"n"`
	}
	if err := db.NewSelect().Model((*Comment)(nil)).ColumnExpr("c.campaign_id, COUNT(*) AS n").Where("c.campaign_id IN (?)", bun.List(groups)).
		GroupExpr("c.campaign_id").Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("campaign sizes: %w", err)
	}
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.ID] = r.N
	}
	return out, nil
}

// Campaign is a group of identical and near-identical comments: how many sent it, by
// stakeholder group, and its first comment's text.
type Campaign struct {
	ID        int64 // its first comment's
	Paragraph int   // where its first comment stands (0: the whole draft, or nowhere)
	Body      string
	N         int
	ByGroup   map[string]int
}

// Campaigns are a draft's groups of copies, largest first.
func Campaigns(ctx context.Context, db bun.IDB, draftID int64) ([]Campaign, error) {
	var rows []struct {
		ID    int64  `bun:"campaign_id"`
		Group string `bun:"stakeholder_group"`
		N     int    `bun:"n"`
	}
	if err := db.NewSelect().Model((*Comment)(nil)).ColumnExpr("c.campaign_id, c.stakeholder_group, COUNT(*) AS n").
		Where("c.draft_id = ? AND c.campaign_id IS NOT NULL", draftID).GroupExpr("c.campaign_id, c.stakeholder_group").Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("the campaigns of draft %d: %w", draftID, err)
	}
	at := map[int64]int{}
	var out []Campaign
	for _, r := range rows {
		i, ok := at[r.ID]
		if !ok {
			i = len(out)
			at[r.ID] = i
			out = append(out, Campaign{ID: r.ID, ByGroup: map[string]int{}})
		}
		out[i].N += r.N
		out[i].ByGroup[r.Group] += r.N
	}
	for i := range out {
		first, err := CommentByID(ctx, db, out[i].ID)
		if err != nil {
			return nil, err
		}
		out[i].Body, out[i].Paragraph = first.Body, first.AtParagraph
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].N > out[j].N || (out[i].N == out[j].N && out[i].ID < out[j].ID) })
	return out, nil
}

// Tally is how readers marked a paragraph, by stakeholder group.
type Tally struct {
	Agree, Disagree, Pass int
}

// Total counts every mark.
func (t Tally) Total() int { return t.Agree + t.Disagree + t.Pass }

// Agreement is how a version's paragraphs were marked: per paragraph, per stakeholder group.
type Agreement map[int]map[string]Tally

// AgreementOn reads the marks of a version.
func AgreementOn(ctx context.Context, db bun.IDB, draftID int64, version int) (Agreement, error) {
	var rows []struct {
		Paragraph int    `bun:"paragraph"`
		Group     string `bun:"stakeholder_group"`
		Mark      string `bun:"mark"`
		N         int    `bun:"n"`
	}
	if err := db.NewSelect().TableExpr("paragraph_marks").ColumnExpr("paragraph, stakeholder_group, mark, COUNT(*) AS n").
		Where("draft_id = ? AND version = ?", draftID, version).GroupExpr("paragraph, stakeholder_group, mark").Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("the marks of draft %d: %w", draftID, err)
	}
	out := Agreement{}
	for _, r := range rows {
		if out[r.Paragraph] == nil {
			out[r.Paragraph] = map[string]Tally{}
		}
		t := out[r.Paragraph][r.Group]
		switch r.Mark {
		case Agree:
			t.Agree += r.N
		case Disagree:
			t.Disagree += r.N
		default:
			t.Pass += r.N
		}
		out[r.Paragraph][r.Group] = t
	}
	return out, nil
}

// MarkOf is the mark the account put on a paragraph of a version ("" none).
func MarkOf(ctx context.Context, db bun.IDB, draftID int64, version, paragraph int, accountID int64) (string, error) {
	var marks []string
	if err := db.NewSelect().TableExpr("paragraph_marks").Column("mark").
		Where("draft_id = ? AND version = ? AND paragraph = ? AND account_id = ?", draftID, version, paragraph, accountID).Scan(ctx, &marks); err != nil {
		return "", fmt.Errorf("the mark on paragraph %d of draft %d: %w", paragraph, draftID, err)
	}
	if len(marks) == 0 {
		return "", nil
	}
	return marks[0], nil
}

// Who counts in where groups agree: a group with fewer decided marks (agree or disagree) on a
// paragraph says nothing about it yet.
const minDecided = 3

// Standing is where a paragraph stands among the groups: the agreement share of the group
// that agrees least and of the one that agrees most (each smoothed as Polis does, (a+1)/(a+d+2)),
// over the groups with enough marks.
type Standing struct {
	Paragraph int
	Groups    int
	Least     float64
	Most      float64
}

// Spread is how far apart the groups stand.
func (s Standing) Spread() float64 { return s.Most - s.Least }

// Broad and Divided are the paragraphs every group agrees with (each group at 60% or more, two
// groups at least) and those the groups are most divided on (30 points apart or more), the
// strongest first, at most n of each.
func (a Agreement) Broad(n int) (broad, divided []Standing) {
	for paragraph, groups := range a {
		s := Standing{Paragraph: paragraph, Least: math.Inf(1), Most: math.Inf(-1)}
		for _, t := range groups {
			if t.Agree+t.Disagree < minDecided {
				continue
			}
			share := float64(t.Agree+1) / float64(t.Agree+t.Disagree+2)
			s.Groups++
			s.Least, s.Most = math.Min(s.Least, share), math.Max(s.Most, share)
		}
		if s.Groups < 2 {
			continue
		}
		if s.Least >= 0.6 {
			broad = append(broad, s)
		}
		if s.Spread() >= 0.3 {
			divided = append(divided, s)
		}
	}
	sort.Slice(broad, func(i, j int) bool {
		return broad[i].Least > broad[j].Least || (broad[i].Least == broad[j].Least && broad[i].Paragraph < broad[j].Paragraph)
	})
	sort.Slice(divided, func(i, j int) bool {
		return divided[i].Spread() > divided[j].Spread() || (divided[i].Spread() == divided[j].Spread() && divided[i].Paragraph < divided[j].Paragraph)
	})
	return broad[:min(n, len(broad))], divided[:min(n, len(divided))]
}

// Flagged are the draft's comments flagged since a moderator last looked, most flagged first.
func Flagged(ctx context.Context, db bun.IDB, draftID int64) ([]Comment, error) {
	var cs []Comment
	if err := db.NewSelect().Model(&cs).Where("c.draft_id = ? AND c.flags > 0 AND c.status = ?", draftID, Visible).
		OrderExpr("c.flags DESC, c.id").Limit(200).Scan(ctx); err != nil {
		return nil, fmt.Errorf("the flagged comments of draft %d: %w", draftID, err)
	}
	return cs, nil
}

// ToPlace are the comments whose place in the newest version is fuzzy, for organisers to
// confirm or choose.
func ToPlace(ctx context.Context, db bun.IDB, d Draft) ([]Comment, error) {
	var cs []Comment
	if err := db.NewSelect().Model(&cs).Where("c.draft_id = ? AND c.parent_id IS NULL AND c.at_state = ?", d.ID, Fuzzy).
		OrderExpr("c.at_score, c.id").Limit(200).Scan(ctx); err != nil {
		return nil, fmt.Errorf("the comments of draft %d to place: %w", d.ID, err)
	}
	return cs, nil
}

// Moderation is the public count of what moderators did on a draft: hidden comments per reason.
func Moderation(ctx context.Context, db bun.IDB, draftID int64) (map[string]int, error) {
	var rows []struct {
		Reason string `bun:"reason"`
		N      int    `bun:"n"`
	}
	if err := db.NewSelect().Model((*Comment)(nil)).ColumnExpr("c.reason, COUNT(*) AS n").Where("c.draft_id = ? AND c.status = ?", draftID, Hidden).
		GroupExpr("c.reason").Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("the moderation of draft %d: %w", draftID, err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Reason] = r.N
	}
	return out, nil
}

// LastGroup is the stakeholder group the account last commented or marked as on a draft of the
// process ("" none), for its next form to begin with.
func LastGroup(ctx context.Context, db bun.IDB, accountID, processID int64) (string, error) {
	var groups []string
	if err := db.NewSelect().TableExpr("draft_comments AS c").Join("JOIN drafts AS d ON d.id = c.draft_id").Column("c.stakeholder_group").
		Where("c.author_id = ? AND d.process_id = ? AND c.submission_id IS NULL", accountID, processID).OrderExpr("c.id DESC").Limit(1).Scan(ctx, &groups); err != nil {
		return "", fmt.Errorf("the last group of account %d: %w", accountID, err)
	}
	if len(groups) == 0 {
		if err := db.NewSelect().TableExpr("paragraph_marks AS m").Join("JOIN drafts AS d ON d.id = m.draft_id").Column("m.stakeholder_group").
			Where("m.account_id = ? AND d.process_id = ?", accountID, processID).OrderExpr("m.marked_at DESC").Limit(1).Scan(ctx, &groups); err != nil {
			return "", fmt.Errorf("the last group of account %d: %w", accountID, err)
		}
	}
	if len(groups) == 0 {
		return "", nil
	}
	return groups[0], nil
}

// Answered is how many of a draft's published comments, replies and submission points an
// input records, and how many of those inputs have a decision: what the public reads as "how
// many were answered".
type Answered struct {
	Published, Recorded, Decided int
}

// AnsweredOf counts a draft's answers.
func AnsweredOf(ctx context.Context, db bun.IDB, draftID int64) (Answered, error) {
	var a Answered
	err := db.NewSelect().TableExpr("draft_comments AS c").Join("LEFT JOIN inputs AS i ON i.id = c.input_id AND NOT i.removed").
		ColumnExpr("COUNT(*) AS published, COUNT(i.id) AS recorded, COUNT(CASE WHEN i.standing <> ? THEN 1 END) AS decided", minutes.Pending).
		Where("c.draft_id = ? AND c.status = ?", draftID, Visible).Scan(ctx, &a.Published, &a.Recorded, &a.Decided)
	if err != nil {
		return a, fmt.Errorf("the answers on draft %d: %w", draftID, err)
	}
	return a, nil
}
