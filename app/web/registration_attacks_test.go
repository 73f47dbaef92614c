package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
)

// TestRegistrationAttacks replays, through the real site, what an attacker did to registration:
// each step failed on the code before the fix.
func TestRegistrationAttacks(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		hybrid, q := demoHybrid(t, db)
		reg := "/forums/" + hybrid.Slug + "/register"
		good := url.Values{"mode": {"in_person"}, "stakeholder_group": {"academia"}, "role": {"participant"},
			"privacy": {privacy.Version}, fmt.Sprintf("answers.%d", q.ID): {"2"}}
		asGuest := func(name, email string) url.Values {
			f := url.Values{"name": {name}, "email": {email}}
			for k, v := range good {
				f[k] = v
			}
			return f
		}
		linkIn := func(email string) string {
			t.Helper()
			m, err := mail.Latest(ctx, db.DB, email)
			if err != nil {
				t.Fatal(err)
			}
			link := regexp.MustCompile(`/registrations/guest/[A-Za-z0-9_.-]+`).FindString(m.Text)
			if link == "" {
				t.Fatalf("no link in %q", m.Text)
			}
			return link
		}
		anon := d.client()

		// 1. An address with a comment and a line break is refused at the door; one stored
		// before the fix no longer makes every promotion (and so every cancellation) a 500.
		runAll(t, []scenario{
			{name: "an address with a comment and CR LF", as: anon, method: "POST", url: reg, form: asGuest("Att", "att@example.org(\r\nX)"),
				status: http.StatusUnprocessableEntity, contains: []string{`id="e-email"`}, unchanged: []string{"registrations", "outbox"}},
			{name: "an address with a comment", as: anon, method: "POST", url: reg, form: asGuest("Att", "dup@example.org(1)"),
				status: http.StatusUnprocessableEntity, unchanged: []string{"registrations", "outbox"}},
		})
		if _, err := d.app.Registration.Configure(ctx, systemActor(), d.processID, hybrid.ID, registration.SettingsInput{InPerson: seats(1)}); err != nil {
			t.Fatal(err)
		}
		holder := d.client()
		holder.signedIn(d.user("holder@example.org", false).Email)
		if r := holder.post(reg, good); r.status != http.StatusSeeOther {
			t.Fatalf("the holder's registration: %d %s", r.status, excerpt(r.body))
		}
		if r := anon.post(reg, asGuest("Att", "att@example.org")); r.status != http.StatusOK {
			t.Fatalf("the guest's registration: %d", r.status)
		}
		if r := anon.post(linkIn("att@example.org")+"/confirm", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("confirming: %d", r.status)
		}
		att := regOf(t, db, hybrid.ID, "att@example.org")
		if att.Status != registration.StatusWaitlisted {
			t.Fatalf("the guest: %s, want waitlisted", att.Status)
		}
		if _, err := db.NewRaw("UPDATE registrations SET email = ? WHERE id = ?", "att@example.org(\r\nX)", att.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		mine := regOf(t, db, hybrid.ID, "holder@example.org")
		runAll(t, []scenario{
			{name: "a cancellation that promotes an address no invite can carry", as: holder, method: "POST",
				url: fmt.Sprintf("/registrations/%d/cancel", mine.ID), form: url.Values{"confirm": {"yes"}}, status: http.StatusSeeOther,
				after: func(t *testing.T, _ *response) {
					var status string
					if err := db.NewSelect().Table("registrations").Column("status").Where("id = ?", att.ID).Scan(ctx, &status); err != nil || status != registration.StatusConfirmed {
						t.Fatalf("the next in line: %q %v, want confirmed though its notice could not be written", status, err)
					}
				}},
		})

		// 2. A guest registration typed with a member's address neither shuts the member out
		// nor tells anyone what the address holds.
		victim := d.client()
		victim.signedIn(d.user("vict@example.org", false).Email)
		if _, err := d.app.Registration.Configure(ctx, systemActor(), d.processID, hybrid.ID, registration.SettingsInput{InPerson: seats(50)}); err != nil {
			t.Fatal(err)
		}
		answers := map[string]string{}
		for _, email := range []string{"nobody@example.org", "vict@example.org", "vict@example.org", "holder@example.org"} {
			r := d.client().post(reg, asGuest("Planted", email))
			if r.status != http.StatusOK {
				t.Fatalf("a guest with %s: %d %s", email, r.status, excerpt(r.body))
			}
			answers[email] = strings.ReplaceAll(r.body, email, "ADDRESS")
		}
		if answers["nobody@example.org"] != answers["vict@example.org"] || answers["nobody@example.org"] != answers["holder@example.org"] {
			t.Fatal("the guest form answers differently for an address that is registered")
		}
		runAll(t, []scenario{
			{name: "the member registers after a planted guest registration", as: victim, method: "POST", url: reg, form: good,
				status: http.StatusSeeOther, after: func(t *testing.T, _ *response) {
					if r := regOf(t, db, hybrid.ID, "vict@example.org"); r.Status != registration.StatusConfirmed || r.AccountID == nil {
						t.Fatalf("the member's registration: %+v", r)
					}
				}},
		})

		// 3. Spellings of one mailbox are one person; names never become links in mail.
		for _, email := range []string{"DUP@example.org", "Dup@Example.org", "dup@example.org"} {
			if r := d.client().post(reg, asGuest("http://evil.example/x", email)); r.status != http.StatusOK {
				t.Fatalf("%s: %d", email, r.status)
			}
		}
		if n, _ := db.NewSelect().Table("registrations").Where("LOWER(email) = 'dup@example.org'").Count(ctx); n != 1 {
			t.Fatalf("%d registrations for one mailbox", n)
		}
		m, err := mail.Latest(ctx, db.DB, "dup@example.org")
		if err != nil || strings.Contains(m.HTML, `href="http://evil.example`) || strings.Contains(m.Text, "evil.example") {
			t.Fatalf("the guest's name reached the mail to an unproven address: %v\n%s", err, m.HTML)
		}
	})
}

func seats(n int) *int { return &n }

// TestSessionPlacesFollowTheForum: a place at a session with places of its own ends with the
// forum registration it came from (cancelled, declined or erased), its seat goes to the next in
// line, and its badge no longer opens the door; the session's own online link is for those who
// hold a place there, not for everyone confirmed at the forum.
func TestSessionPlacesFollowTheForum(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		online, workshop, _ := demoOnline(t, db)
		const room = "https://meet.example.org/taller-con-cupo"
		if _, err := db.NewRaw("UPDATE sessions SET online_url = ? WHERE id = ?", room, workshop.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		join := url.Values{"mode": {"online"}, "stakeholder_group": {"academia"}, "role": {"participant"}, "privacy": {privacy.Version}}
		person := func(email string) (*client, registration.Registration) {
			c := d.client()
			c.signedIn(d.user(email, false).Email)
			if r := c.post("/forums/"+online.Slug+"/register", join); r.status != http.StatusSeeOther {
				t.Fatalf("%s registers: %d", email, r.status)
			}
			return c, regOf(t, db, online.ID, email)
		}
		holder, forumReg := person("holder@example.org")
		if r := holder.post(fmt.Sprintf("/sessions/%d/register", workshop.ID), url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("reserving: %d %s", r.status, excerpt(r.body))
		}
		var place registration.Registration
		if err := db.NewSelect().Model(&place).Where("session_id = ? AND email = ?", workshop.ID, "holder@example.org").Scan(ctx); err != nil {
			t.Fatal(err)
		}
		confirmedOnly, _ := person("forum-only@example.org")
		holderAPI := d.apiClient(mustAccount(t, d, "holder@example.org"))
		otherAPI := d.apiClient(mustAccount(t, d, "forum-only@example.org"))
		runAll(t, []scenario{
			{name: "the session's link, to who holds a place there", as: holderAPI, method: "GET", url: fmt.Sprintf("/api/v1/sessions/%d", workshop.ID),
				status: http.StatusOK, contains: []string{room}},
			{name: "the session's link, to who is confirmed at the forum only", as: otherAPI, method: "GET", url: fmt.Sprintf("/api/v1/sessions/%d", workshop.ID),
				status: http.StatusOK, absent: []string{room}},
			{name: "the organisers' list shows no one's gender", as: d.apiClient(mustAccount(t, d, "")), method: "GET",
				url: fmt.Sprintf("/api/v1/forums/%d/registrations", online.ID), status: http.StatusOK, absent: []string{`"gender"`}},
		})
		_ = confirmedOnly
		runAll(t, []scenario{
			{name: "cancelling the forum registration", as: holder, method: "POST", url: fmt.Sprintf("/registrations/%d/cancel", forumReg.ID),
				form: url.Values{"confirm": {"yes"}}, status: http.StatusSeeOther, after: func(t *testing.T, _ *response) {
					var status string
					if err := db.NewSelect().Table("registrations").Column("status").Where("id = ?", place.ID).Scan(ctx, &status); err != nil || status != registration.StatusCancelled {
						t.Fatalf("the session place after the forum registration was cancelled: %q %v", status, err)
					}
				}},
			{name: "the session's badge no longer opens the door", as: d.organiser("door@example.org"), method: "POST",
				url: fmt.Sprintf("/admin/forums/%d/checkin", online.ID), form: url.Values{"code": {place.Code}}, status: http.StatusConflict},
		})
	})
}

// mustAccount is the account of email, made when missing; "" is an organiser of the demo process.
func mustAccount(t *testing.T, d *demoSite, email string) accounts.Account {
	t.Helper()
	ctx := context.Background()
	if email == "" {
		a := d.user("lister@example.org", false)
		if err := d.app.Access.Grant(ctx, systemActor(), a.ID, "organiser", d.processID, 0); err != nil {
			t.Fatal(err)
		}
		return a
	}
	a, err := accounts.ByEmail(ctx, d.db.DB, email)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestPersonalFeedAddress: the address of a person's calendar names no account, and stops
// answering once the account is erased.
func TestPersonalFeedAddress(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		member := d.client()
		a := d.user("feed@example.org", false)
		member.signedIn(a.Email)
		if r := member.post("/forums/consulta-en-linea/register", url.Values{"mode": {"online"}, "stakeholder_group": {"academia"},
			"role": {"participant"}, "privacy": {privacy.Version}}); r.status != http.StatusSeeOther {
			t.Fatalf("registering: %d", r.status)
		}
		feed := regexp.MustCompile(`/calendar/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.ics`).FindString(member.get("/registrations").body)
		if feed == "" || strings.HasPrefix(feed, fmt.Sprintf("/calendar/%d.", a.ID)) {
			t.Fatalf("the feed address %q names the account", feed)
		}
		cal, _ := icsOf(t, d.client(), feed)
		if z, _ := cal.Props.Text("X-WR-TIMEZONE"); z != "America/Mexico_City" {
			t.Errorf("the personal feed's X-WR-TIMEZONE %q, want its forum's zone", z)
		}
		admin := d.as("admin")
		if r := admin.post(fmt.Sprintf("/admin/accounts/%d/erase", a.ID), url.Values{"confirm": {"yes"}}); r.status != http.StatusSeeOther {
			t.Fatalf("erasing: %d %s", r.status, excerpt(r.body))
		}
		if r := d.client().get(feed); r.status != http.StatusGone {
			t.Fatalf("the erased account's feed: %d, want 410", r.status)
		}
	})
}

// TestSpreadsheetHasNoFormulas: the registrants' spreadsheet neutralises every cell that a
// spreadsheet would run as a formula, the organisers' own question labels included.
func TestSpreadsheetHasNoFormulas(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		online, _, _ := demoOnline(t, db)
		label := `=HYPERLINK("https://evil.example","x")`
		if _, err := d.app.Registration.Configure(ctx, systemActor(), d.processID, online.ID, registration.SettingsInput{
			Questions: []registration.QuestionInput{{Kind: registration.KindShortText, Label: translated.Text{"es": label, "en": label}}}}); err != nil {
			t.Fatal(err)
		}
		org := d.organiser("csv@example.org")
		r := org.get(fmt.Sprintf("/admin/forums/%d/registrants.csv", online.ID))
		if r.status != http.StatusOK {
			t.Fatalf("the spreadsheet: %d", r.status)
		}
		rows, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
		if err != nil || len(rows) == 0 {
			t.Fatalf("the spreadsheet does not parse: %v", err)
		}
		for _, row := range rows {
			for _, cell := range row {
				if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
					t.Errorf("a cell a spreadsheet would run: %q", cell)
				}
			}
		}
	})
}

// TestGuestErasesTheirData: a guest erases what is kept of their address by their link, after
// a confirmation: their registrations are left nameless, the mail to them is gone, and so is
// the link.
func TestGuestErasesTheirData(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		online, _, _ := demoOnline(t, db)
		_, token, err := d.app.Registration.Register(ctx, online.ID, registration.Owner{Language: "es"}, registration.Form{Name: "Invitada Borra",
			Email: "borra@example.org", Mode: registration.ModeOnline, Group: "academia", Role: "participant", PrivacyVersion: privacy.Version})
		if err != nil {
			t.Fatal(err)
		}
		link := "/registrations/guest/" + token
		guest := d.client()
		runAll(t, []scenario{
			{name: "the page offers it", as: guest, method: "GET", url: link, status: http.StatusOK, contains: []string{link + "/erase"}},
			{name: "asks first", as: guest, method: "POST", url: link + "/erase", form: url.Values{}, status: http.StatusOK,
				contains: []string{"¿Borrar tus datos?"}, unchanged: []string{"outbox", "audit_log"}},
			{name: "erases", as: guest, method: "POST", url: link + "/erase", form: url.Values{"confirm": {"yes"}}, status: http.StatusSeeOther,
				after: func(t *testing.T, _ *response) {
					if n, _ := db.NewSelect().Table("registrations").Where("email = 'borra@example.org' OR name = 'Invitada Borra'").Count(ctx); n != 0 {
						t.Fatalf("%d registrations still hold the guest's address or name", n)
					}
					if n, _ := db.NewSelect().Table("outbox").Where("recipient = 'borra@example.org'").Count(ctx); n != 0 {
						t.Fatalf("%d mails to the guest are kept", n)
					}
				}},
			{name: "the link is gone", as: guest, method: "GET", url: link, status: http.StatusGone},
		})
	})
}

// queryCount counts the statements a database runs: those holding only, when set, and not
// those holding skip.
type queryCount struct {
	n          atomic.Int64
	only, skip string
}

func (q *queryCount) BeforeQuery(ctx context.Context, e *bun.QueryEvent) context.Context {
	if (q.only == "" || strings.Contains(e.Query, q.only)) && (q.skip == "" || !strings.Contains(e.Query, q.skip)) {
		q.n.Add(1)
	}
	return ctx
}
func (q *queryCount) AfterQuery(context.Context, *bun.QueryEvent) {}

// TestReinviteCostDoesNotGrowPerHolder: moving a session with places of its own sends each
// holder the updated invite, and the statements that costs do not grow with the holders (each
// notice read the session and the process's topics again: 400 statements for 200 holders,
// inside the organiser's transaction).
func TestReinviteCostDoesNotGrowPerHolder(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		count := &queryCount{}
		db = &storetest.DB{DB: db.WithQueryHook(count), Dialect: db.Dialect, URL: db.URL, Seed: db.Seed}
		d := newDemoSite(t, db)
		ctx := context.Background()
		online, workshop, _ := demoOnline(t, db)
		if _, err := db.NewRaw("UPDATE sessions SET capacity = 500 WHERE id = ?", workshop.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		holders := 0
		hold := func(n int) {
			for range n {
				holders++
				a := d.user(fmt.Sprintf("holder%d@example.org", holders), false)
				if _, _, err := d.app.Registration.Register(ctx, online.ID, registration.Owner{AccountID: a.ID, Name: a.Name, Email: a.Email, Language: "es"},
					registration.Form{Mode: registration.ModeOnline, Group: "academia", Role: "participant", PrivacyVersion: privacy.Version}); err != nil {
					t.Fatal(err)
				}
				if _, _, err := d.app.Registration.RegisterSession(ctx, workshop.ID, registration.Holder{AccountID: a.ID}); err != nil {
					t.Fatal(err)
				}
			}
		}
		org := d.apiClient(mustAccount(t, d, ""))
		zone, _ := time.LoadLocation(online.TimeZone)
		move := func(hour int) int64 {
			start := workshop.StartsAt.In(zone)
			at := time.Date(start.Year(), start.Month(), start.Day(), hour, 0, 0, 0, zone)
			before := count.n.Load()
			r := org.api("PATCH", fmt.Sprintf("/api/v1/sessions/%d", workshop.ID),
				fmt.Sprintf(`{"start":%q,"end":%q}`, at.Format("2006-01-02T15:04"), at.Add(time.Hour).Format("2006-01-02T15:04")))
			if r.status != http.StatusOK {
				t.Fatalf("moving the session: %d %s", r.status, excerpt(r.body))
			}
			d.clock.Advance(registration.UpdateDelay + time.Second)
			if _, err := d.app.Registration.Sweep(ctx); err != nil {
				t.Fatal(err)
			}
			return count.n.Load() - before
		}
		hold(5)
		few := move(11)
		hold(30)
		many := move(12)
		if extra := many - few; extra >= 30 {
			t.Errorf("moving the session ran %d statements with 5 holders and %d with 35: %d more for 30 more holders", few, many, extra)
		}
		if n, _ := db.NewSelect().Table("outbox").Where("subject LIKE '%' || ? || '%'", "cambió el programa").Count(ctx); n < 40 {
			t.Errorf("%d updated invites, want one per holder per move", n)
		}
	})
}

// TestTitlesAreOneLine: a forum's or session's title reaches mail subjects and calendars, so a
// line break in it is refused naming the field; one stored before the rule no longer makes
// every registration's notice (and so the registration) fail: the subject is one line.
func TestTitlesAreOneLine(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		online, _, _ := demoOnline(t, db)
		org := d.apiClient(mustAccount(t, d, ""))
		runAll(t, []scenario{
			{name: "a forum title of two lines", as: org, method: "PATCH", url: fmt.Sprintf("/api/v1/forums/%d", online.ID),
				json: `{"title":{"es":"Consulta\nBcc: x@example.org","en":"Consultation"}}`, status: http.StatusUnprocessableEntity,
				contains: []string{`"field":"title.es"`}, unchanged: []string{"schedule_changes"}},
		})
		if _, err := db.NewRaw(`UPDATE forums SET title = ? WHERE id = ?`, `{"es":"Consulta\nen línea","en":"Online\nconsultation"}`, online.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		member := d.client()
		member.signedIn(d.user("linea@example.org", false).Email)
		runAll(t, []scenario{{name: "registers for a forum whose title has a line break", as: member, method: "POST",
			url: "/forums/" + online.Slug + "/register", form: url.Values{"mode": {"online"}, "stakeholder_group": {"academia"},
				"role": {"participant"}, "privacy": {privacy.Version}}, status: http.StatusSeeOther,
			after: func(t *testing.T, _ *response) {
				m, err := mail.Latest(ctx, db.DB, "linea@example.org")
				if err != nil || strings.ContainsAny(m.Subject, "\r\n") || !strings.Contains(m.Subject, "Consulta en línea") {
					t.Fatalf("the confirmation: %q %v", m.Subject, err)
				}
			}}})
	})
}
