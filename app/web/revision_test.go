package web_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
)

// TestContentActionsGrowTheRevision: every service method that changes what public pages show
// grows the content revision that page caches are keyed by, so the change shows at once on
// every instance; and every exported method of every service is either in that table or named
// as changing nothing public, with its reason, so a new method cannot be forgotten.
func TestContentActionsGrowTheRevision(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		sys := systemActor()
		p, err := d.app.Processes.Create(ctx, sys, demoProcess("revisiones"))
		if err != nil {
			t.Fatal(err)
		}
		var topic processes.Topic
		var forum forums.Forum
		var session forums.Session
		member := d.user("revision@example.org", false)
		admin := minutes.Who{IsAdmin: true}
		changes := []struct {
			name string
			do   func() error
		}{
			{"processes.Create", func() error { _, err := d.app.Processes.Create(ctx, sys, demoProcess("otra-revision")); return err }},
			{"processes.Update", func() error {
				in := p.Input()
				in.Title = translated.Text{"es": "Otro título", "en": "Another title"}
				_, err := d.app.Processes.Update(ctx, sys, p.ID, in)
				return err
			}},
			{"processes.CreateTopic", func() error {
				var err error
				topic, err = d.app.Processes.CreateTopic(ctx, sys, p.ID, processes.TopicInput{Kind: processes.KindObjective, Code: "O9",
					Title: translated.Text{"es": "Objetivo", "en": "Objective"}})
				return err
			}},
			{"processes.UpdateTopic", func() error {
				_, err := d.app.Processes.UpdateTopic(ctx, sys, p.ID, topic.ID, processes.TopicInput{Kind: processes.KindObjective, Code: "O9",
					Title: translated.Text{"es": "Otro objetivo", "en": "Another objective"}})
				return err
			}},
			{"processes.MoveTopic", func() error {
				if _, err := d.app.Processes.CreateTopic(ctx, sys, p.ID, processes.TopicInput{Kind: processes.KindObjective, Code: "O8",
					Title: translated.Text{"es": "Segundo", "en": "Second"}}); err != nil {
					return err
				}
				return d.app.Processes.MoveTopic(ctx, sys, p.ID, topic.ID, 1)
			}},
			{"processes.DeleteTopic", func() error { return d.app.Processes.DeleteTopic(ctx, sys, p.ID, topic.ID) }},
			{"forums.Create", func() error {
				var err error
				forum, err = d.app.Forums.Create(ctx, sys, p.ID, forums.Input{Slug: "foro-revision", Format: forums.FormatInPerson, VenueName: "Sede",
					TimeZone: "America/Mexico_City", StartsOn: "2027-02-01", EndsOn: "2027-02-02", Title: translated.Text{"es": "Foro", "en": "Forum"}})
				return err
			}},
			{"forums.Update", func() error {
				in := forum.Input()
				in.VenueName = "Otra sede"
				_, err := d.app.Forums.Update(ctx, sys, p.ID, forum.ID, in)
				return err
			}},
			{"forums.AddRoom", func() error { _, err := d.app.Forums.AddRoom(ctx, sys, p.ID, forum.ID, "Sala", 20); return err }},
			{"forums.CreateSession", func() error {
				var err error
				session, err = d.app.Forums.CreateSession(ctx, sys, p.ID, forum.ID, forums.SessionInput{Kind: forums.KindPanel, QAMode: forums.QAOff,
					Start: "2027-02-01T10:00", End: "2027-02-01T11:00", Title: translated.Text{"es": "Panel", "en": "Panel"}})
				return err
			}},
			{"forums.Publish", func() error { _, err := d.app.Forums.Publish(ctx, sys, p.ID, forum.ID); return err }},
			{"forums.UpdateSession", func() error {
				_, err := d.app.Forums.UpdateSession(ctx, sys, p.ID, forum.ID, session.ID, forums.SessionInput{Kind: forums.KindPanel, QAMode: forums.QAOff,
					Start: "2027-02-01T12:00", End: "2027-02-01T13:00", Title: translated.Text{"es": "Panel", "en": "Panel"}})
				return err
			}},
			{"registration.Configure", func() error {
				_, err := d.app.Registration.Configure(ctx, sys, p.ID, forum.ID, registration.SettingsInput{})
				return err
			}},
			{"minutes.Publish", func() error {
				m, err := d.app.Minutes.Write(ctx, admin, session.ID, minutes.DraftInput{Summary: "Resumen",
					Inputs: []minutes.InputDraft{{Kind: minutes.KeyPoint, Body: "Un punto"}}}, true)
				if err != nil {
					return err
				}
				_, err = d.app.Minutes.Publish(ctx, admin, m.ID)
				return err
			}},
			{"minutes.Correct", func() error {
				m, err := minutes.OfSession(ctx, db.DB, session.ID)
				if err != nil {
					return err
				}
				_, err = d.app.Minutes.Correct(ctx, admin, m.ID, minutes.DraftInput{Revision: m.Revision, Summary: "Otro resumen",
					Inputs: []minutes.InputDraft{{ID: m.Inputs[0].ID, Kind: minutes.KeyPoint, Body: "Un punto"}}}, "Una errata")
				return err
			}},
			{"minutes.Dispose", func() error {
				m, err := minutes.OfSession(ctx, db.DB, session.ID)
				if err != nil {
					return err
				}
				_, err = d.app.Minutes.Dispose(ctx, admin, m.Inputs[0].ID, minutes.DispositionInput{Status: minutes.Adopted, Rationale: "Sí"})
				return err
			}},
			{"forums.CancelSession", func() error { _, err := d.app.Forums.CancelSession(ctx, sys, p.ID, forum.ID, session.ID); return err }},
			{"forums.Cancel", func() error { _, err := d.app.Forums.Cancel(ctx, sys, p.ID, forum.ID); return err }},
			{"access.Grant", func() error { return d.app.Access.Grant(ctx, sys, member.ID, access.Organiser, p.ID, 0) }},
			{"access.RevokeByID", func() error {
				var id int64
				if err := db.NewSelect().Table("grants").Column("id").Where("account_id = ?", member.ID).Limit(1).Scan(ctx, &id); err != nil {
					return err
				}
				return d.app.Access.RevokeByID(ctx, sys, p.ID, id)
			}},
			{"access.Accept", func() error {
				err := access.Invitations{Notifier: d.app.Outbox}.Invite(ctx, db.DB, d.clock.Now(), sys, access.InviteInput{Email: "invited@example.org",
					Role: access.Moderator, ProcessID: p.ID, SessionID: session.ID, Languages: []string{"es"}})
				if err != nil {
					return err
				}
				m, err := mail.Latest(ctx, db.DB, "invited@example.org")
				if err != nil {
					return err
				}
				link := invitationRE.FindString(m.Text)
				_, err = d.app.Access.Accept(ctx, link[strings.LastIndex(link, "/")+1:], member.ID)
				return err
			}},
			{"accounts.UpdateProfile", func() error {
				return d.app.Accounts.UpdateProfile(ctx, member.ID, accounts.ProfileInput{Name: "Otro nombre", Language: "es"})
			}},
			{"accounts.EraseByAdmin", func() error { return d.app.Accounts.EraseByAdmin(ctx, sys, member.ID) }},
		}
		// What changes nothing a public page shows, and why.
		nothing := map[string]string{
			"accounts.SignUp": "an unverified account", "accounts.CheckToken": "reads", "accounts.VerifyEmail": "the account's own state", "accounts.VerifyAndSignIn": "the account's own state and login",
			"registration.SendLinks":      "mail to a guest",
			"accounts.ResendVerification": "mail", "accounts.SignIn": "logins", "accounts.Authenticate": "reads",
			"accounts.SignOut": "logins", "accounts.ListLogins": "reads", "accounts.EndLogin": "logins",
			"accounts.RequestPasswordReset": "mail", "accounts.SetPassword": "a password", "accounts.ResetPassword": "a password",
			"accounts.ChangePassword": "a password", "accounts.CreateAccount": "an account no page names yet",
			"accounts.EnsureAdmin": "an admin account", "accounts.SetAdmin": "a flag no public page shows",
			"accounts.Export": "reads", "accounts.EraseAddress": "a guest's registrations, which no public page names",
			"accounts.Delete": "as EraseByAdmin (same Erase), which is in the table", "accounts.CreateAPIToken": "tokens",
			"accounts.AuthenticateAPIToken": "reads", "accounts.ListAPITokens": "reads", "accounts.RevokeAPIToken": "tokens",
			"accounts.FlushTokenUses": "tokens' last use", "accounts.TokenUseLoop": "tokens' last use",
			"registration.Register": "a registration (pages show counts only to organisers, uncached)",
			"registration.Cancel":   "as Register", "registration.Accept": "as Register", "registration.ChangeMode": "as Register",
			"registration.ConfirmGuest": "as Register", "registration.Approve": "as Register", "registration.Decline": "as Register",
			"registration.MoveMode": "as Register", "registration.Sweep": "as Register", "registration.SweepLoop": "as Register",
			"registration.CheckIn": "as Register", "registration.CheckInByCode": "as Register", "registration.WalkIn": "as Register", "registration.Admit": "as Register", "registration.Export": "reads",
			"registration.ResetFeed": "a person's feed address", "registration.RegisterSession": "as Register",
			"registration.Write": "mail to registrants", "access.Decline": "an invitation's answer, which no page shows",
			"minutes.Open": "a draft", "minutes.Save": "a draft", "minutes.RemindLoop": "mail to rapporteurs", "minutes.Write": "a draft, or minutes in review: neither is public",
			"minutes.Submit": "minutes in review", "minutes.SendBack": "a draft", "minutes.Propose": "a proposal on minutes in review",
			"minutes.Answer": "minutes in review", "minutes.Explore": "reads",
		}
		services := map[string]any{"processes": d.app.Processes, "forums": d.app.Forums, "registration": d.app.Registration,
			"accounts": d.app.Accounts, "access": d.app.Access, "minutes": d.app.Minutes}
		listed := map[string]bool{}
		for _, c := range changes {
			listed[c.name] = true
		}
		for pkg, svc := range services {
			ty := reflect.TypeOf(svc)
			for i := range ty.NumMethod() {
				name := pkg + "." + ty.Method(i).Name
				if !listed[name] && nothing[name] == "" {
					t.Errorf("%s is neither tested to grow the content revision nor named as changing nothing public", name)
				}
			}
		}
		last, err := store.ContentRevision(ctx, db.DB)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range changes {
			d.clock.Advance(time.Second)
			if err := c.do(); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			rev, err := store.ContentRevision(ctx, db.DB)
			if err != nil {
				t.Fatal(err)
			}
			if rev <= last {
				t.Errorf("%s left the content revision at %d: cached pages go on showing what it changed", c.name, rev)
			}
			last = rev
		}
	})
}
