package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/translated"
)

// inputs adds to the demo process a published forum whose sessions have published minutes
// holding n inputs in all, tagged and some decided, with words of the process's own themes in
// Spanish and English, and an organiser (whose pages are never served from the page cache, so
// every request runs its query); it prints what the benchmark needs. The forum and sessions
// are made by the organiser's actions; the minutes' rows are written in bulk, as publishing
// them would leave them.
func inputs(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("inputs", flag.ContinueOnError)
	dbURL := fs.String("db", "", "the database (postgres://... or sqlite:PATH)")
	n := fs.Int("inputs", 50000, "inputs in all")
	sessions := fs.Int("sessions", 100, "sessions with published minutes")
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
	rnd := rand.New(rand.NewPCG(1, 2))
	now := clk.Now()
	var sessionIDs []int64
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		sys := audit.Actor{}
		f, err := forums.Create(ctx, tx, now, sys, p.ID, forums.Input{Slug: "bench-inputs", Format: forums.FormatVirtual,
			OnlineURL: "https://meet.example.org/bench", TimeZone: "America/Mexico_City", StartsOn: "2017-06-01", EndsOn: "2017-06-30",
			Title: translated.Text{"es": "Foros de la consulta", "en": "Consultation forums"}})
		if err != nil {
			return err
		}
		for i := range *sessions {
			day := fmt.Sprintf("2017-06-%02d", 1+i%30)
			s, err := forums.CreateSession(ctx, tx, now, sys, forums.Effects{}, p.ID, f.ID, forums.SessionInput{Kind: forums.KindWorkshop,
				QAMode: forums.QAOff, Start: day + "T10:00", End: day + "T12:00", ConfirmClash: true,
				Title: translated.Text{"es": fmt.Sprintf("Mesa %d", i+1), "en": fmt.Sprintf("Round table %d", i+1)}})
			if err != nil {
				return err
			}
			sessionIDs = append(sessionIDs, s.ID)
		}
		_, err = forums.Publish(ctx, tx, now, sys, p.ID, f.ID)
		return err
	})
	if err != nil {
		return err
	}
	var last int64
	if err := db.NewSelect().Table("input_counters").Column("last").Where("process_id = ?", p.ID).Scan(ctx, &last); err != nil {
		last = 0
	}
	per := (*n + len(sessionIDs) - 1) / len(sessionIDs)
	for si, sid := range sessionIDs {
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			m := minutes.Minutes{SessionID: sid, ProcessID: p.ID, Status: minutes.Published, Revision: 3, Version: 1, DueOn: "2017-07-15",
				Summary: "Resumen de la mesa.", CreatedAt: now, UpdatedAt: now}
			if _, err := tx.NewInsert().Model(&m).Exec(ctx); err != nil {
				return err
			}
			count := min(per, *n-si*per)
			rows := make([]minutes.Input, 0, count)
			for k := range count {
				last++
				rows = append(rows, minutes.Input{ProcessID: p.ID, MinutesID: &m.ID, Number: last, Kind: minutes.Kinds()[rnd.IntN(4)],
					Body: sentence(rnd), Position: k + 1, Standing: standings[rnd.IntN(len(standings))], CreatedAt: now, UpdatedAt: now})
			}
			if len(rows) == 0 {
				return nil
			}
			for start := 0; start < len(rows); start += 500 {
				chunk := rows[start:min(start+500, len(rows))]
				if _, err := tx.NewInsert().Model(&chunk).Exec(ctx); err != nil {
					return err
				}
			}
			var topicRows, groupRows []string
			for _, x := range rows {
				t := topics[rnd.IntN(len(topics))].ID
				topicRows = append(topicRows, fmt.Sprintf("(%d, %d)", x.ID, t))
				if u := topics[rnd.IntN(len(topics))].ID; u != t {
					topicRows = append(topicRows, fmt.Sprintf("(%d, %d)", x.ID, u))
				}
				groupRows = append(groupRows, fmt.Sprintf("(%d, '%s')", x.ID, p.StakeholderGroups[rnd.IntN(len(p.StakeholderGroups))]))
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO input_topics (input_id, topic_id) VALUES "+strings.Join(topicRows, ", ")); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO input_groups (input_id, stakeholder_group) VALUES "+strings.Join(groupRows, ", "))
			return err
		})
		if err != nil {
			return fmt.Errorf("the minutes of session %d: %w", sid, err)
		}
	}
	if _, err := db.NewRaw(`INSERT INTO input_counters (process_id, last) VALUES (?, ?)
		ON CONFLICT (process_id) DO UPDATE SET last = EXCLUDED.last`, p.ID, last).Exec(ctx); err != nil {
		return err
	}
	if store.IsPostgres(db) {
		if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
			return err
		}
	}
	const email, password = "bench-organiser@example.org", "a long benchmark passphrase"
	svc := &accounts.Service{DB: db, Clock: clk, Hasher: accounts.NewHasher(1, accounts.ProductionCost())}
	a, err := svc.CreateAccount(ctx, db, accounts.CreateInput{Email: email, Name: "Bench Organiser", Password: password})
	if err != nil {
		return err
	}
	if err := access.Grant(ctx, db, now, audit.Actor{}, a.ID, access.Organiser, p.ID, 0); err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"process": p.Slug, "inputs": *n, "email": email, "password": password})
}

var standings = []string{minutes.Pending, minutes.Pending, minutes.Pending, minutes.Adopted, minutes.PartlyAdopted, minutes.NotAdopted}

// Words of the process's themes, in both its languages, for inputs that read like inputs.
var (
	openers = []string{"Se recomienda", "Preocupa", "Varias personas pidieron", "El panel coincidió en", "Se propuso",
		"It was recommended to", "Participants asked for", "There is concern about", "The panel agreed on"}
	subjects = []string{"fortalecer las capacidades regionales de respuesta a incidentes", "proteger los datos personales",
		"la cooperación internacional entre equipos de respuesta", "la formación en ciberseguridad en las escuelas",
		"las infraestructuras críticas de energía y agua", "un marco jurídico que respete los derechos humanos",
		"la medición del avance de la estrategia", "el apoyo a las pequeñas empresas", "la coordinación con el Poder Judicial",
		"strengthening incident response capacity", "protecting personal data in public services", "critical infrastructure resilience",
		"cybersecurity education for teachers", "international cooperation on cybercrime", "measuring the strategy's progress"}
	closers = []string{"en todo el país.", "con participación de la sociedad civil.", "antes de 2019.", "en los estados.",
		"with civil society.", "across all states.", "by 2019.", "in the public sector."}
)

func sentence(r *rand.Rand) string {
	return openers[r.IntN(len(openers))] + " " + subjects[r.IntN(len(subjects))] + " " + closers[r.IntN(len(closers))]
}
