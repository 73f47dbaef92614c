package consultation

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
)

// The actions: each checks who acts and its rules and writes its rows in the caller's
// transaction; Service runs each in one.

// DraftInput is a draft's settings as organisers write them.
type DraftInput struct {
	Title, Summary    translated.Text
	OpensAt, ClosesAt *time.Time
}

// CreateDraft begins a draft in a process; it is read by nobody until a version is published.
func CreateDraft(ctx context.Context, db bun.IDB, now time.Time, who Who, processID int64, in DraftInput) (Draft, error) {
	p, err := processes.ByID(ctx, db, processID)
	if err != nil {
		return Draft{}, err
	}
	if err := mayOrganise(ctx, db, who, p.ID); err != nil {
		return Draft{}, err
	}
	d := Draft{ProcessID: p.ID, CreatedAt: now}
	if err := settle(&d, p, in, now); err != nil {
		return d, err
	}
	if _, err := db.NewInsert().Model(&d).Exec(ctx); err != nil {
		return d, fmt.Errorf("creating a draft: %w", err)
	}
	return d, record(ctx, db, now, who, "draft.create", d, nil)
}

// UpdateDraft changes a draft's title, summary and comment period.
func UpdateDraft(ctx context.Context, db bun.IDB, now time.Time, who Who, draftID int64, in DraftInput) (Draft, error) {
	d, p, err := organised(ctx, db, who, draftID)
	if err != nil {
		return d, err
	}
	if err := settle(&d, p, in, now); err != nil {
		return d, err
	}
	if _, err := db.NewUpdate().Model(&d).Column("title", "summary", "opens_at", "closes_at", "updated_at").WherePK().Exec(ctx); err != nil {
		return d, fmt.Errorf("saving draft %d: %w", d.ID, err)
	}
	if err := store.ContentChanged(ctx, db); err != nil {
		return d, err
	}
	return d, record(ctx, db, now, who, "draft.update", d, nil)
}

func settle(d *Draft, p processes.Process, in DraftInput, now time.Time) error {
	var es validate.Errors
	title, summary := in.Title.Trimmed(), in.Summary.Trimmed()
	for _, lang := range p.Languages {
		if title[lang] == "" {
			es.Add("title."+lang, validate.Required, nil)
		}
		es.Line("title."+lang, title[lang], maxTitle)
		es.LongText("summary."+lang, summary[lang], maxSummary, false)
	}
	if (in.OpensAt == nil) != (in.ClosesAt == nil) {
		field := "opens_at"
		if in.ClosesAt == nil {
			field = "closes_at"
		}
		es.Add(field, validate.Required, nil)
	} else if in.OpensAt != nil && !in.ClosesAt.After(*in.OpensAt) {
		es.Add("closes_at", CodePeriod, nil)
	}
	if err := es.Err(); err != nil {
		return err
	}
	d.Title, d.Summary, d.OpensAt, d.ClosesAt, d.UpdatedAt = title, summary, in.OpensAt, in.ClosesAt, now
	return nil
}

// PublishVersion publishes a new text of a draft. Every comment is placed again in it (exact,
// moved, fuzzy with a score, or orphaned), and the agree / disagree marks of paragraphs whose
// text did not change carry over to their new numbers.
func PublishVersion(ctx context.Context, db bun.IDB, now time.Time, who Who, draftID int64, body, note string) (Version, error) {
	d, _, err := organised(ctx, db, who, draftID)
	if err != nil {
		return Version{}, err
	}
	body, note = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n")), strings.TrimSpace(note)
	var es validate.Errors
	es.LongText("body", body, maxBody, true)
	es.LongText("note", note, maxNote, false)
	if !es.Has("body") && len(Paragraphs(body)) == 0 {
		es.Add("body", CodeBody, nil)
	}
	var old Version
	if d.Version > 0 {
		if old, err = VersionOf(ctx, db, d.ID, d.Version); err != nil {
			return Version{}, err
		}
		if !es.Has("body") && old.Body == body {
			es.Add("body", CodeSameText, nil)
		}
	}
	if err := es.Err(); err != nil {
		return Version{}, err
	}
	v := Version{DraftID: d.ID, Number: d.Version + 1, Body: body, Note: note, PublishedAt: now}
	if who.AccountID != 0 {
		v.PublishedBy = &who.AccountID
	}
	if _, err := db.NewInsert().Model(&v).Exec(ctx); err != nil {
		return v, fmt.Errorf("publishing version %d of draft %d: %w", v.Number, d.ID, err)
	}
	if _, err := db.NewUpdate().Model((*Draft)(nil)).Set("version = ?, updated_at = ?", v.Number, now).Where("id = ?", d.ID).Exec(ctx); err != nil {
		return v, fmt.Errorf("draft %d: %w", d.ID, err)
	}
	if d.Version > 0 {
		if err := replace(ctx, db, d.ID, v); err != nil {
			return v, err
		}
		if err := carryMarks(ctx, db, d.ID, old, v); err != nil {
			return v, err
		}
	}
	if err := store.ContentChanged(ctx, db); err != nil {
		return v, err
	}
	return v, record(ctx, db, now, who, "draft.publish", d, map[string]any{"version": v.Number})
}

// replace places every comment of a draft in version next, from the last place each had. Each
// anchor is placed once, however many comments share it, and the places are written in
// batches, replies following their comment.
func replace(ctx context.Context, db bun.IDB, draftID int64, next Version) error {
	type anchor struct {
		Version   int    `bun:"from_version"`
		Paragraph int    `bun:"from_paragraph"`
		Quote     string `bun:"quote"`
		Before    string `bun:"quote_before"`
		After     string `bun:"quote_after"`
	}
	var cs []struct {
		ID int64 `bun:"id"`
		anchor
	}
	if err := db.NewSelect().Model((*Comment)(nil)).Column("id", "from_version", "from_paragraph", "quote", "quote_before", "quote_after").
		Where("draft_id = ? AND parent_id IS NULL", draftID).Scan(ctx, &cs); err != nil {
		return fmt.Errorf("the anchors of draft %d: %w", draftID, err)
	}
	pl := NewPlacer(Paragraphs(next.Body))
	texts := map[int][]Paragraph{}
	placed := make(map[anchor]Placement)
	const batch = 500
	var sql strings.Builder
	args := make([]any, 0, 4*batch+2)
	write := func() error {
		if len(args) == 0 {
			return nil
		}
		sql.WriteString(`) UPDATE draft_comments SET at_version = ?, at_paragraph = v.p, at_state = v.s, at_score = v.sc,
			from_version = CASE WHEN v.p > 0 THEN ? ELSE from_version END,
			from_paragraph = CASE WHEN v.p > 0 THEN v.p ELSE from_paragraph END
			FROM v WHERE draft_comments.id = v.id`)
		args = append(args, next.Number, next.Number)
		if _, err := db.NewRaw(sql.String(), args...).Exec(ctx); err != nil {
			return fmt.Errorf("placing the comments of draft %d: %w", draftID, err)
		}
		sql.Reset()
		args = args[:0]
		return nil
	}
	for _, c := range cs {
		p, ok := placed[c.anchor]
		if !ok {
			p = Placement{State: Exact, Score: 1}
			if c.Paragraph > 0 {
				old, ok := texts[c.Version]
				if !ok {
					v, err := VersionOf(ctx, db, draftID, c.Version)
					if err != nil {
						return err
					}
					old = Paragraphs(v.Body)
					texts[c.Version] = old
				}
				p = pl.Place(old, Anchor{Paragraph: c.Paragraph, Quote: c.Quote, Before: c.Before, After: c.After})
			}
			placed[c.anchor] = p
		}
		if len(args) == 0 {
			sql.WriteString("WITH v (id, p, s, sc) AS (VALUES ")
		} else {
			sql.WriteString(", ")
		}
		sql.WriteString("(?, ?, ?, ?)")
		args = append(args, c.ID, p.Paragraph, p.State, p.Score)
		if len(args) == 4*batch {
			if err := write(); err != nil {
				return err
			}
		}
	}
	if err := write(); err != nil {
		return err
	}
	// Replies stand where their comment stands.
	if _, err := db.NewRaw(`UPDATE draft_comments SET at_version = ?,
		at_paragraph = (SELECT p.at_paragraph FROM draft_comments AS p WHERE p.id = draft_comments.parent_id),
		at_state = (SELECT p.at_state FROM draft_comments AS p WHERE p.id = draft_comments.parent_id)
		WHERE draft_id = ? AND parent_id IS NOT NULL`, next.Number, draftID).Exec(ctx); err != nil {
		return fmt.Errorf("placing the replies of draft %d: %w", draftID, err)
	}
	return nil
}

// carryMarks copies the marks of each paragraph whose text is unchanged to its number in the
// new version: agreeing with a text is agreeing with it wherever it moved.
func carryMarks(ctx context.Context, db bun.IDB, draftID int64, old, next Version) error {
	was := map[string]int{}
	for _, p := range Paragraphs(old.Body) {
		if _, seen := was[p.Text]; !seen {
			was[p.Text] = p.Number
		}
	}
	for _, p := range Paragraphs(next.Body) {
		n, ok := was[p.Text]
		if !ok {
			continue
		}
		if _, err := db.NewRaw(`INSERT INTO paragraph_marks (draft_id, version, paragraph, account_id, stakeholder_group, mark, marked_at)
			SELECT draft_id, ?, ?, account_id, stakeholder_group, mark, marked_at FROM paragraph_marks WHERE draft_id = ? AND version = ? AND paragraph = ?`,
			next.Number, p.Number, draftID, old.Number, n).Exec(ctx); err != nil {
			return fmt.Errorf("carrying the marks of draft %d: %w", draftID, err)
		}
	}
	return nil
}

// CommentInput is a comment as its author sends it: on a paragraph (0: the whole draft) of the
// version they read, optionally quoting a passage of it; or a reply (ParentID).
type CommentInput struct {
	Version   int
	Paragraph int
	Quote     string
	Body      string
	Group     string
	ParentID  int64
}

// AddComment records a comment or a reply while the comment period is open, and groups it
// with the near copies already sent (a campaign).
func AddComment(ctx context.Context, db bun.IDB, now time.Time, who Who, draftID int64, in CommentInput) (Comment, error) {
	d, p, err := open(ctx, db, who, draftID, now)
	if err != nil {
		return Comment{}, err
	}
	c := Comment{DraftID: d.ID, Body: strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n")), Group: in.Group, AuthorID: &who.AccountID,
		AuthorName: who.Name, Status: Visible, AtState: Exact, AtScore: 1, CreatedAt: now}
	var es validate.Errors
	es.LongText("body", c.Body, MaxComment, true)
	if !slices.Contains(p.StakeholderGroups, c.Group) {
		es.Add("group", CodeGroup, nil)
	}
	if in.ParentID != 0 {
		parent, err := CommentByID(ctx, db, in.ParentID)
		if err != nil || parent.DraftID != d.ID || parent.ParentID != nil || parent.Status != Visible {
			return c, ErrNoReplyHere
		}
		c.ParentID = &parent.ID
		c.Version, c.Paragraph, c.AtVersion, c.AtParagraph, c.AtState = parent.Version, parent.Paragraph, parent.AtVersion, parent.AtParagraph, parent.AtState
		c.FromVersion, c.FromParagraph = parent.FromVersion, parent.FromParagraph
	} else {
		if in.Version != d.Version {
			return c, ErrOldVersion
		}
		v, err := VersionOf(ctx, db, d.ID, d.Version)
		if err != nil {
			return c, err
		}
		ps := Paragraphs(v.Body)
		c.Version, c.Paragraph, c.AtVersion, c.AtParagraph = d.Version, in.Paragraph, d.Version, in.Paragraph
		c.FromVersion, c.FromParagraph = d.Version, in.Paragraph
		if in.Paragraph < 0 || in.Paragraph > len(ps) {
			es.Add("paragraph", CodeParagraph, nil)
		} else {
			es = append(es, c.quote(ps, in.Quote)...)
		}
	}
	if err := es.Err(); err != nil {
		return c, err
	}
	if _, err := db.NewInsert().Model(&c).Exec(ctx); err != nil {
		return c, fmt.Errorf("recording a comment on draft %d: %w", d.ID, err)
	}
	if c.ParentID == nil {
		if err := joinCampaign(ctx, db, &c); err != nil {
			return c, err
		}
	}
	return c, store.ContentChanged(ctx, db)
}

// Support adds (or, with on false, withdraws) the account's support of a comment: one per
// person, never their own, while the period is open.
func Support(ctx context.Context, db bun.IDB, now time.Time, who Who, commentID int64, on bool) (Comment, error) {
	c, err := visible(ctx, db, commentID)
	if err != nil {
		return c, err
	}
	if _, _, err := open(ctx, db, who, c.DraftID, now); err != nil {
		return c, err
	}
	if c.OwnedBy(who.AccountID) {
		return c, ErrOwnComment
	}
	q := db.NewRaw(`DELETE FROM comment_supports WHERE comment_id = ? AND account_id = ?`, c.ID, who.AccountID)
	if on {
		q = db.NewRaw(`INSERT INTO comment_supports (comment_id, account_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, c.ID, who.AccountID, now)
	}
	if _, err := q.Exec(ctx); err != nil {
		return c, fmt.Errorf("supporting comment %d: %w", c.ID, err)
	}
	if err := db.NewRaw(`UPDATE draft_comments SET supports = (SELECT COUNT(*) FROM comment_supports WHERE comment_id = ?) WHERE id = ? RETURNING supports`,
		c.ID, c.ID).Scan(ctx, &c.Supports); err != nil {
		return c, fmt.Errorf("counting the supports of comment %d: %w", c.ID, err)
	}
	return c, store.ContentChanged(ctx, db)
}

// Flag asks the moderators to look at a comment; one flag per person.
func Flag(ctx context.Context, db bun.IDB, now time.Time, who Who, commentID int64) (Comment, error) {
	c, err := visible(ctx, db, commentID)
	if err != nil {
		return c, err
	}
	if who.AccountID == 0 {
		return c, ErrNotOpen
	}
	res, err := db.NewRaw(`INSERT INTO comment_flags (comment_id, account_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, c.ID, who.AccountID, now).Exec(ctx)
	if err != nil {
		return c, fmt.Errorf("flagging comment %d: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return c, nil
	}
	if _, err := db.NewUpdate().Model((*Comment)(nil)).Set("flags = flags + 1").Where("id = ?", c.ID).Exec(ctx); err != nil {
		return c, fmt.Errorf("flagging comment %d: %w", c.ID, err)
	}
	c.Flags++
	d, err := ByID(ctx, db, c.DraftID)
	if err != nil {
		return c, err
	}
	return c, record(ctx, db, now, who, "draft.flag", d, map[string]any{"comment": c.ID})
}

// Moderation actions.
const (
	ActHide    = "hide"
	ActRestore = "restore"
	ActDismiss = "dismiss" // the flags were looked at: the comment stays
)

// Moderate hides a comment with a published reason (and a note its author reads), restores a
// hidden one, or dismisses its flags; the draft's process's moderators and organisers do.
func Moderate(ctx context.Context, db bun.IDB, now time.Time, who Who, commentID int64, action, reason, note string) (Comment, error) {
	c, err := CommentByID(ctx, db, commentID)
	if err != nil {
		return c, err
	}
	d, err := ByID(ctx, db, c.DraftID)
	if err != nil {
		return c, err
	}
	if err := mayModerate(ctx, db, who, d.ProcessID); err != nil {
		return c, err
	}
	note = strings.TrimSpace(note)
	var es validate.Errors
	es.LongText("note", note, maxNote, false)
	switch action {
	case ActHide:
		if !slices.Contains(Reasons(), reason) {
			es.Add("reason", CodeReason, nil)
		}
		c.Status, c.Reason, c.Note = Hidden, reason, note
	case ActRestore:
		c.Status, c.Reason, c.Note = Visible, "", ""
		if c.SubmissionID != nil {
			s, err := SubmissionByID(ctx, db, *c.SubmissionID)
			if err != nil {
				return c, err
			}
			if !s.Public {
				c.Status = Private
			}
		}
	case ActDismiss:
	default:
		es.Add("action", validate.Required, nil)
	}
	if err := es.Err(); err != nil {
		return c, err
	}
	c.Flags, c.ModeratedAt = 0, &now
	if _, err := db.NewUpdate().Model(&c).Column("status", "reason", "note", "flags", "moderated_at").WherePK().Exec(ctx); err != nil {
		return c, fmt.Errorf("moderating comment %d: %w", c.ID, err)
	}
	if err := store.ContentChanged(ctx, db); err != nil {
		return c, err
	}
	return c, record(ctx, db, now, who, "draft."+action, d, map[string]any{"comment": c.ID, "reason": reason})
}

// Mark records the account's agree, disagree or pass on a paragraph of the newest version, as
// a member of a stakeholder group; marking again changes the mark.
func Mark(ctx context.Context, db bun.IDB, now time.Time, who Who, draftID int64, version, paragraph int, mark, group string) error {
	d, p, err := open(ctx, db, who, draftID, now)
	if err != nil {
		return err
	}
	if version != d.Version {
		return ErrOldVersion
	}
	v, err := VersionOf(ctx, db, d.ID, d.Version)
	if err != nil {
		return err
	}
	var es validate.Errors
	if paragraph < 1 || paragraph > len(Paragraphs(v.Body)) {
		es.Add("paragraph", CodeParagraph, nil)
	}
	if !validMark(mark) {
		es.Add("mark", CodeMark, nil)
	}
	if !slices.Contains(p.StakeholderGroups, group) {
		es.Add("group", CodeGroup, nil)
	}
	if err := es.Err(); err != nil {
		return err
	}
	if _, err := db.NewRaw(`INSERT INTO paragraph_marks (draft_id, version, paragraph, account_id, stakeholder_group, mark, marked_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (draft_id, version, paragraph, account_id) DO UPDATE SET mark = EXCLUDED.mark, stakeholder_group = EXCLUDED.stakeholder_group, marked_at = EXCLUDED.marked_at`,
		d.ID, version, paragraph, who.AccountID, group, mark, now).Exec(ctx); err != nil {
		return fmt.Errorf("marking paragraph %d of draft %d: %w", paragraph, d.ID, err)
	}
	return store.ContentChanged(ctx, db)
}

// Place puts a comment on a paragraph of the newest version (confirming a fuzzy place, or
// choosing another), or with paragraph 0 leaves it on the paragraph of the version it was
// made on (orphaned); organisers do.
func Place(ctx context.Context, db bun.IDB, now time.Time, who Who, commentID int64, paragraph int) (Comment, error) {
	c, err := CommentByID(ctx, db, commentID)
	if err != nil {
		return c, err
	}
	if c.ParentID != nil || c.Paragraph == 0 {
		return c, ErrNotFuzzy
	}
	d, _, err := organised(ctx, db, who, c.DraftID)
	if err != nil {
		return c, err
	}
	v, err := VersionOf(ctx, db, d.ID, d.Version)
	if err != nil {
		return c, err
	}
	if paragraph < 0 || paragraph > len(Paragraphs(v.Body)) {
		return c, validate.Errors{{Field: "paragraph", Code: CodeParagraph}}
	}
	c.AtVersion, c.AtParagraph, c.AtState, c.AtScore = d.Version, paragraph, Confirmed, 1
	if paragraph == 0 {
		c.AtState, c.AtScore = Orphaned, 0
	} else {
		c.FromVersion, c.FromParagraph = d.Version, paragraph
	}
	if _, err := db.NewUpdate().Model(&c).Column("at_version", "at_paragraph", "at_state", "at_score", "from_version", "from_paragraph").WherePK().Exec(ctx); err != nil {
		return c, fmt.Errorf("placing comment %d: %w", c.ID, err)
	}
	if _, err := db.NewUpdate().Model((*Comment)(nil)).Set("at_version = ?, at_paragraph = ?, at_state = ?, from_version = ?, from_paragraph = ?",
		c.AtVersion, c.AtParagraph, c.AtState, c.FromVersion, c.FromParagraph).Where("parent_id = ?", c.ID).Exec(ctx); err != nil {
		return c, fmt.Errorf("placing the replies of comment %d: %w", c.ID, err)
	}
	if err := store.ContentChanged(ctx, db); err != nil {
		return c, err
	}
	return c, record(ctx, db, now, who, "draft.place", d, map[string]any{"comment": c.ID, "paragraph": paragraph})
}

// open is a draft taking comments now, its process, and a signed-in actor.
func open(ctx context.Context, db bun.IDB, who Who, draftID int64, now time.Time) (Draft, processes.Process, error) {
	d, err := ByID(ctx, db, draftID)
	if err != nil {
		return d, processes.Process{}, err
	}
	if who.AccountID == 0 || d.Period(now) != PeriodOpen {
		return d, processes.Process{}, ErrNotOpen
	}
	p, err := processes.ByID(ctx, db, d.ProcessID)
	return d, p, err
}

// visible is a comment the public sees.
func visible(ctx context.Context, db bun.IDB, commentID int64) (Comment, error) {
	c, err := CommentByID(ctx, db, commentID)
	if err == nil && c.Status != Visible {
		err = fmt.Errorf("comment %d is hidden: %w", commentID, errHidden)
	}
	return c, err
}

// organised is a draft, its process, for one of the process's organisers.
func organised(ctx context.Context, db bun.IDB, who Who, draftID int64) (Draft, processes.Process, error) {
	d, err := ByID(ctx, db, draftID)
	if err != nil {
		return d, processes.Process{}, err
	}
	if err := mayOrganise(ctx, db, who, d.ProcessID); err != nil {
		return d, processes.Process{}, err
	}
	p, err := processes.ByID(ctx, db, d.ProcessID)
	return d, p, err
}

func mayOrganise(ctx context.Context, db bun.IDB, who Who, processID int64) error {
	ok, err := access.Has(ctx, db, access.Subject{AccountID: who.AccountID, IsAdmin: who.IsAdmin}, access.Organiser, processID, 0)
	switch {
	case err != nil:
		return err
	case !ok:
		return ErrNotOrganiser
	}
	return nil
}

// MayModerate tells whether who moderates the process's consultation: its moderators and
// organisers, and admins.
func MayModerate(ctx context.Context, db bun.IDB, who Who, processID int64) (bool, error) {
	return access.Has(ctx, db, access.Subject{AccountID: who.AccountID, IsAdmin: who.IsAdmin}, access.Moderator, processID, 0)
}

func mayModerate(ctx context.Context, db bun.IDB, who Who, processID int64) error {
	ok, err := MayModerate(ctx, db, who, processID)
	switch {
	case err != nil:
		return err
	case !ok:
		return ErrNotModerator
	}
	return nil
}

func record(ctx context.Context, db bun.IDB, now time.Time, who Who, action string, d Draft, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	detail["draft"] = d.ID
	return audit.Record(ctx, db, now, audit.Actor{AccountID: who.AccountID}, action, "process", strconv.FormatInt(d.ProcessID, 10), detail)
}

// quote keeps the passage of its paragraph the comment quotes (spaces as the paragraph has
// them), with a little of the text around it; a passage not in the paragraph is refused.
func (c *Comment) quote(ps []Paragraph, quote string) validate.Errors {
	var es validate.Errors
	quote = strings.Join(strings.Fields(quote), " ")
	switch {
	case quote == "":
	case c.Paragraph == 0:
		es.Add("quote", CodeQuote, nil)
	case utf8.RuneCountInString(quote) > MaxQuote:
		es.Add("quote", validate.TooLong, map[string]any{"Max": MaxQuote})
	default:
		text := strings.Join(strings.Fields(ps[c.Paragraph-1].Text), " ")
		i := strings.Index(text, quote)
		if i < 0 {
			es.Add("quote", CodeQuote, nil)
		} else {
			c.Quote, c.Before, c.After = quote, lastRunes(text[:i], maxContext), firstRunes(text[i+len(quote):], maxContext)
		}
	}
	return es
}

func lastRunes(s string, n int) string {
	r := []rune(s)
	return string(r[max(0, len(r)-n):])
}

func firstRunes(s string, n int) string {
	r := []rune(s)
	return string(r[:min(n, len(r))])
}
