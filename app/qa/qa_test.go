package qa_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/qa"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
	"github.com/convene/convene/realtime"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var t0 = time.Date(2026, 12, 17, 9, 0, 0, 0, time.UTC)

// fixture is a published forum with an open session and a premoderated one, a moderator, two
// members, a hub on the test database and the service publishing to it.
type fixture struct {
	db              *storetest.DB
	svc             *qa.Service
	hub             *realtime.Hub
	p               processes.Process
	open, premod    forums.Session
	mod, ana, luis  qa.Who
	anonymousDevice qa.Who
}

func newFixture(t *testing.T, db *storetest.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	sys := audit.Actor{}
	x := &fixture{db: db}
	var err error
	x.p, err = processes.Create(ctx, db.DB, t0, sys, processes.ProcessInput{Slug: "encs", Code: "ENCS", TimeZone: "America/Mexico_City",
		Status: processes.StatusOpen, Languages: []string{"es", "en"}, StakeholderGroups: []string{"academia", "civil_society"},
		Title: translated.Text{"es": "Estrategia", "en": "Strategy"}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := forums.Create(ctx, db.DB, t0, sys, x.p.ID, forums.Input{Slug: "foro", Format: forums.FormatVirtual, OnlineURL: "https://meet.example.org/f",
		TimeZone: "America/Mexico_City", StartsOn: "2026-12-17", EndsOn: "2026-12-18", Title: translated.Text{"es": "Foro", "en": "Forum"}})
	if err != nil {
		t.Fatal(err)
	}
	session := func(title, mode, start string) forums.Session {
		s, err := forums.CreateSession(ctx, db.DB, t0, sys, forums.Effects{}, x.p.ID, f.ID, forums.SessionInput{Kind: forums.KindPanel, QAMode: mode,
			Start: start, End: start[:11] + "23:00", Title: translated.Text{"es": title, "en": title}})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	x.open, x.premod = session("Abierta", forums.QAOpen, "2026-12-17T10:00"), session("Moderada", forums.QAPremoderated, "2026-12-18T10:00")
	if _, err := forums.Publish(ctx, db.DB, t0, sys, x.p.ID, f.ID); err != nil {
		t.Fatal(err)
	}
	acct := func(email, name string) qa.Who {
		a := accounts.Account{Email: email, Name: name, Language: "es", CreatedAt: t0}
		if _, err := db.NewInsert().Model(&a).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		return qa.Who{AccountID: a.ID, Name: name, Device: "device-of-" + email, Group: "academia"}
	}
	x.mod, x.ana, x.luis = acct("mod@example.org", "Moderadora"), acct("ana@example.org", "Ana"), acct("luis@example.org", "Luis")
	x.anonymousDevice = qa.Who{Device: "a-phone", Group: "civil_society"}
	if err := access.Grant(ctx, db.DB, t0, sys, x.mod.AccountID, access.Moderator, x.p.ID, 0); err != nil {
		t.Fatal(err)
	}
	x.hub = realtime.NewHub(db.DB, realtime.Local{}, nil, realtime.Config{}, nil)
	t.Cleanup(x.hub.Close)
	x.svc = &qa.Service{DB: db.DB, Clock: clock.NewFixed(t0), Live: x.hub}
	return x
}

// listen subscribes who to a session's room, from its snapshot.
func (x *fixture) listen(t *testing.T, sessionID int64, who qa.Who, moderator bool) *realtime.Listener {
	t.Helper()
	ctx := context.Background()
	l, complete, err := x.hub.Subscribe(ctx, qa.Room(sessionID), 0, realtime.Who{Moderator: moderator, Keys: who.Keys()})
	if err != nil || complete {
		t.Fatal(complete, err)
	}
	snap, seq, err := qa.Snapshot(ctx, x.db.DB, sessionID, who)
	if err != nil {
		t.Fatal(err)
	}
	l.Start(seq, snap)
	t.Cleanup(l.Close)
	return l
}

type frame struct {
	Seq      uint64  `json:"seq"`
	Type     string  `json:"type"`
	Question qa.View `json:"question"`
	ID       int64   `json:"id"`
}

// frames reads what l has queued within a moment.
func frames(t *testing.T, l *realtime.Listener) []frame {
	t.Helper()
	var out []frame
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
		got, err := l.Next(ctx)
		cancel()
		if err != nil {
			return out
		}
		for _, b := range got {
			var f frame
			if err := json.Unmarshal(b, &f); err != nil {
				t.Fatalf("a frame that is not JSON: %s", b)
			}
			out = append(out, f)
		}
	}
}

func types(fs []frame) string {
	var s []string
	for _, f := range fs {
		s = append(s, f.Type)
	}
	return strings.Join(s, " ")
}

// TestPendingReachesModeratorsAndAsker: in a premoderated session a question reaches the
// moderators and its asker only (others see its number alone) until it is approved; a hidden
// one is taken off the attendees' list, and its reason reaches its asker and no one else.
func TestPendingReachesModeratorsAndAsker(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		x := newFixture(t, db)
		ctx := context.Background()
		mod, asker, other := x.listen(t, x.premod.ID, x.mod, true), x.listen(t, x.premod.ID, x.ana, false), x.listen(t, x.premod.ID, x.luis, false)
		for _, l := range []*realtime.Listener{mod, asker, other} {
			if got := types(frames(t, l)); got != "snapshot" {
				t.Fatalf("first: %s", got)
			}
		}
		q, err := x.svc.Ask(ctx, x.ana, x.premod.ID, qa.AskInput{Body: "¿Qué papel tendrá la sociedad civil?"})
		if err != nil || q.Status != qa.Pending {
			t.Fatalf("asked: %+v %v", q, err)
		}
		if got := frames(t, mod); len(got) != 1 || got[0].Question.Body == "" || got[0].Question.Status != qa.Pending {
			t.Fatalf("the moderator got %+v", got)
		}
		if got := frames(t, asker); len(got) != 1 || got[0].Question.ID != q.ID {
			t.Fatalf("the asker got %+v", got)
		}
		if got := frames(t, other); len(got) != 1 || got[0].Type != "none" {
			t.Fatalf("another attendee got %+v, want the number alone", got)
		}
		if _, err := x.svc.Moderate(ctx, x.luis, q.ID, qa.Moderation{Kind: qa.Approve}); !errors.Is(err, qa.ErrNotModerator) {
			t.Fatalf("a participant approved: %v", err)
		}
		if _, err := x.svc.Moderate(ctx, x.mod, q.ID, qa.Moderation{Kind: qa.Approve}); err != nil {
			t.Fatal(err)
		}
		if got := frames(t, other); len(got) != 1 || got[0].Question.Status != qa.Visible || got[0].Question.Author != "Ana" {
			t.Fatalf("after approval another attendee got %+v", got)
		}
		frames(t, asker)
		frames(t, mod)
		if _, err := x.svc.Moderate(ctx, x.mod, q.ID, qa.Moderation{Kind: qa.Hide, Reason: "rude"}); err == nil {
			t.Fatal("hidden for a reason that is not on the list")
		}
		if _, err := x.svc.Moderate(ctx, x.mod, q.ID, qa.Moderation{Kind: qa.Hide, Reason: qa.AlreadyAnswered}); err != nil {
			t.Fatalf("declining without a note: %v", err)
		}
		frames(t, other)
		frames(t, asker)
		frames(t, mod)
		if _, err := x.svc.Moderate(ctx, x.mod, q.ID, qa.Moderation{Kind: qa.Approve}); err != nil {
			t.Fatal(err)
		}
		frames(t, other)
		frames(t, asker)
		frames(t, mod)
		if _, err := x.svc.Moderate(ctx, x.mod, q.ID, qa.Moderation{Kind: qa.Hide, Reason: qa.OffTopic, Note: "Para otra mesa"}); err != nil {
			t.Fatal(err)
		}
		if got := frames(t, other); len(got) != 1 || got[0].Type != "question.removed" || got[0].ID != q.ID {
			t.Fatalf("after hiding another attendee got %+v", got)
		}
		if got := frames(t, asker); len(got) != 1 || got[0].Question.Reason != qa.OffTopic || got[0].Question.Note != "Para otra mesa" {
			t.Fatalf("after hiding the asker got %+v, want the reason", got)
		}
		// A listener arriving later sees the same: the asker their declined question with its
		// reason, others nothing of it.
		snap, _, err := qa.Snapshot(ctx, db.DB, x.premod.ID, x.luis)
		if err != nil || strings.Contains(string(snap), "sociedad civil") {
			t.Fatalf("another's snapshot holds the hidden question: %s %v", snap, err)
		}
		snap, _, err = qa.Snapshot(ctx, db.DB, x.premod.ID, x.ana)
		if err != nil || !strings.Contains(string(snap), qa.OffTopic) {
			t.Fatalf("the asker's snapshot lacks the reason: %s %v", snap, err)
		}
	})
}

// TestAnonymousQuestions: an anonymous question keeps no account, name or anything that leads
// to its asker beyond the device's hashed key, with which that device sees it.
func TestAnonymousQuestions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		x := newFixture(t, db)
		ctx := context.Background()
		q, err := x.svc.Ask(ctx, x.ana, x.open.ID, qa.AskInput{Body: "Pregunta sin nombre", Anonymous: true})
		if err != nil {
			t.Fatal(err)
		}
		var stored qa.Question
		if err := db.NewSelect().Model(&stored).Where("q.id = ?", q.ID).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if stored.AuthorID != nil || stored.AuthorName != "" || stored.Owner != qa.DeviceKey(x.ana.Device) ||
			strings.Contains(stored.Owner, x.ana.Device) || strings.Contains(stored.Owner, "a:") {
			t.Fatalf("stored: author %v %q, owner %q", stored.AuthorID, stored.AuthorName, stored.Owner)
		}
		var row map[string]any
		if err := db.NewSelect().Table("live_events").Column("full_frame", "public_frame", "owner").Where("room = ?", qa.Room(x.open.ID)).Scan(ctx, &row); err != nil {
			t.Fatal(err)
		}
		for k, v := range row {
			if s, _ := v.(string); strings.Contains(s, "Ana") || strings.Contains(s, `"a:`) || strings.Contains(s, x.ana.Device) {
				t.Fatalf("the event's %s leads to the asker: %s", k, s)
			}
		}
		if _, err := x.svc.Ask(ctx, qa.Who{Group: "academia"}, x.open.ID, qa.AskInput{Body: "Sin dispositivo", Anonymous: true}); err == nil {
			t.Fatal("an anonymous question with no device key")
		}
	})
}

// TestVotes: one vote per person, a second refused; a withdrawn vote counts no more; a merge
// carries the duplicate's votes over, counting once a person who voted for both.
func TestVotes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		x := newFixture(t, db)
		ctx := context.Background()
		a, err := x.svc.Ask(ctx, x.ana, x.open.ID, qa.AskInput{Body: "¿Cómo se protegerán los datos?"})
		if err != nil {
			t.Fatal(err)
		}
		b, err := x.svc.Ask(ctx, x.luis, x.open.ID, qa.AskInput{Body: "¿Quién protege los datos personales?"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := x.svc.Vote(ctx, x.luis, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := x.svc.Vote(ctx, x.luis, a.ID); !errors.Is(err, qa.ErrVoted) {
			t.Fatalf("a second vote: %v", err)
		}
		for _, who := range []qa.Who{x.ana, x.luis, x.anonymousDevice} {
			if _, err := x.svc.Vote(ctx, who, b.ID); err != nil {
				t.Fatal(err)
			}
		}
		if q, err := x.svc.Unvote(ctx, x.ana, b.ID); err != nil || q.Votes != 2 {
			t.Fatalf("after withdrawing: %d %v", q.Votes, err)
		}
		if _, err := x.svc.Moderate(ctx, x.luis, b.ID, qa.Moderation{Kind: qa.Merge, Into: a.ID}); !errors.Is(err, qa.ErrNotModerator) {
			t.Fatalf("a participant merged: %v", err)
		}
		if _, err := x.svc.Moderate(ctx, x.mod, a.ID, qa.Moderation{Kind: qa.Reply, Reply: "Lo verá el instituto."}); err != nil {
			t.Fatalf("a reply: %v", err)
		}
		if _, err := x.svc.Moderate(ctx, x.mod, a.ID, qa.Moderation{Kind: qa.Reply}); err != nil {
			t.Fatalf("a reply taken back: %v", err)
		}
		merged, err := x.svc.Moderate(ctx, x.mod, b.ID, qa.Moderation{Kind: qa.Merge, Into: a.ID})
		if err != nil || merged.Status != qa.Hidden || merged.Reason != qa.Duplicate || merged.MergedInto == nil || *merged.MergedInto != a.ID {
			t.Fatalf("merged: %+v %v", merged, err)
		}
		var into qa.Question
		if err := db.NewSelect().Model(&into).Where("q.id = ?", a.ID).Scan(ctx); err != nil || into.Votes != 2 {
			t.Fatalf("the question merged into has %d votes, want 2 (Luis once, the device): %v", into.Votes, err)
		}
		frame, ok, err := qa.CountsOfRoom(ctx, db.DB, qa.Room(x.open.ID), nil)
		if err != nil || !ok || !strings.Contains(string(frame), `"votes":{"`) {
			t.Fatalf("counts: %s %v %v", frame, ok, err)
		}
	})
}

// TestReportsAndFlaggedWords: three people's reports send a question back to the moderators;
// a question with one of the process's words waits for them even in an open session.
func TestReportsAndFlaggedWords(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		x := newFixture(t, db)
		ctx := context.Background()
		q, err := x.svc.Ask(ctx, x.ana, x.open.ID, qa.AskInput{Body: "Una pregunta"})
		if err != nil || q.Status != qa.Visible {
			t.Fatalf("%+v %v", q, err)
		}
		for i, who := range []qa.Who{x.luis, x.luis, x.mod, x.anonymousDevice} {
			if q, err = x.svc.Report(ctx, who, q.ID); err != nil && i < 3 {
				t.Fatal(err)
			}
		}
		var stored qa.Question
		if err := db.NewSelect().Model(&stored).Where("q.id = ?", q.ID).Scan(ctx); err != nil || stored.Status != qa.Pending || stored.Reports != 3 {
			t.Fatalf("after three people's reports: %s, %d reports (%v)", stored.Status, stored.Reports, err)
		}
		if _, err := x.svc.SetWords(ctx, audit.Actor{}, x.p.ID, []string{"una\x00palabra"}); !hasField(err, "words") {
			t.Fatalf("a word with a control character: %v", err)
		}
		words, err := x.svc.SetWords(ctx, audit.Actor{}, x.p.ID, []string{"  Corrupción ", "", "datos  PERSONALES", "corrupción"})
		if err != nil || strings.Join(words, "|") != "corrupción|datos personales" {
			t.Fatalf("setting the words: %q %v", words, err)
		}
		for _, c := range []struct {
			body string
			held bool
		}{
			{"¿Y la CORRUPCION?", true},                   // any case, without its accent
			{"¿Quién vigila sus datos personales?", true}, // a phrase
			{"¿Datos, personales?", true},                 // its words, whatever lies between
			{"¿Y la anticorrupción?", false},              // whole words only
			{"¿Qué datos son públicos?", false},
		} {
			q, err := x.svc.Ask(ctx, x.luis, x.open.ID, qa.AskInput{Body: c.body})
			if err != nil || (q.Status == qa.Pending) != c.held {
				t.Fatalf("%q: %s %v, held for moderation: %v", c.body, q.Status, err, c.held)
			}
		}
		if stored, err := qa.Words(ctx, db.DB, x.p.ID); err != nil || len(stored) != 2 {
			t.Fatalf("the stored words: %q %v", stored, err)
		}
		var logged int64
		if logged, err = db.NewSelect().Table("audit_log").Where("action = 'qa.words'").Count(ctx); err != nil || logged != 1 {
			t.Fatalf("audit entries of the words: %d %v", logged, err)
		}
	})
}

// TestWhoMayAsk: a closed session takes no questions; members only, registrants only and
// anyone with the link each let in whom they say.
func TestWhoMayAsk(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		x := newFixture(t, db)
		ctx := context.Background()
		ask := func(who qa.Who) error {
			_, err := x.svc.Ask(ctx, who, x.open.ID, qa.AskInput{Body: "¿Hola?"})
			return err
		}
		if err := ask(x.anonymousDevice); !errors.Is(err, qa.ErrMayNotAsk) {
			t.Fatalf("members only, a visitor: %v", err)
		}
		if _, err := x.svc.Configure(ctx, x.luis, x.open.ID, qa.SettingsInput{WhoAsks: qa.AskAnyone}); !errors.Is(err, qa.ErrNotModerator) {
			t.Fatalf("a participant configured: %v", err)
		}
		if _, err := x.svc.Configure(ctx, x.mod, x.open.ID, qa.SettingsInput{WhoAsks: qa.AskRegistrants}); err != nil {
			t.Fatal(err)
		}
		if err := ask(x.ana); !errors.Is(err, qa.ErrMayNotAsk) {
			t.Fatalf("registrants only, a member not registered: %v", err)
		}
		if _, err := x.svc.Configure(ctx, x.mod, x.open.ID, qa.SettingsInput{WhoAsks: qa.AskAnyone}); err != nil {
			t.Fatal(err)
		}
		if _, err := x.svc.Ask(ctx, x.anonymousDevice, x.open.ID, qa.AskInput{Body: "¿Hola?", Anonymous: true}); !errors.Is(err, qa.ErrNoAnonymous) {
			t.Fatalf("anonymous questions turned off: %v", err)
		}
		if _, err := x.svc.Configure(ctx, x.mod, x.open.ID, qa.SettingsInput{WhoAsks: qa.AskAnyone, Anonymous: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := x.svc.Ask(ctx, x.anonymousDevice, x.open.ID, qa.AskInput{Body: "¿Hola?", Anonymous: true}); err != nil {
			t.Fatalf("anyone with the link: %v", err)
		}
		if _, err := x.svc.Configure(ctx, x.mod, x.open.ID, qa.SettingsInput{WhoAsks: qa.AskAnyone, Closed: true}); err != nil {
			t.Fatal(err)
		}
		if err := ask(x.ana); !errors.Is(err, qa.ErrClosed) {
			t.Fatalf("a closed session: %v", err)
		}
		if _, err := x.svc.Ask(ctx, x.mod, x.open.ID, qa.AskInput{Body: "Dicho en la sala", Channel: qa.InRoom, Group: "academia"}); err != nil {
			t.Fatalf("a moderator adds a question from the room after closing: %v", err)
		}
		f, err := qa.FairnessOf(ctx, db.DB, x.open.ID)
		if err != nil || f.Asked["academia"] != 1 || f.Asked["civil_society"] != 1 || f.Channels[qa.InRoom] != 1 || f.Channels[qa.Online] != 1 {
			t.Fatalf("fairness: %+v %v", f, err)
		}
	})
}

// hasField tells whether err is a validation error naming field.
func hasField(err error, field string) bool {
	es, ok := validate.As(err)
	return ok && es.Has(field)
}
