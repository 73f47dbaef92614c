package minutes

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/qa"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/validate"
)

// The actions: each checks who acts and its rules and writes its rows in the caller's
// transaction; Service runs each in one.

// DraftInput is the minutes as the editor sends them, whole, naming the revision it edited.
type DraftInput struct {
	Revision int64
	// Editor is a token the editor page made when it opened: a save naming an older revision is
	// no conflict when every save since was this editor's (one whose answer it never got). Seq
	// numbers the editor's saves: one arriving after a later one changes nothing.
	Editor        string
	Seq           int64
	Summary       string
	Takeaways     string
	CallsToAction string
	Report        ReportDraft
	Inputs        []InputDraft
}

// InputDraft is one input as the editor sends it.
type InputDraft struct {
	ID        int64  // 0: a new input
	Key       string // a new input's key, given by its editor: sent twice, it is one input
	Kind      string
	Body      string
	Topics    []int64
	Groups    []string
	Questions []int64 // the session's Q&A questions it came from
	// Speaker names who said it; only with their consent (SpeakerConsented).
	Speaker          string
	SpeakerConsented bool
	// A commitment's: who committed (organisation), their stakeholder group, by when.
	By, ByGroup, Due string
}

// Open is a session's minutes for its rapporteur (or an organiser): the draft begun, or begun
// now with the programme's speakers, due the process's MinutesDueDays after the session's end.
func Open(ctx context.Context, db bun.IDB, now time.Time, who Who, sessionID int64) (Minutes, error) {
	s, err := forums.SessionByID(ctx, db, sessionID)
	if err != nil {
		return Minutes{}, err
	}
	f, err := forums.Get(ctx, db, s.ForumID)
	if err != nil {
		return Minutes{}, err
	}
	if err := mayWrite(ctx, db, who, f.ProcessID, sessionID); err != nil {
		return Minutes{}, err
	}
	if m, err := OfSession(ctx, db, sessionID); err == nil {
		return m, nil
	}
	p, err := processes.ByID(ctx, db, f.ProcessID)
	if err != nil {
		return Minutes{}, err
	}
	speakers, err := ProgrammeSpeakers(ctx, db, sessionID)
	if err != nil {
		return Minutes{}, err
	}
	m := Minutes{SessionID: sessionID, ProcessID: f.ProcessID, Status: Draft, Revision: 1, DueOn: DueOn(s.EndsAt, f.TimeZone, p.MinutesDueDays),
		Report: Report{Speakers: speakers}, CreatedAt: now, UpdatedAt: now}
	// Two openings at once: the second finds the first's.
	if _, err := db.NewInsert().Model(&m).On("CONFLICT (session_id) DO NOTHING").Exec(ctx); err != nil {
		return Minutes{}, fmt.Errorf("beginning the minutes of session %d: %w", sessionID, err)
	}
	return OfSession(ctx, db, sessionID)
}

// Save replaces the draft with in, unless someone saved it since in.Revision (ErrConflict).
// Inputs keep their numbers; new ones take their process's next; those left out are marked
// removed, and their numbers are never given again.
func Save(ctx context.Context, db bun.IDB, now time.Time, who Who, minutesID int64, in DraftInput) (Minutes, error) {
	m, err := lock(ctx, db, minutesID)
	if err != nil {
		return m, err
	}
	if err := mayWrite(ctx, db, who, m.ProcessID, m.SessionID); err != nil {
		return m, err
	}
	if m.Status != Draft {
		return m, ErrNotDraft
	}
	return write(ctx, db, now, who, m, in, nil)
}

// lock reads minutes, locked until the transaction ends.
func lock(ctx context.Context, db bun.IDB, minutesID int64) (Minutes, error) {
	var m Minutes
	if err := store.ForUpdate(db.NewSelect().Model(&m).Where("m.id = ?", minutesID), db).Scan(ctx); err != nil {
		return m, fmt.Errorf("minutes %d: %w", minutesID, store.NotFound(err))
	}
	return m, nil
}

// write replaces the text and inputs of m (locked, its writer checked) with in, unless in names
// an older revision; more are the caller's own field errors (a correction's reason).
func write(ctx context.Context, db bun.IDB, now time.Time, who Who, m Minutes, in DraftInput, more validate.Errors) (Minutes, error) {
	own := in.Editor != "" && in.Editor == m.Editor && in.Revision >= m.EditorSince && in.Revision <= m.Revision
	if own && in.Seq != 0 && in.Seq <= m.EditorSeq {
		inputs, err := inputsOf(ctx, db, m.ID, false)
		m.Inputs = inputs
		return m, err // overtaken by a later save of the same editor
	}
	if in.Revision != m.Revision && !own {
		return m, ErrConflict.With(map[string]any{"Revision": m.Revision})
	}
	if in.Editor != m.Editor {
		m.Editor, m.EditorSince = in.Editor, m.Revision
	}
	m.EditorSeq = in.Seq
	existing, err := inputsOf(ctx, db, m.ID, true)
	if err != nil {
		return m, err
	}
	inputs, report, err := check(ctx, db, m, in, existing, more)
	if err != nil {
		return m, err
	}
	m.Summary, m.Takeaways, m.CallsToAction = in.Summary, in.Takeaways, in.CallsToAction
	m.Report = report
	m.Revision++
	m.UpdatedBy, m.UpdatedAt = nil, now
	if who.AccountID != 0 {
		m.UpdatedBy = &who.AccountID
	}
	if _, err := db.NewUpdate().Model(&m).Column("summary", "takeaways", "calls_to_action", "report", "revision", "updated_by", "updated_at", "editor", "editor_since", "editor_seq").
		WherePK().Exec(ctx); err != nil {
		return m, fmt.Errorf("saving minutes %d: %w", m.ID, err)
	}
	kept := map[int64]bool{}
	for i := range inputs {
		x := &inputs[i]
		x.Position, x.UpdatedAt = i+1, now
		if x.ID == 0 {
			if x.Number, err = nextNumber(ctx, db, m.ProcessID); err != nil {
				return m, err
			}
			x.ProcessID, x.MinutesID, x.CreatedAt, x.Standing = m.ProcessID, &m.ID, now, Pending
			if _, err := db.NewInsert().Model(x).Exec(ctx); err != nil {
				return m, fmt.Errorf("adding an input to minutes %d: %w", m.ID, err)
			}
		} else if _, err := db.NewUpdate().Model(x).Column("kind", "body", "position", "speaker", "committed_by", "committed_group",
			"committed_due", "removed", "updated_at").WherePK().Exec(ctx); err != nil {
			return m, fmt.Errorf("saving input %d: %w", x.ID, err)
		}
		kept[x.ID] = true
		if err := tag(ctx, db, *x); err != nil {
			return m, err
		}
	}
	for _, x := range existing {
		if !kept[x.ID] && !x.Removed {
			if _, err := db.NewUpdate().Model((*Input)(nil)).Set("removed = ?", true).Set("updated_at = ?", now).
				Where("id = ?", x.ID).Exec(ctx); err != nil {
				return m, fmt.Errorf("removing input %d: %w", x.ID, err)
			}
		}
	}
	m.Inputs = inputs
	return m, nil
}

// check applies the rules to a draft and returns its inputs as rows to write, and its report.
func check(ctx context.Context, db bun.IDB, m Minutes, in DraftInput, existing []Input, more validate.Errors) ([]Input, Report, error) {
	es := more
	if len(in.Editor) > 64 {
		es.Add("editor", validate.Invalid, nil)
	}
	es.LongText("summary", in.Summary, MaxText, false)
	es.LongText("takeaways", in.Takeaways, MaxText, false)
	es.LongText("calls_to_action", in.CallsToAction, MaxText, false)
	p, err := processes.ByID(ctx, db, m.ProcessID)
	if err != nil {
		return nil, Report{}, err
	}
	report := checkReport(&es, p, in.Report)
	if len(in.Inputs) > MaxInputs {
		es.Add("inputs", CodeCount, map[string]any{"Max": MaxInputs})
		return nil, report, es.Err()
	}
	var topics, questions []int64
	if err := db.NewSelect().Table("topics").Column("id").Where("process_id = ?", m.ProcessID).Scan(ctx, &topics); err != nil {
		return nil, Report{}, fmt.Errorf("reading the topics of process %d: %w", m.ProcessID, err)
	}
	// Only questions the room saw: an input's page shows the question it came from.
	if err := db.NewSelect().Table("questions").Column("id").Where("session_id = ? AND status IN (?)", m.SessionID,
		bun.List([]string{qa.Visible, qa.Answered})).Scan(ctx, &questions); err != nil {
		return nil, Report{}, fmt.Errorf("reading the questions of session %d: %w", m.SessionID, err)
	}
	byID, byKey := map[int64]Input{}, map[string]int64{}
	for _, x := range existing {
		byID[x.ID] = x
		if x.DraftKey != "" {
			byKey[x.DraftKey] = x.ID
		}
	}
	out := make([]Input, 0, len(in.Inputs))
	for i, d := range in.Inputs {
		field := func(name string) string { return fmt.Sprintf("inputs.%d.%s", i, name) }
		x := Input{Kind: d.Kind, Body: strings.TrimSpace(d.Body), Groups: dedupe(d.Groups), Topics: dedupe(d.Topics), Questions: dedupe(d.Questions),
			DraftKey: d.Key}
		if d.ID == 0 && d.Key != "" {
			d.ID = byKey[d.Key] // saved before, its answer lost
		}
		if d.ID != 0 {
			old, ok := byID[d.ID]
			if !ok {
				es.Add(field("id"), validate.Invalid, nil)
				continue
			}
			x.ID, x.Number, x.ProcessID, x.MinutesID, x.CreatedAt, x.DraftKey = old.ID, old.Number, old.ProcessID, old.MinutesID, old.CreatedAt, old.DraftKey
			delete(byID, d.ID) // an input twice in one draft is refused the second time
		}
		if !slices.Contains(Kinds(), x.Kind) {
			es.Add(field("kind"), CodeKind, nil)
		}
		es.LongText(field("body"), x.Body, MaxInput, true)
		if len(d.Key) > 80 {
			es.Add(field("key"), validate.Invalid, nil)
		}
		for _, t := range x.Topics {
			if !slices.Contains(topics, t) {
				es.Add(field("topics"), CodeTopic, nil)
				break
			}
		}
		for _, g := range x.Groups {
			if !slices.Contains(p.StakeholderGroups, g) {
				es.Add(field("groups"), CodeGroup, nil)
				break
			}
		}
		for _, q := range x.Questions {
			if !slices.Contains(questions, q) {
				es.Add(field("questions"), CodeQuote, nil)
				break
			}
		}
		if speaker := strings.TrimSpace(d.Speaker); speaker != "" {
			es.Line(field("speaker"), speaker, 200)
			if !d.SpeakerConsented {
				es.Add(field("speaker_consented"), validate.Required, nil)
			}
			x.Speaker = speaker
		}
		if x.Kind == Commitment {
			x.By, x.ByGroup, x.Due = strings.TrimSpace(d.By), d.ByGroup, d.Due
			es.Text(field("by"), x.By, 200)
			if x.ByGroup != "" && !slices.Contains(p.StakeholderGroups, x.ByGroup) {
				es.Add(field("by_group"), CodeGroup, nil)
			}
			if _, err := time.Parse(time.DateOnly, x.Due); x.Due != "" && err != nil {
				es.Add(field("due"), CodeDue, nil)
			}
		}
		out = append(out, x)
	}
	if err := es.Err(); err != nil {
		return nil, Report{}, err
	}
	return out, report, nil
}

// tag writes an input's topics, groups and questions, replacing those it had.
func tag(ctx context.Context, db bun.IDB, x Input) error {
	for _, table := range []string{"input_topics", "input_groups", "input_questions"} {
		if _, err := db.NewDelete().Table(table).Where("input_id = ?", x.ID).Exec(ctx); err != nil {
			return fmt.Errorf("clearing %s of input %d: %w", table, x.ID, err)
		}
	}
	for _, t := range x.Topics {
		if _, err := db.NewRaw("INSERT INTO input_topics (input_id, topic_id) VALUES (?, ?)", x.ID, t).Exec(ctx); err != nil {
			return fmt.Errorf("tagging input %d: %w", x.ID, err)
		}
	}
	for _, g := range x.Groups {
		if _, err := db.NewRaw("INSERT INTO input_groups (input_id, stakeholder_group) VALUES (?, ?)", x.ID, g).Exec(ctx); err != nil {
			return fmt.Errorf("tagging input %d: %w", x.ID, err)
		}
	}
	for _, q := range x.Questions {
		if _, err := db.NewRaw("INSERT INTO input_questions (input_id, question_id) VALUES (?, ?)", x.ID, q).Exec(ctx); err != nil {
			return fmt.Errorf("linking input %d: %w", x.ID, err)
		}
	}
	return nil
}

// nextNumber hands out a process's next input number, in the caller's transaction: the row
// it takes orders concurrent savers, and a number once given is never given again.
func nextNumber(ctx context.Context, db bun.IDB, processID int64) (int64, error) {
	var last int64
	err := db.NewRaw(`INSERT INTO input_counters (process_id, last) VALUES (?, 1)
		ON CONFLICT (process_id) DO UPDATE SET last = input_counters.last + 1 RETURNING last`, processID).Scan(ctx, &last)
	if err != nil {
		return 0, fmt.Errorf("numbering an input of process %d: %w", processID, err)
	}
	return last, nil
}

// mayWrite lets in the session's rapporteurs, its process's organisers and admins.
func mayWrite(ctx context.Context, db bun.IDB, who Who, processID, sessionID int64) error {
	ok, err := access.Has(ctx, db, access.Subject{AccountID: who.AccountID, IsAdmin: who.IsAdmin}, access.Rapporteur, processID, sessionID)
	switch {
	case err != nil:
		return err
	case !ok:
		return ErrNotRapporteur
	}
	return nil
}

func dedupe[T comparable](in []T) []T {
	out := make([]T, 0, len(in))
	for _, v := range in {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// MayWrite tells whether who writes a session's minutes (ErrNotRapporteur when not).
func MayWrite(ctx context.Context, db bun.IDB, who Who, processID, sessionID int64) error {
	return mayWrite(ctx, db, who, processID, sessionID)
}

// MayOrganise tells whether who publishes, sends back and corrects a process's minutes and
// records what became of its inputs (ErrNotOrganiser when not).
func MayOrganise(ctx context.Context, db bun.IDB, who Who, processID int64) error {
	return mayOrganise(ctx, db, who, processID)
}

// MayPropose tells whether who was at a session, and so may propose corrections to its minutes
// in review (ErrNotParticipant when not).
func MayPropose(ctx context.Context, db bun.IDB, who Who, sessionID int64) error {
	return wasThere(ctx, db, who, sessionID)
}
