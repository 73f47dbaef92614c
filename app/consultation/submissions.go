package consultation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/validate"
)

// Formal submissions: an organisation's answer to the draft, sent by a signed-in person on its
// behalf while the period is open, with its files. Organisers split it into points, each a
// comment on a paragraph that keeps the organisation's name, so that each point is placed,
// answered and reported like any comment. Points of a submission that is not public are read
// only by its sender and the process's moderators and organisers.

// Submission is one formal submission.
type Submission struct {
	bun.BaseModel `bun:"table:submissions,alias:s"`

	ID           int64     `bun:"id,pk,autoincrement"`
	DraftID      int64     `bun:"draft_id,notnull"`
	Number       int64     `bun:"number,notnull"`
	Organisation string    `bun:"organisation,notnull"`
	Group        string    `bun:"stakeholder_group,notnull"`
	Role         string    `bun:"signatory_role,notnull"`
	OnBehalfOf   string    `bun:"on_behalf_of,notnull"`
	Body         string    `bun:"body,notnull"`
	Public       bool      `bun:"public,notnull"`
	AuthorID     *int64    `bun:"author_id"`
	AuthorName   string    `bun:"author_name,notnull"`
	CreatedAt    time.Time `bun:"created_at,notnull"`

	Files []File `bun:"-"`
}

// File is a file of a submission; Data is read only to send it.
type File struct {
	bun.BaseModel `bun:"table:submission_files,alias:sf"`

	ID           int64     `bun:"id,pk,autoincrement"`
	SubmissionID int64     `bun:"submission_id,notnull"`
	Name         string    `bun:"name,notnull"`
	ContentType  string    `bun:"content_type,notnull"`
	Size         int64     `bun:"size,notnull"`
	SHA256       string    `bun:"sha256,notnull"`
	Data         []byte    `bun:"data,notnull"`
	CreatedAt    time.Time `bun:"created_at,notnull"`
}

// Private is the status of a point of a submission its sender did not make public.
const Private = "private"

// Limits of a submission.
const (
	MaxFileSize   = 10 << 20
	MaxFiles      = 5
	MaxSubmission = 50_000
	maxName       = 200
)

// Field error codes of a submission.
const (
	CodeFileType = "error.submission_file_type"
	CodeFileSize = "error.submission_file_size"
	CodeFiles    = "error.submission_files"
)

// Upload is a file as it was sent.
type Upload struct {
	Name string
	Data []byte
}

// SubmissionInput is a submission as its sender writes it.
type SubmissionInput struct {
	Organisation, Group, Role, OnBehalfOf, Body string
	Public                                      bool
	Files                                       []Upload
}

// Tracking is a submission's tracking number as its sender and the organisers cite it:
// the process's code, S and its number (ENCS2017-S0003).
func Tracking(code string, number int64) string { return fmt.Sprintf("%s-S%04d", code, number) }

// Submit records a formal submission while the comment period is open, checking each file by
// its content and size before anything is stored, and numbers it for tracking.
func Submit(ctx context.Context, db bun.IDB, now time.Time, who Who, draftID int64, in SubmissionInput) (Submission, processes.Process, error) {
	d, p, err := open(ctx, db, who, draftID, now)
	if err != nil {
		return Submission{}, p, err
	}
	s := Submission{DraftID: d.ID, Organisation: strings.TrimSpace(in.Organisation), Group: in.Group, Role: strings.TrimSpace(in.Role),
		OnBehalfOf: strings.TrimSpace(in.OnBehalfOf), Body: strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n")), Public: in.Public,
		AuthorID: &who.AccountID, AuthorName: who.Name, CreatedAt: now}
	var es validate.Errors
	if s.Organisation == "" {
		es.Add("organisation", validate.Required, nil)
	}
	es.Line("organisation", s.Organisation, maxName)
	if !slices.Contains(p.StakeholderGroups, s.Group) {
		es.Add("group", CodeGroup, nil)
	}
	if s.Role == "" {
		es.Add("signatory_role", validate.Required, nil)
	}
	es.Line("signatory_role", s.Role, maxName)
	es.Line("on_behalf_of", s.OnBehalfOf, 500)
	es.LongText("body", s.Body, MaxSubmission, true)
	if len(in.Files) > MaxFiles {
		es.Add("files", CodeFiles, map[string]any{"Max": MaxFiles})
	}
	for _, u := range in.Files {
		name := cleanName(u.Name)
		switch kind := FileType(u.Data); {
		case len(u.Data) > MaxFileSize:
			es.Add("files", CodeFileSize, map[string]any{"Name": name, "Max": MaxFileSize >> 20})
		case kind == "" || kind != TypeOfName(name):
			es.Add("files", CodeFileType, map[string]any{"Name": name})
		default:
			sum := sha256.Sum256(u.Data)
			s.Files = append(s.Files, File{Name: name, ContentType: kind, Size: int64(len(u.Data)), SHA256: hex.EncodeToString(sum[:]), Data: u.Data, CreatedAt: now})
		}
	}
	if err := es.Err(); err != nil {
		return s, p, err
	}
	if err := db.NewRaw(`INSERT INTO submission_counters (draft_id, last) VALUES (?, 1)
		ON CONFLICT (draft_id) DO UPDATE SET last = submission_counters.last + 1 RETURNING last`, d.ID).Scan(ctx, &s.Number); err != nil {
		return s, p, fmt.Errorf("numbering a submission on draft %d: %w", d.ID, err)
	}
	if _, err := db.NewInsert().Model(&s).Exec(ctx); err != nil {
		return s, p, fmt.Errorf("recording a submission on draft %d: %w", d.ID, err)
	}
	for i := range s.Files {
		s.Files[i].SubmissionID = s.ID
		if _, err := db.NewInsert().Model(&s.Files[i]).Exec(ctx); err != nil {
			return s, p, fmt.Errorf("storing a file of submission %d: %w", s.ID, err)
		}
	}
	return s, p, store.ContentChanged(ctx, db)
}

// cleanName is a file's name as sent, without any directory, control characters or more than
// maxName characters.
func cleanName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, name)
	for utf8.RuneCountInString(name) > maxName {
		name = string([]rune(name)[1:])
	}
	if name == "." || name == "/" || name == "" {
		return "file"
	}
	return name
}

// Mailer is where the consultation's notices go (a nil Outbox mails no one), and the site's
// address for the links in them.
type Mailer struct {
	Outbox  Outbox
	Log     *slog.Logger
	BaseURL string
}

// Outbox writes notices as mail and queues them in the caller's transaction.
type Outbox interface {
	mail.Composer
	Queue(ctx context.Context, db bun.IDB, msgs ...mail.Message) error
}

// tellSubmitter mails the sender their submission's tracking number and its address.
func tellSubmitter(ctx context.Context, db bun.IDB, m Mailer, s Submission, p processes.Process) error {
	if m.Outbox == nil || s.AuthorID == nil {
		return nil
	}
	a, err := accounts.ByID(ctx, db, *s.AuthorID)
	if err != nil {
		return err
	}
	d, err := ByID(ctx, db, s.DraftID)
	if err != nil {
		return err
	}
	msg, ok, err := mail.Notice(m.Outbox, m.Log, a.Email, a.Language, "submission_received", map[string]any{"Name": a.Name,
		"Tracking": Tracking(p.Code, s.Number), "Organisation": s.Organisation, "Draft": d.Title.In(a.Language, p.Languages...),
		"Link": fmt.Sprintf("%s/submissions/%d", m.BaseURL, s.ID)}, "submission", s.ID)
	if err != nil || !ok {
		return err
	}
	return m.Outbox.Queue(ctx, db, msg)
}

// SubmissionByID is a submission with its files' details (not their content).
func SubmissionByID(ctx context.Context, db bun.IDB, id int64) (Submission, error) {
	var s Submission
	if err := db.NewSelect().Model(&s).Where("s.id = ?", id).Scan(ctx); err != nil {
		return s, fmt.Errorf("submission %d: %w", id, store.NotFound(err))
	}
	err := db.NewSelect().Model(&s.Files).ExcludeColumn("data").Where("sf.submission_id = ?", s.ID).OrderExpr("sf.id").Scan(ctx)
	return s, err
}

// Submissions are a draft's submissions, newest first: the public ones, or all of them.
func Submissions(ctx context.Context, db bun.IDB, draftID int64, all bool) ([]Submission, error) {
	var ss []Submission
	q := db.NewSelect().Model(&ss).ExcludeColumn("body").Where("s.draft_id = ?", draftID).OrderExpr("s.id DESC")
	if !all {
		q = q.Where("s.public")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("the submissions of draft %d: %w", draftID, err)
	}
	return ss, nil
}

// FileOf is a submission's file with its content.
func FileOf(ctx context.Context, db bun.IDB, submissionID, fileID int64) (File, error) {
	var f File
	if err := db.NewSelect().Model(&f).Where("sf.id = ? AND sf.submission_id = ?", fileID, submissionID).Scan(ctx); err != nil {
		return f, fmt.Errorf("file %d: %w", fileID, store.NotFound(err))
	}
	return f, nil
}

// MayRead tells whether the viewer reads a submission: a public one anyone; another its sender
// and the process's moderators and organisers.
func (s Submission) MayRead(v Viewer) bool {
	return s.Public || v.Moderator || (v.AccountID != 0 && s.AuthorID != nil && *s.AuthorID == v.AccountID)
}

// AddPoint records one point of a submission as a comment on a paragraph (0: the whole draft)
// of the newest version, in the organisation's name; organisers do.
func AddPoint(ctx context.Context, db bun.IDB, now time.Time, who Who, submissionID int64, paragraph int, quote, body string) (Comment, error) {
	s, err := SubmissionByID(ctx, db, submissionID)
	if err != nil {
		return Comment{}, err
	}
	d, _, err := organised(ctx, db, who, s.DraftID)
	if err != nil {
		return Comment{}, err
	}
	v, err := VersionOf(ctx, db, d.ID, d.Version)
	if err != nil {
		return Comment{}, err
	}
	c := Comment{DraftID: d.ID, SubmissionID: &s.ID, Body: strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n")), Group: s.Group, AuthorID: s.AuthorID,
		AuthorName: s.Organisation, Status: Visible, AtState: Exact, AtScore: 1, CreatedAt: now,
		Version: d.Version, Paragraph: paragraph, AtVersion: d.Version, AtParagraph: paragraph, FromVersion: d.Version, FromParagraph: paragraph}
	if !s.Public {
		c.Status = Private
	}
	var es validate.Errors
	es.LongText("body", c.Body, MaxComment, true)
	ps := Paragraphs(v.Body)
	if paragraph < 0 || paragraph > len(ps) {
		es.Add("paragraph", CodeParagraph, nil)
	} else if err := c.quote(ps, quote); err != nil {
		es = append(es, err...)
	}
	if err := es.Err(); err != nil {
		return c, err
	}
	if _, err := db.NewInsert().Model(&c).Exec(ctx); err != nil {
		return c, fmt.Errorf("recording a point of submission %d: %w", s.ID, err)
	}
	if err := store.ContentChanged(ctx, db); err != nil {
		return c, err
	}
	return c, record(ctx, db, now, who, "draft.point", d, map[string]any{"submission": s.Number})
}

// Points are a submission's points, in the order they were recorded.
func Points(ctx context.Context, db bun.IDB, submissionID int64) ([]Comment, error) {
	var cs []Comment
	if err := db.NewSelect().Model(&cs).Where("c.submission_id = ?", submissionID).OrderExpr("c.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("the points of submission %d: %w", submissionID, err)
	}
	return cs, nil
}
