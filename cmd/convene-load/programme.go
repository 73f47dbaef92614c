package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/translated"
)

// programme adds to the demo process a published forum of n sessions over five days in eight
// rooms, each session with three speakers and two objectives or axes, through the same actions
// an organiser's requests take, and a member account; it prints what the benchmark needs.
func programme(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("programme", flag.ContinueOnError)
	dbURL := fs.String("db", "", "the database (postgres://... or sqlite:PATH)")
	n := fs.Int("sessions", 200, "sessions in the forum")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, p, err := demoProcess(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	clk := clock.System{}
	topics, err := processes.Topics(ctx, db, p.ID)
	if err != nil {
		return err
	}
	zone, err := clock.Zone("America/Mexico_City")
	if err != nil {
		return err
	}
	first := clk.Now().In(zone).AddDate(0, 0, 40)
	day := func(i int) string { return first.AddDate(0, 0, i).Format(time.DateOnly) }
	const days, rooms = 5, 8
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		sys := audit.Actor{}
		now := clk.Now()
		f, err := forums.Create(ctx, tx, now, sys, p.ID, forums.Input{Slug: "bench-programme", Format: forums.FormatHybrid,
			VenueName: "Centro de convenciones", OnlineURL: "https://meet.example.org/bench", TimeZone: "America/Mexico_City",
			StartsOn: day(0), EndsOn: day(days - 1),
			Title: translated.Text{"es": "Foro de carga", "en": "Load forum"}, Description: translated.Text{"es": "Para medir.", "en": "To measure."}})
		if err != nil {
			return err
		}
		roomIDs := make([]int64, rooms)
		for r := range rooms {
			room, err := forums.AddRoom(ctx, tx, now, sys, p.ID, f.ID, fmt.Sprintf("Sala %d", r+1), 50)
			if err != nil {
				return err
			}
			roomIDs[r] = room.ID
		}
		perRoomDay := (*n + days*rooms - 1) / (days * rooms)
		for i := range *n {
			d, r, slot := i/(rooms*perRoomDay), i%rooms, i/rooms%perRoomDay
			start := time.Date(2000, 1, 1, 9+slot, 0, 0, 0, time.UTC)
			in := forums.SessionInput{Kind: forums.SessionKinds()[i%5], RoomID: roomIDs[r], QAMode: forums.QAOpen, Languages: []string{"es", "en"},
				Start: day(d) + "T" + start.Format("15:04"), End: day(d) + "T" + start.Add(50*time.Minute).Format("15:04"),
				Title:       translated.Text{"es": fmt.Sprintf("Sesión %d: cooperación y capacidades", i+1), "en": fmt.Sprintf("Session %d: cooperation and capacity", i+1)},
				Description: translated.Text{"es": "Una sesión del foro de carga.", "en": "A session of the load forum."},
				TopicIDs:    []int64{topics[i%len(topics)].ID, topics[(i+5)%len(topics)].ID}, ConfirmClash: true}
			for k := range 3 {
				in.Speakers = append(in.Speakers, forums.SpeakerInput{Name: fmt.Sprintf("Ponente %d-%d", i+1, k+1), Affiliation: "Institución", Country: "MX", Group: "academia"})
			}
			if _, err := forums.CreateSession(ctx, tx, now, sys, forums.Effects{}, p.ID, f.ID, in); err != nil {
				return fmt.Errorf("session %d: %w", i+1, err)
			}
		}
		_, err = forums.Publish(ctx, tx, now, sys, p.ID, f.ID)
		return err
	})
	if err != nil {
		return err
	}
	const email, password = "bench-member@example.org", "a long benchmark passphrase"
	svc := &accounts.Service{DB: db, Clock: clk, Hasher: accounts.NewHasher(1, accounts.ProductionCost())}
	if _, err := svc.CreateAccount(ctx, db, accounts.CreateInput{Email: email, Name: "Bench Member", Password: password}); err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]string{"forum": "bench-programme", "process": "encs-2017", "email": email, "password": password})
}
