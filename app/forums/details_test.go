package forums_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
)

// fixture is a process with two topics, a published hybrid forum with a room, and two
// accounts, on one database.
type fixture struct {
	db              *storetest.DB
	now             time.Time
	p, other        processes.Process
	o1, a1, foreign processes.Topic
	f               forums.Forum
	room            forums.Room
	ana, luis       accounts.Account
}

func newFixture(t *testing.T, db *storetest.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	x := &fixture{db: db, now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	sys := audit.Actor{}
	var err error
	mk := func(slug string) processes.Process {
		p, err := processes.Create(ctx, db.DB, x.now, sys, processes.ProcessInput{Slug: slug, Code: strings.ToUpper(slug), TimeZone: "America/Mexico_City",
			Status: processes.StatusOpen, Languages: []string{"es", "en"}, StakeholderGroups: []string{"academia", "civil_society"},
			Title: translated.Text{"es": "Estrategia " + slug, "en": "Strategy " + slug}})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	x.p, x.other = mk("encs"), mk("otro")
	topic := func(p processes.Process, kind, code string) processes.Topic {
		tp, err := processes.CreateTopic(ctx, db.DB, x.now, sys, p.ID, processes.TopicInput{Kind: kind, Code: code,
			Title: translated.Text{"es": "Tema " + code, "en": "Topic " + code}})
		if err != nil {
			t.Fatal(err)
		}
		return tp
	}
	x.o1, x.a1, x.foreign = topic(x.p, processes.KindObjective, "O1"), topic(x.p, processes.KindAxis, "E1"), topic(x.other, processes.KindObjective, "O1")
	if x.f, err = forums.Create(ctx, db.DB, x.now, sys, x.p.ID, hybrid()); err != nil {
		t.Fatal(err)
	}
	if x.room, err = forums.AddRoom(ctx, db.DB, x.now, sys, x.p.ID, x.f.ID, "Auditorio", 300); err != nil {
		t.Fatal(err)
	}
	if x.f, err = forums.Publish(ctx, db.DB, x.now, sys, x.p.ID, x.f.ID); err != nil {
		t.Fatal(err)
	}
	acct := func(email string) accounts.Account {
		var a accounts.Account
		a.Email, a.Name, a.Language, a.CreatedAt = email, email[:3], "es", x.now
		if _, err := db.NewInsert().Model(&a).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		return a
	}
	x.ana, x.luis = acct("ana@example.org"), acct("luis@example.org")
	return x
}

func (x *fixture) input(title, start, end string) forums.SessionInput {
	return forums.SessionInput{Kind: forums.KindPanel, Start: start, End: end, Title: translated.Text{"es": title, "en": title}}
}

// TestSessionDetails: topics, languages, Q&A mode, capacity, speakers and the people who
// moderate and report are stored, shown in the programme, and replaced by an update; the
// moderators and the rapporteur hold their role for the session only while named.
func TestSessionDetails(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		x := newFixture(t, db)
		in := x.input("Panel de apertura", "2026-12-17T10:00", "2026-12-17T11:00")
		in.RoomID, in.QAMode, in.Capacity, in.Languages = x.room.ID, forums.QAPremoderated, 40, []string{"es", "EN", "es"}
		in.TopicIDs = []int64{x.a1.ID, x.o1.ID}
		in.Speakers = []forums.SpeakerInput{
			{Name: "Ana Pérez", Affiliation: "UNAM", Country: "mx", Group: "academia", Email: "ana@example.org",
				Bio: translated.Text{"es": "Investigadora.", "en": "Researcher."}},
			{}, // a blank form row
			{Name: "Jean Dupont", Country: "CH"},
		}
		in.Moderators, in.Rapporteur = []string{"LUIS@example.org", "luis@example.org"}, "ana@example.org"
		post := &mailbox{}
		fx := forums.Effects{Invite: access.Invitations{Notifier: post, BaseURL: "https://convene.example"}}
		s, err := forums.CreateSession(ctx, db.DB, x.now, audit.Actor{}, fx, x.p.ID, x.f.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		v, err := forums.SessionByID(ctx, db.DB, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(v.Languages, []string{"es", "en"}) || v.QAMode != forums.QAPremoderated || v.Capacity != 40 || v.Room != "Auditorio" {
			t.Fatalf("session: %+v", v)
		}
		if !slices.Equal(v.TopicIDs, []int64{x.o1.ID, x.a1.ID}) {
			t.Fatalf("topics %v, want objectives before axes", v.TopicIDs)
		}
		if len(v.Speakers) != 2 || v.Speakers[0].Name != "Ana Pérez" || v.Speakers[0].Country != "MX" || v.Speakers[0].AccountID != x.ana.ID ||
			v.Speakers[1].Name != "Jean Dupont" || v.Speakers[1].Position != 1 {
			t.Fatalf("speakers: %+v", v.Speakers)
		}
		if len(v.Moderators)+len(v.Rapporteurs) != 0 {
			t.Fatalf("named before accepting: %+v %+v", v.Moderators, v.Rapporteurs)
		}
		luis, ana := post.link(t, "luis@example.org"), post.link(t, "ana@example.org")
		if len(post.sent) != 2 {
			t.Fatalf("invitations mailed: %v, want one to each address", post.sent)
		}
		if _, err := access.Accept(ctx, db.DB, x.now, luis, x.luis.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := access.Accept(ctx, db.DB, x.now, ana, x.ana.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := access.Accept(ctx, db.DB, x.now, ana, x.ana.ID); !errors.Is(err, access.ErrInvitationGone) {
			t.Fatalf("a link answered twice: %v", err)
		}
		v, _ = forums.SessionByID(ctx, db.DB, s.ID)
		if len(v.Moderators) != 1 || v.Moderators[0].AccountID != x.luis.ID || len(v.Rapporteurs) != 1 || v.Rapporteurs[0].AccountID != x.ana.ID {
			t.Fatalf("roles: %+v %+v", v.Moderators, v.Rapporteurs)
		}
		may := func(a accounts.Account, role access.Role) bool {
			ok, err := access.Has(ctx, db.DB, access.Subject{AccountID: a.ID}, role, x.p.ID, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !may(x.luis, access.Moderator) || !may(x.ana, access.Rapporteur) || may(x.ana, access.Moderator) {
			t.Fatal("the session's roles were not granted")
		}
		// The update names Ana moderator, no rapporteur, one speaker and no topics.
		in.Moderators, in.Rapporteur, in.Speakers, in.TopicIDs = []string{"ana@example.org"}, "", in.Speakers[:1], nil
		post.sent = nil
		if _, err := forums.UpdateSession(ctx, db.DB, x.now, audit.Actor{}, fx, x.p.ID, x.f.ID, s.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, err := access.Accept(ctx, db.DB, x.now, post.link(t, "ana@example.org"), x.ana.ID); err != nil {
			t.Fatal(err)
		}
		v, _ = forums.SessionByID(ctx, db.DB, s.ID)
		if len(v.Speakers) != 1 || len(v.TopicIDs) != 0 || len(v.Rapporteurs) != 0 || len(v.Moderators) != 1 || v.Moderators[0].AccountID != x.ana.ID {
			t.Fatalf("after the update: %+v", v)
		}
		if may(x.luis, access.Moderator) || may(x.ana, access.Rapporteur) || !may(x.ana, access.Moderator) {
			t.Fatal("roles of people no longer named were kept")
		}
		list, err := forums.Programme(ctx, db.DB, x.f.ID)
		if err != nil || len(list) != 1 || list[0].ID != s.ID || len(list[0].Speakers) != 1 {
			t.Fatalf("programme: %+v %v", list, err)
		}
	})
}

// TestSessionBadInput: each bad value is refused naming its field, and nothing is written.
func TestSessionBadInput(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		x := newFixture(t, db)
		cases := []struct {
			name        string
			change      func(*forums.SessionInput)
			field, code string
		}{
			{"another process's topic", func(in *forums.SessionInput) { in.TopicIDs = []int64{x.o1.ID, x.foreign.ID} }, "topics", forums.CodeUnknownTopic},
			{"no such topic", func(in *forums.SessionInput) { in.TopicIDs = []int64{987654} }, "topics", forums.CodeUnknownTopic},
			{"unknown Q&A mode", func(in *forums.SessionInput) { in.QAMode = "loud" }, "qa_mode", forums.CodeQAMode},
			{"not a language", func(in *forums.SessionInput) { in.Languages = []string{"español"} }, "languages", forums.CodeLanguage},
			{"negative capacity", func(in *forums.SessionInput) { in.Capacity = -1 }, "capacity", forums.CodeCapacity},
			{"link not a URL", func(in *forums.SessionInput) { in.OnlineURL = "zoom 123" }, "online_url", forums.CodeURL},
			{"speaker without a name", func(in *forums.SessionInput) { in.Speakers = []forums.SpeakerInput{{Affiliation: "UNAM"}} }, "speakers.0.name", validate.Required},
			{"speaker from no country", func(in *forums.SessionInput) { in.Speakers = []forums.SpeakerInput{{Name: "X", Country: "XX"}} }, "speakers.0.country", validate.Invalid},
			{"speaker of a group the process lacks", func(in *forums.SessionInput) { in.Speakers = []forums.SpeakerInput{{Name: "X", Group: "media"}} }, "speakers.0.group", validate.Invalid},
			{"speaker's address with a comment", func(in *forums.SessionInput) {
				in.Speakers = []forums.SpeakerInput{{Name: "X", Email: "x@example.org(y)"}}
			}, "speakers.0.email", forums.CodePersonEmail},
			{"moderator not an address", func(in *forums.SessionInput) { in.Moderators = []string{"nadie"} }, "moderators", forums.CodePersonEmail},
			{"rapporteur with a line break", func(in *forums.SessionInput) { in.Rapporteur = "a@example.org\r\nBcc: b@example.org" }, "rapporteur", forums.CodePersonEmail},
			{"eleven moderators", func(in *forums.SessionInput) {
				for i := range 11 {
					in.Moderators = append(in.Moderators, fmt.Sprintf("m%d@example.org", i))
				}
			}, "moderators", forums.CodeTooMany},
			{"no kind", func(in *forums.SessionInput) { in.Kind = "" }, "kind", forums.CodeKind},
			{"no English title", func(in *forums.SessionInput) { in.Title = translated.Text{"es": "Solo español"} }, "title.en", validate.Required},
			{"malformed start", func(in *forums.SessionInput) { in.Start = "mañana" }, "start", forums.CodeLocalTime},
			{"the year 0", func(in *forums.SessionInput) { in.Start = "0000-12-17T10:00" }, "start", forums.CodeLocalTime},
		}
		tables := []string{"sessions", "speakers", "session_topics", "grants", "audit_log"}
		before := map[string]int64{}
		for _, tb := range tables {
			n, _ := db.NewSelect().Table(tb).Count(ctx)
			before[tb] = n
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				in := x.input("Panel", "2026-12-17T10:00", "2026-12-17T11:00")
				tc.change(&in)
				_, err := forums.CreateSession(ctx, db.DB, x.now, audit.Actor{}, forums.Effects{}, x.p.ID, x.f.ID, in)
				if fieldCode(err, tc.field) != tc.code {
					t.Fatalf("error %v, want %s on %s", err, tc.code, tc.field)
				}
			})
		}
		for _, tb := range tables {
			if n, _ := db.NewSelect().Table(tb).Count(ctx); n != before[tb] {
				t.Errorf("%s: %d rows, want %d", tb, n, before[tb])
			}
		}
		if _, err := forums.CreateSession(ctx, db.DB, x.now, audit.Actor{}, forums.Effects{}, x.other.ID, x.f.ID, x.input("Panel", "2026-12-17T10:00", "2026-12-17T11:00")); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a session in another process's forum: %v", err)
		}
	})
}

// TestSpeakerClash: a speaker in two places at once is a warning; confirmed, the session is
// kept. A cancelled session clashes with nothing.
func TestSpeakerClash(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		x := newFixture(t, db)
		first := x.input("Mesa A", "2026-12-17T10:00", "2026-12-17T11:00")
		first.Speakers = []forums.SpeakerInput{{Name: "Ana Pérez"}}
		a, err := forums.CreateSession(ctx, db.DB, x.now, audit.Actor{}, forums.Effects{}, x.p.ID, x.f.ID, first)
		if err != nil {
			t.Fatal(err)
		}
		second := x.input("Mesa B", "2026-12-17T10:30", "2026-12-17T11:30")
		second.Speakers = []forums.SpeakerInput{{Name: "ana pérez "}}
		_, err = forums.CreateSession(ctx, db.DB, x.now, audit.Actor{}, forums.Effects{}, x.p.ID, x.f.ID, second)
		if pr, ok := problem.As(err); !ok || !errors.Is(err, forums.ErrSpeakerClash) || pr.Field != "confirm_clash" || pr.Data["Other"] != "Mesa A" {
			t.Fatalf("a clash: %v", err)
		}
		second.Speakers[0].Name = "Ana Pérez"
		if _, err := forums.CreateSession(ctx, db.DB, x.now, audit.Actor{}, forums.Effects{}, x.p.ID, x.f.ID, second); !errors.Is(err, forums.ErrSpeakerClash) {
			t.Fatalf("the same name: %v", err)
		}
		second.ConfirmClash = true
		b, err := forums.CreateSession(ctx, db.DB, x.now, audit.Actor{}, forums.Effects{}, x.p.ID, x.f.ID, second)
		if err != nil {
			t.Fatalf("a confirmed clash: %v", err)
		}
		if _, err := forums.CancelSession(ctx, db.DB, x.now, audit.Actor{}, forums.Effects{}, x.p.ID, x.f.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		second.ConfirmClash = false
		if _, err := forums.UpdateSession(ctx, db.DB, x.now, audit.Actor{}, forums.Effects{}, x.p.ID, x.f.ID, b.ID, second); err != nil {
			t.Fatalf("a clash with a cancelled session: %v", err)
		}
	})
}

// TestForumChanges: once published, a forum's new venue, link or days are recorded for its
// change log and grow its calendar sequence; days that would leave a session out, or a new
// zone once sessions exist, are refused.
func TestForumChanges(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		x := newFixture(t, db)
		s, err := forums.CreateSession(ctx, db.DB, x.now, audit.Actor{}, forums.Effects{}, x.p.ID, x.f.ID, x.input("Panel", "2026-12-18T10:00", "2026-12-18T11:00"))
		if err != nil {
			t.Fatal(err)
		}
		in := hybrid()
		in.EndsOn = "2026-12-17"
		if _, err := forums.Update(ctx, db.DB, x.now, audit.Actor{}, forums.Effects{}, x.p.ID, x.f.ID, in); fieldCode(err, "starts_on") != forums.CodeSessionsOutside {
			t.Fatalf("days that leave a session out: %v", err)
		}
		in = hybrid()
		in.TimeZone = "Europe/Madrid"
		if _, err := forums.Update(ctx, db.DB, x.now, audit.Actor{}, forums.Effects{}, x.p.ID, x.f.ID, in); fieldCode(err, "time_zone") != forums.CodeZoneFixed {
			t.Fatalf("a new zone under sessions: %v", err)
		}
		in = hybrid()
		in.OnlineURL, in.VenueName = "https://meet.example.org/nuevo", "Museo"
		f, err := forums.Update(ctx, db.DB, x.now, audit.Actor{}, forums.Effects{}, x.p.ID, x.f.ID, in)
		if err != nil || f.Sequence != x.f.Sequence+1 {
			t.Fatalf("a new venue and link: %+v %v", f, err)
		}
		moved := x.input("Panel", "2026-12-18T10:00", "2026-12-18T11:00")
		moved.OnlineURL = "https://meet.example.org/sala-2"
		if s, err = forums.UpdateSession(ctx, db.DB, x.now, audit.Actor{}, forums.Effects{}, x.p.ID, x.f.ID, s.ID, moved); err != nil || s.Sequence != 1 {
			t.Fatalf("a session's own link: %+v %v", s, err)
		}
		changes, _ := forums.Changes(ctx, db.DB, x.f.ID)
		var whats []string
		for _, c := range changes {
			whats = append(whats, c.What)
		}
		slices.Sort(whats)
		if !slices.Equal(whats, []string{"link", "link", "venue"}) {
			t.Fatalf("changes: %q", whats)
		}
	})
}

// TestActionsGrowTheContentRevision: every forum action grows the content revision that page
// caches are keyed by, so a change shows at once on every instance.
func TestActionsGrowTheContentRevision(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		x := newFixture(t, db)
		sys := audit.Actor{}
		last, _ := store.ContentRevision(ctx, db.DB)
		grew := func(what string, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			rev, err := store.ContentRevision(ctx, db.DB)
			if err != nil || rev <= last {
				t.Errorf("%s left the revision at %d (%v)", what, rev, err)
			}
			last = rev
		}
		f, err := forums.Create(ctx, db.DB, x.now, sys, x.p.ID, func() forums.Input { in := hybrid(); in.Slug = "otro"; return in }())
		grew("create", err)
		_, err = forums.Update(ctx, db.DB, x.now, sys, forums.Effects{}, x.p.ID, f.ID, func() forums.Input { in := hybrid(); in.Slug = "otro"; in.VenueName = "Otra"; return in }())
		grew("update", err)
		_, err = forums.AddRoom(ctx, db.DB, x.now, sys, x.p.ID, f.ID, "Sala", 10)
		grew("add a room", err)
		s, err := forums.CreateSession(ctx, db.DB, x.now, sys, forums.Effects{}, x.p.ID, f.ID, x.input("Panel", "2026-12-17T10:00", "2026-12-17T11:00"))
		grew("create a session", err)
		_, err = forums.UpdateSession(ctx, db.DB, x.now, sys, forums.Effects{}, x.p.ID, f.ID, s.ID, x.input("Panel", "2026-12-17T12:00", "2026-12-17T13:00"))
		grew("move a session", err)
		_, err = forums.CancelSession(ctx, db.DB, x.now, sys, forums.Effects{}, x.p.ID, f.ID, s.ID)
		grew("cancel a session", err)
		_, err = forums.Publish(ctx, db.DB, x.now, sys, x.p.ID, f.ID)
		grew("publish", err)
		_, err = forums.Cancel(ctx, db.DB, x.now, sys, forums.Effects{}, x.p.ID, f.ID)
		grew("cancel", err)
		_, err = processes.CreateTopic(ctx, db.DB, x.now, sys, x.p.ID, processes.TopicInput{Kind: processes.KindAxis, Code: "E9", Title: translated.Text{"es": "Eje", "en": "Axis"}})
		grew("add a topic", err)
		grew("grant", access.Grant(ctx, db.DB, x.now, sys, x.ana.ID, access.Moderator, x.p.ID, s.ID))
		grew("revoke", access.Revoke(ctx, db.DB, x.now, sys, x.ana.ID, access.Moderator, x.p.ID, s.ID))
	})
}

// TestReviewedRules: a change log keeps long values (a 2000-character link), room names are
// unique in a forum and the online column's name is kept, and a speaker clash is looked for in
// the process's own sessions only (the warning names the other session).
func TestReviewedRules(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		x := newFixture(t, db)
		sys := audit.Actor{}
		in := x.input("Panel", "2026-12-17T10:00", "2026-12-17T11:00")
		in.Speakers = []forums.SpeakerInput{{Name: "Ana Pérez"}}
		s, err := forums.CreateSession(ctx, db.DB, x.now, sys, forums.Effects{}, x.p.ID, x.f.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		in.OnlineURL = "https://meet.example.org/" + strings.Repeat("a", 1900)
		if _, err := forums.UpdateSession(ctx, db.DB, x.now, sys, forums.Effects{}, x.p.ID, x.f.ID, s.ID, in); err != nil {
			t.Fatalf("a long link in the change log: %v", err)
		}
		if _, err := forums.AddRoom(ctx, db.DB, x.now, sys, x.p.ID, x.f.ID, "auditorio", 10); fieldCode(err, "room_name") != validate.Taken {
			t.Fatalf("a second Auditorio: %v", err)
		}
		if _, err := forums.AddRoom(ctx, db.DB, x.now, sys, x.p.ID, x.f.ID, "En línea", 10); fieldCode(err, "room_name") != forums.CodeRoomReserved {
			t.Fatalf("a room named like the online column: %v", err)
		}
		// Another process's forum, at the same time, with the same speaker: no warning.
		other := hybrid()
		other.Slug = "foro-ajeno"
		g, err := forums.Create(ctx, db.DB, x.now, sys, x.other.ID, other)
		if err != nil {
			t.Fatal(err)
		}
		elsewhere := forums.SessionInput{Kind: forums.KindPanel, Start: "2026-12-17T10:30", End: "2026-12-17T11:30",
			Title: translated.Text{"es": "Secreto", "en": "Secret"}, Speakers: []forums.SpeakerInput{{Name: "Ana Pérez"}}}
		if _, err := forums.CreateSession(ctx, db.DB, x.now, sys, forums.Effects{}, x.other.ID, g.ID, elsewhere); err != nil {
			t.Fatalf("the same speaker in another process: %v", err)
		}
	})
}

// told records what the actions tell followers.
type told struct{ forums, sessions []string }

func (t *told) ForumChanged(_ context.Context, _ bun.IDB, _ time.Time, f forums.Forum, calendar bool) error {
	t.forums = append(t.forums, fmt.Sprintf("%d %v", f.ID, calendar))
	return nil
}

func (t *told) SessionChanged(_ context.Context, _ bun.IDB, _ time.Time, _ forums.Forum, s forums.Session, calendar bool) error {
	t.sessions = append(t.sessions, fmt.Sprintf("%d %v", s.ID, calendar))
	return nil
}

// TestActionsTellFollowers: the actions themselves tell followers of a change, in the caller's
// transaction, and whether a calendar shows it: whoever calls them (the service, a seed step,
// a command) cannot forget registrants.
func TestActionsTellFollowers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		x := newFixture(t, db)
		rec := &told{}
		tell := forums.Followers{rec}
		s, err := forums.CreateSession(ctx, db.DB, x.now, audit.Actor{}, forums.Effects{}, x.p.ID, x.f.ID, x.input("Panel", "2026-12-18T10:00", "2026-12-18T11:00"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := forums.UpdateSession(ctx, db.DB, x.now, audit.Actor{}, forums.Effects{Followers: tell}, x.p.ID, x.f.ID, s.ID, x.input("Panel", "2026-12-18T10:00", "2026-12-18T11:00")); err != nil {
			t.Fatal(err)
		}
		if _, err := forums.UpdateSession(ctx, db.DB, x.now, audit.Actor{}, forums.Effects{Followers: tell}, x.p.ID, x.f.ID, s.ID, x.input("Panel", "2026-12-18T12:00", "2026-12-18T13:00")); err != nil {
			t.Fatal(err)
		}
		if _, err := forums.CancelSession(ctx, db.DB, x.now, audit.Actor{}, forums.Effects{Followers: tell}, x.p.ID, x.f.ID, s.ID); err != nil {
			t.Fatal(err)
		}
		in := hybrid()
		in.VenueName = "Museo"
		if _, err := forums.Update(ctx, db.DB, x.now, audit.Actor{}, forums.Effects{Followers: tell}, x.p.ID, x.f.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, err := forums.Cancel(ctx, db.DB, x.now, audit.Actor{}, forums.Effects{Followers: tell}, x.p.ID, x.f.ID); err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprint(s.ID)
		if want := []string{id + " false", id + " true", id + " true"}; !slices.Equal(rec.sessions, want) {
			t.Errorf("sessions told: %q, want %q (unchanged, moved, cancelled)", rec.sessions, want)
		}
		f := fmt.Sprint(x.f.ID)
		if want := []string{f + " true", f + " true"}; !slices.Equal(rec.forums, want) {
			t.Errorf("forums told: %q, want %q (a new venue, cancelled)", rec.forums, want)
		}
	})
}

// mailbox keeps what the invitations mail.
type mailbox struct{ sent []map[string]any }

func (m *mailbox) Notify(_ context.Context, _ bun.IDB, to, _, kind string, data map[string]any) error {
	d := map[string]any{"To": to, "Kind": kind}
	for k, v := range data {
		d[k] = v
	}
	m.sent = append(m.sent, d)
	return nil
}

// link is the token of the last invitation mailed to to.
func (m *mailbox) link(t *testing.T, to string) string {
	t.Helper()
	for i := len(m.sent) - 1; i >= 0; i-- {
		if m.sent[i]["To"] == to {
			link := m.sent[i]["Link"].(string)
			return link[strings.LastIndex(link, "/")+1:]
		}
	}
	t.Fatalf("no invitation was mailed to %s: %v", to, m.sent)
	return ""
}

// TestInvitationsAskNothingOfAccounts: naming people to a session's roles answers alike
// whether their addresses have accounts, names nobody before they accept, mails each address
// once however often the session is saved, and a name taken off withdraws its invitation.
func TestInvitationsAskNothingOfAccounts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		x := newFixture(t, db)
		post := &mailbox{}
		fx := forums.Effects{Invite: access.Invitations{Notifier: post, BaseURL: "https://convene.example"}}
		in := x.input("Panel", "2026-12-17T10:00", "2026-12-17T11:00")
		in.Moderators, in.Rapporteur = []string{"luis@example.org", "nadie@example.org"}, "Nadie@Example.org"
		s, err := forums.CreateSession(ctx, db.DB, x.now, audit.Actor{}, fx, x.p.ID, x.f.ID, in)
		if err != nil {
			t.Fatalf("naming an address with no account: %v", err)
		}
		for range 2 {
			if _, err := forums.UpdateSession(ctx, db.DB, x.now, audit.Actor{}, fx, x.p.ID, x.f.ID, s.ID, in); err != nil {
				t.Fatal(err)
			}
		}
		if len(post.sent) != 3 {
			t.Fatalf("mailed %d invitations, want 3 (saving again mails nobody twice): %v", len(post.sent), post.sent)
		}
		for _, m := range post.sent {
			if !strings.HasSuffix(m["Kind"].(string), "_invitation") || !strings.Contains(m["Session"].(string), "Panel") {
				t.Fatalf("an invitation: %v", m)
			}
		}
		pending, err := access.PendingFor(ctx, db.DB, x.now, s.ID)
		if err != nil || len(pending) != 3 {
			t.Fatalf("pending: %+v %v", pending, err)
		}
		gone := post.link(t, "nadie@example.org")
		in.Moderators, in.Rapporteur = []string{"luis@example.org"}, ""
		if _, err := forums.UpdateSession(ctx, db.DB, x.now, audit.Actor{}, fx, x.p.ID, x.f.ID, s.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, err := access.Accept(ctx, db.DB, x.now, gone, x.ana.ID); !errors.Is(err, access.ErrInvitationGone) {
			t.Fatalf("a withdrawn invitation accepted: %v", err)
		}
		if _, err := access.Decline(ctx, db.DB, x.now, post.link(t, "luis@example.org")); err != nil {
			t.Fatal(err)
		}
		v, _ := forums.SessionByID(ctx, db.DB, s.ID)
		if len(v.Moderators)+len(v.Rapporteurs) != 0 {
			t.Fatalf("named without accepting: %+v %+v", v.Moderators, v.Rapporteurs)
		}
		if _, err := forums.CreateSession(ctx, db.DB, x.now, audit.Actor{}, forums.Effects{}, x.p.ID, x.f.ID,
			func() forums.SessionInput {
				in := x.input("Otro", "2026-12-17T12:00", "2026-12-17T13:00")
				in.Moderators = []string{"a@example.org"}
				return in
			}()); err == nil {
			t.Fatal("a session named people with nothing to invite them")
		}
	})
}
