package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/translated"
)

// registerSetup prepares a registration race: a published in-person forum with a number of
// places and, unless the -tokens file exists already, as many members as clients, each with an
// API token (written one per line to -tokens). It prints the forum's id.
func registerSetup(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("register-setup", flag.ContinueOnError)
	dbURL := fs.String("db", "", "the database (postgres://... or sqlite:PATH)")
	clients := fs.Int("clients", 2000, "members to make, each with an API token")
	places := fs.Int("places", 100, "in-person places of the forum")
	tokens := fs.String("tokens", "tokens.txt", "file to write the tokens to")
	slug := fs.String("slug", "carrera-de-inscripcion", "the forum's slug")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openMigrated(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	clk := clock.System{}
	now := clk.Now()
	var forumID int64
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		sys := audit.Actor{}
		p, err := processes.BySlug(ctx, tx, "carga")
		if errors.Is(err, store.ErrNotFound) {
			p, err = processes.Create(ctx, tx, now, sys, processes.ProcessInput{Slug: "carga", Code: "CARGA", TimeZone: "America/Mexico_City",
				Status: processes.StatusOpen, Languages: []string{"es", "en"}, StakeholderGroups: processes.StandardStakeholderGroups(),
				Title: translated.Text{"es": "Proceso de carga", "en": "Load process"}})
		}
		if err != nil {
			return err
		}
		day := now.AddDate(0, 0, 30).Format(time.DateOnly)
		f, err := forums.Create(ctx, tx, now, sys, p.ID, forums.Input{Slug: *slug, Format: forums.FormatInPerson, VenueName: "Auditorio",
			TimeZone: "America/Mexico_City", StartsOn: day, EndsOn: day, Title: translated.Text{"es": "Foro de carga", "en": "Load forum"}})
		if err != nil {
			return err
		}
		if _, err := forums.Publish(ctx, tx, now, sys, p.ID, f.ID); err != nil {
			return err
		}
		forumID = f.ID
		_, err = registration.Configure(ctx, tx, now, nil, sys, p.ID, f.ID, registration.SettingsInput{InPerson: places})
		return err
	})
	if err != nil {
		return err
	}
	if _, err := os.Stat(*tokens); err == nil {
		fmt.Println(forumID)
		return nil
	}
	// Members sign in by token only; a cheap hash keeps setting up 2,000 of them short.
	svc := &accounts.Service{DB: db, Clock: clk, Hasher: accounts.NewHasher(2, accounts.TestCost())}
	out, err := os.Create(*tokens)
	if err != nil {
		return err
	}
	defer out.Close()
	w := bufio.NewWriter(out)
	for i := range *clients {
		a, err := svc.CreateAccount(ctx, db, accounts.CreateInput{Email: fmt.Sprintf("racer-%d@example.org", i),
			Name: fmt.Sprintf("Participante %d", i+1), Password: "not used by the benchmark"})
		if err != nil {
			return err
		}
		token, _, err := svc.CreateAPIToken(ctx, a.ID, "load")
		if err != nil {
			return err
		}
		fmt.Fprintln(w, token)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Println(forumID)
	return nil
}

// registerRun has every client register for the forum at the same moment, each on a
// connection of its own opened beforehand, and prints throughput, latencies and whether the
// outcome is right: exactly -places confirmed, the rest waitlisted with positions 1..n, no
// errors.
func registerRun(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("register", flag.ContinueOnError)
	base := fs.String("base", "http://127.0.0.1:8080", "the server")
	forum := fs.Int64("forum", 0, "the forum's id (register-setup prints it)")
	tokens := fs.String("tokens", "tokens.txt", "the tokens, one per line")
	places := fs.Int("places", 100, "the places expected to be confirmed")
	path := fs.String("path", "", "send to this path instead (a baseline), with the same bodies and tokens")
	method := fs.String("method", http.MethodPost, "the method, with -path")
	rate := fs.Float64("rate", 0, "requests per second, each client at its turn (0: all at the same moment)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b, err := os.ReadFile(*tokens)
	if err != nil {
		return err
	}
	list := strings.Fields(string(b))
	url := *base + "/api/v1/forums/" + strconv.FormatInt(*forum, 10) + "/registrations"
	if *path != "" {
		url = *base + *path
	}
	body := fmt.Sprintf(`{"mode":"in_person","stakeholder_group":"civil_society","role":"participant","privacy_version":%q}`, privacy.Version)
	type result struct {
		latency  time.Duration
		status   int
		regState string
		position int
		err      error
	}
	results := make([]result, len(list))
	clients := make([]*http.Client, len(list))
	var warm sync.WaitGroup
	for i := range list {
		clients[i] = &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}}
		warm.Go(func() {
			if res, err := clients[i].Get(*base + "/healthz"); err == nil {
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		})
	}
	warm.Wait()
	start := make(chan struct{})
	var begin time.Time
	var wg sync.WaitGroup
	for i, token := range list {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(ctx, *method, url, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json")
			<-start
			if *rate > 0 {
				time.Sleep(time.Until(begin.Add(time.Duration(float64(i) / *rate * float64(time.Second)))))
			}
			t0 := time.Now()
			res, err := clients[i].Do(req)
			if err != nil {
				results[i] = result{err: err, latency: time.Since(t0)}
				return
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			r := result{latency: time.Since(t0), status: res.StatusCode}
			var reg struct {
				Status   string `json:"status"`
				Position int    `json:"position"`
			}
			if json.Unmarshal(b, &reg) == nil {
				r.regState, r.position = reg.Status, reg.Position
			}
			if *path == "" && res.StatusCode != http.StatusCreated {
				r.err = fmt.Errorf("status %d: %.200s", res.StatusCode, b)
			}
			results[i] = r
		})
	}
	t0 := time.Now()
	begin = t0
	close(start)
	wg.Wait()
	elapsed := time.Since(t0)
	for _, c := range clients {
		c.CloseIdleConnections()
	}
	lat := make([]time.Duration, 0, len(results))
	confirmed, errs := 0, 0
	var positions []int
	var firstErr error
	for _, r := range results {
		lat = append(lat, r.latency)
		if r.err != nil {
			errs++
			if firstErr == nil {
				firstErr = r.err
			}
			continue
		}
		switch r.regState {
		case registration.StatusConfirmed:
			confirmed++
		case registration.StatusWaitlisted:
			positions = append(positions, r.position)
		}
	}
	slices.Sort(lat)
	slices.Sort(positions)
	gapFree := len(positions) > 0
	for i, p := range positions {
		if p != i+1 {
			gapFree = false
			break
		}
	}
	pct := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))]) / float64(time.Millisecond) }
	out := map[string]any{"clients": len(list), "rate": *rate, "seconds": elapsed.Seconds(), "per_second": float64(len(list)) / elapsed.Seconds(),
		"p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": pct(1), "errors": errs}
	if *path == "" {
		out["confirmed"], out["waitlisted"], out["gap_free"] = confirmed, len(positions), gapFree
		out["right"] = errs == 0 && confirmed == *places && len(positions) == len(list)-*places && gapFree
	}
	if firstErr != nil {
		out["first_error"] = firstErr.Error()
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}
