package seed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/translated"
)

// demoSession is a session of a demo forum: day is counted from the forum's first day (0), times
// are wall-clock in the forum's zone, topics are codes of the process's objectives and axes.
type demoSession struct {
	kind           string
	day, lastDay   int    // lastDay: 0 for a session within one day
	start, end     string // "10:00"
	room           string // a room of the forum, or "" for online
	es, en         string
	descES, descEN string
	langs          []string
	topics         []string
	qa             string
	capacity       int
	speakers       []forums.SpeakerInput
}

// demoForum is a forum of the demo, published with its rooms and sessions.
type demoForum struct {
	in       forums.Input
	rooms    []string
	sessions []demoSession
}

// addForums creates and publishes forums in the demo process, through the same actions an
// organiser's requests take, so the demo gets their audit entries. A database whose demo
// process was renamed or removed gets none.
func addForums(ctx context.Context, tx bun.IDB, now time.Time, list []demoForum) error {
	p, err := processes.BySlug(ctx, tx, "encs-2017")
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	topics, err := processes.Topics(ctx, tx, p.ID)
	if err != nil {
		return err
	}
	byCode := map[string]int64{}
	for _, t := range topics {
		byCode[t.Code] = t.ID
	}
	sys := audit.Actor{}
	for _, d := range list {
		f, err := forums.Create(ctx, tx, now, sys, p.ID, d.in)
		if err != nil {
			return fmt.Errorf("forum %s: %w", d.in.Slug, err)
		}
		rooms := map[string]int64{}
		for _, name := range d.rooms {
			r, err := forums.AddRoom(ctx, tx, now, sys, p.ID, f.ID, name, 0)
			if err != nil {
				return err
			}
			rooms[name] = r.ID
		}
		first, err := time.Parse("2006-01-02", f.StartsOn)
		if err != nil {
			return err
		}
		for _, s := range d.sessions {
			day, last := first.AddDate(0, 0, s.day).Format("2006-01-02"), first.AddDate(0, 0, max(s.day, s.lastDay)).Format("2006-01-02")
			in := forums.SessionInput{Kind: s.kind, Start: day + "T" + s.start, End: last + "T" + s.end, RoomID: rooms[s.room],
				QAMode: s.qa, Capacity: s.capacity, Languages: s.langs, Speakers: s.speakers,
				Title: translated.Text{"es": s.es, "en": s.en}, Description: translated.Text{"es": s.descES, "en": s.descEN}}
			for _, code := range s.topics {
				in.TopicIDs = append(in.TopicIDs, byCode[code])
			}
			if _, err := forums.CreateSession(ctx, tx, now, sys, forums.Effects{}, p.ID, f.ID, in); err != nil {
				return fmt.Errorf("session %q of %s: %w", s.es, d.in.Slug, err)
			}
		}
		if _, err := forums.Publish(ctx, tx, now, sys, p.ID, f.ID); err != nil {
			return err
		}
	}
	return nil
}

// igfRoom is where the open forum was held, in the Palais des Nations (and webcast).
const igfRoom = "Sala de conferencias"

// igfRoomToo puts the open forum's session in its room at the Palais des Nations, in databases
// seeded before igfOpenForum named it (the session sat in "Online"). It corrects the record of
// an event of 2017, not a change to a programme: no change log, no new calendar sequence.
func igfRoomToo(ctx context.Context, tx bun.IDB, now time.Time) error {
	var f forums.Forum
	if err := tx.NewSelect().Model(&f).Where("slug = 'igf-2017-open-forum'").Scan(ctx); err != nil {
		if errors.Is(store.NotFound(err), store.ErrNotFound) {
			return nil
		}
		return err
	}
	n, err := tx.NewSelect().Table("rooms").Where("forum_id = ?", f.ID).Count(ctx)
	if err != nil || n > 0 {
		return err
	}
	r, err := forums.AddRoom(ctx, tx, now, audit.Actor{}, f.ProcessID, f.ID, igfRoom, 0)
	if err != nil {
		return err
	}
	_, err = tx.NewUpdate().Table("sessions").Set("room_id = ?", r.ID).Where("forum_id = ? AND room_id IS NULL", f.ID).Exec(ctx)
	return err
}

// igfOpenForum is the open forum Mexico held at the Internet Governance Forum 2017 in Geneva.
func igfOpenForum(ctx context.Context, tx bun.IDB, now time.Time) error {
	return addForums(ctx, tx, now, []demoForum{{
		in: forums.Input{Slug: "igf-2017-open-forum", Format: forums.FormatHybrid, TimeZone: "Europe/Zurich",
			StartsOn: "2017-12-17", EndsOn: "2017-12-17",
			VenueName: "Palais des Nations (IGF 2017)", VenueAddress: "Avenue de la Paix 14, 1211 Genève, Suiza",
			MapURL:    "https://www.openstreetmap.org/?mlat=46.2268&mlon=6.1404#map=17/46.2268/6.1404",
			OnlineURL: "https://www.intgovforum.org/",
			Title:     translated.Text{"es": "Foro abierto de México en el IGF 2017", "en": "Mexico's open forum at IGF 2017"},
			Description: translated.Text{
				"es": "México presentó en el 12.º Foro para la Gobernanza de Internet (IGF 2017), en Ginebra, la experiencia de " +
					"construir su Estrategia Nacional de Ciberseguridad con la participación de múltiples partes interesadas " +
					"y el apoyo de la OEA.",
				"en": "At the 12th Internet Governance Forum (IGF 2017) in Geneva, Mexico presented how it built its National " +
					"Cybersecurity Strategy with many stakeholders and the support of the OAS."},
			Accessibility: translated.Text{"es": "Sede accesible en silla de ruedas; transmisión en línea con subtítulos.",
				"en": "Wheelchair-accessible venue; webcast with captions."}},
		rooms: []string{igfRoom},
		sessions: []demoSession{{kind: forums.KindOpenForum, start: "17:00", end: "18:00", room: igfRoom,
			es: "México: identificando buenas prácticas de ciberseguridad a través de la cooperación",
			en: "Mexico: Identifying best practices on cybersecurity through cooperation",
			descES: "Gobierno, organismos internacionales, sociedad civil, academia y sector privado comparten lo aprendido al " +
				"construir juntos la Estrategia Nacional de Ciberseguridad de México.",
			descEN: "Government, international organisations, civil society, academia and the private sector share what they " +
				"learned building Mexico's National Cybersecurity Strategy together.",
			langs: []string{"en", "es"}, topics: []string{"E3", "E1", "O1"}, qa: forums.QAOff,
			speakers: []forums.SpeakerInput{
				{Name: "Coordinación de Estrategia Digital Nacional", Affiliation: "Presidencia de la República", Country: "MX", Group: "government"},
				{Name: "Programa de Ciberseguridad del CICTE", Affiliation: "Organización de los Estados Americanos", Group: "international_organisation"},
				{Name: "Representante de la sociedad civil", Affiliation: "Organizaciones de la sociedad civil", Country: "MX", Group: "civil_society"},
			}}},
	}})
}

// upcomingForums are forums dated from the day the seed runs, so the demo always has something
// coming to register for, and a session open for live questions now.
func upcomingForums(ctx context.Context, tx bun.IDB, now time.Time) error {
	mx, err := clock.Zone("America/Mexico_City")
	if err != nil {
		return err
	}
	day := func(after int) string { return now.In(mx).AddDate(0, 0, after).Format("2006-01-02") }
	expert := func(name, affiliation, country, group string) forums.SpeakerInput {
		return forums.SpeakerInput{Name: name, Affiliation: affiliation, Country: country, Group: group}
	}
	return addForums(ctx, tx, now, []demoForum{
		{
			in: forums.Input{Slug: "consulta-en-linea", Format: forums.FormatVirtual, TimeZone: "America/Mexico_City",
				StartsOn: day(0), EndsOn: day(7), OnlineURL: "https://meet.jit.si/convene-demo-encs",
				Title: translated.Text{"es": "Consulta en línea con personas expertas internacionales",
					"en": "Online consultation with international experts"},
				Description: translated.Text{
					"es": "Una semana de consulta abierta: una sala de preguntas siempre abierta y un taller virtual con personas " +
						"expertas de otros países sobre cómo medir el avance de una estrategia de ciberseguridad.",
					"en": "A week of open consultation: a question room open all week and a virtual workshop with experts from " +
						"other countries on measuring a cybersecurity strategy's progress."}},
			sessions: []demoSession{
				{kind: forums.KindOpenForum, day: 0, lastDay: 6, start: "00:00", end: "23:59", es: "Sala de preguntas abierta", en: "Open question room",
					descES: "Escribe tus preguntas y vota las de otras personas: el equipo las responde durante la semana.",
					descEN: "Ask your questions and vote on others': the team answers them during the week.",
					langs:  []string{"es", "en"}, topics: []string{"O1", "E1"}, qa: forums.QAOpen},
				{kind: forums.KindWorkshop, day: 7, start: "09:00", end: "11:00",
					es: "Taller virtual: medir el avance de una estrategia", en: "Virtual workshop: measuring a strategy's progress",
					descES: "Personas expertas comparten indicadores y tableros de seguimiento de estrategias nacionales.",
					descEN: "Experts share indicators and dashboards for following national strategies.",
					langs:  []string{"en", "es"}, topics: []string{"E8", "E3"}, qa: forums.QAPremoderated, capacity: 100,
					speakers: []forums.SpeakerInput{
						expert("Experta en indicadores (demo)", "Centro de capacidades en ciberseguridad", "GB", "international_expert"),
						expert("Experto en políticas públicas (demo)", "Agencia nacional de ciberseguridad", "ES", "international_expert"),
						expert("Moderadora (demo)", "Coordinación del proceso", "MX", "government"),
					}},
			},
		},
		{
			in: forums.Input{Slug: "sesion-hibrida-infraestructuras", Format: forums.FormatHybrid, TimeZone: "America/Mexico_City",
				StartsOn: day(14), EndsOn: day(14), VenueName: "Centro Cultural Universitario Tlatelolco",
				VenueAddress: "Av. Ricardo Flores Magón 1, Nonoalco Tlatelolco, Ciudad de México",
				MapURL:       "https://www.openstreetmap.org/search?query=Centro%20Cultural%20Universitario%20Tlatelolco",
				OnlineURL:    "https://meet.jit.si/convene-demo-infraestructuras",
				Title: translated.Text{"es": "Sesión híbrida: infraestructuras críticas",
					"en": "Hybrid session: critical infrastructures"},
				Description: translated.Text{
					"es": "Operadores de infraestructuras críticas, reguladores y academia, en sala y en línea.",
					"en": "Critical infrastructure operators, regulators and academia, in the room and online."},
				Accessibility: translated.Text{"es": "Acceso con rampa y elevador; interpretación a lengua de señas mexicana.",
					"en": "Ramp and lift access; Mexican Sign Language interpretation."}},
			rooms: []string{"Auditorio"},
			sessions: []demoSession{{kind: forums.KindRoundtable, start: "16:00", end: "18:00", room: "Auditorio",
				es: "Mesa redonda: proteger las infraestructuras críticas", en: "Roundtable: protecting critical infrastructures",
				langs: []string{"es"}, topics: []string{"E6", "O5", "E5"}, qa: forums.QAOpen,
				speakers: []forums.SpeakerInput{
					expert("Operadora de energía (demo)", "Sector eléctrico", "MX", "private_sector"),
					expert("Regulador de telecomunicaciones (demo)", "Órgano regulador", "MX", "government"),
					expert("Investigadora (demo)", "Universidad pública", "MX", "academia"),
				}}},
		},
		{
			in: forums.Input{Slug: "foro-cdmx", Format: forums.FormatInPerson, TimeZone: "America/Mexico_City",
				StartsOn: day(21), EndsOn: day(22), VenueName: "Palacio de Minería",
				VenueAddress: "Tacuba 5, Centro Histórico, Cuauhtémoc, 06000 Ciudad de México",
				MapURL:       "https://www.openstreetmap.org/search?query=Palacio%20de%20Miner%C3%ADa",
				Title: translated.Text{"es": "Foro nacional de ciberseguridad, Ciudad de México",
					"en": "National cybersecurity forum, Mexico City"},
				Description: translated.Text{
					"es": "Dos días de plenarias, paneles y talleres para revisar los objetivos y ejes de la Estrategia con todos " +
						"los sectores.",
					"en": "Two days of plenaries, panels and workshops to review the Strategy's objectives and axes with every sector."},
				Accessibility: translated.Text{"es": "Entrada accesible por la calle Filomeno Mata; baños accesibles en planta baja.",
					"en": "Accessible entrance on Filomeno Mata street; accessible toilets on the ground floor."}},
			rooms: []string{"Salón de Actos", "Sala Manuel Tolsá", "Aula 3"},
			sessions: []demoSession{
				{kind: forums.KindPlenary, day: 0, start: "09:30", end: "10:30", room: "Salón de Actos",
					es: "Inauguración y objetivo general", en: "Opening and general objective",
					langs: []string{"es"}, topics: []string{"O1", "O2", "O3", "O4", "O5"}, qa: forums.QAOff},
				{kind: forums.KindPanel, day: 0, start: "11:00", end: "12:30", room: "Salón de Actos",
					es: "Panel: sociedad, derechos y ciberespacio", en: "Panel: society, rights and cyberspace",
					langs: []string{"es", "en"}, topics: []string{"O1", "E1", "E7"}, qa: forums.QAPremoderated,
					speakers: []forums.SpeakerInput{
						expert("Defensora de derechos digitales (demo)", "Organización de la sociedad civil", "MX", "civil_society"),
						expert("Legisladora (demo)", "Comisión de ciencia y tecnología", "MX", "legislature"),
						expert("Jueza (demo)", "Poder Judicial", "MX", "justice"),
					}},
				{kind: forums.KindWorkshop, day: 0, start: "11:00", end: "13:00", room: "Sala Manuel Tolsá",
					es: "Taller: respuesta a incidentes en pequeñas empresas", en: "Workshop: incident response in small businesses",
					langs: []string{"es"}, topics: []string{"O2", "E2"}, qa: forums.QAOpen, capacity: 30,
					speakers: []forums.SpeakerInput{expert("Equipo de respuesta a incidentes (demo)", "CERT nacional", "MX", "technical_community")}},
				{kind: forums.KindWorkshop, day: 0, start: "15:00", end: "17:00", room: "Aula 3",
					es: "Taller: educación y cultura de ciberseguridad", en: "Workshop: cybersecurity education and culture",
					langs: []string{"es"}, topics: []string{"E1", "E2", "O1"}, qa: forums.QAOpen, capacity: 25},
				{kind: forums.KindRoundtable, day: 1, start: "10:00", end: "11:30", room: "Sala Manuel Tolsá",
					es: "Mesa redonda: seguridad pública y cibercrimen", en: "Roundtable: public security and cybercrime",
					langs: []string{"es"}, topics: []string{"O4", "E7", "E3"}, qa: forums.QAPremoderated,
					speakers: []forums.SpeakerInput{
						expert("Policía cibernética (demo)", "Seguridad pública", "MX", "government"),
						expert("Fiscal especializada (demo)", "Fiscalía", "MX", "justice"),
					}},
				{kind: forums.KindPanel, day: 1, start: "12:00", end: "13:30", room: "Salón de Actos",
					es: "Panel: economía digital e innovación", en: "Panel: digital economy and innovation",
					langs: []string{"es", "en"}, topics: []string{"O2", "E4"}, qa: forums.QAOpen,
					speakers: []forums.SpeakerInput{
						expert("Cámara de la industria TIC (demo)", "Sector privado", "MX", "private_sector"),
						expert("Experto de la OCDE (demo)", "Organización internacional", "FR", "international_organisation"),
					}},
				{kind: forums.KindPlenary, day: 1, start: "16:00", end: "17:00", room: "Salón de Actos",
					es: "Plenaria de cierre: qué recoge la Estrategia", en: "Closing plenary: what the Strategy takes up",
					langs: []string{"es"}, topics: []string{"E8", "E3"}, qa: forums.QAOpen},
			},
		},
	})
}

// openRegistration opens registration on the upcoming forums: the week-long online
// consultation without limit, the hybrid session with 60 seats in the room (15 held for civil
// society for a week) and 300 places online, and the Mexico City forum with 40 seats, approval
// by the organisers and offers of 48 hours, so every path can be tried.
func openRegistration(ctx context.Context, tx bun.IDB, now time.Time) error {
	seats := func(n int) *int { return &n }
	week := now.AddDate(0, 0, 7)
	plans := map[string]registration.SettingsInput{
		"consulta-en-linea": {},
		"sesion-hibrida-infraestructuras": {InPerson: seats(60), Online: seats(300), MinShare: 10,
			Quotas: []registration.Quota{{Group: "civil_society", Mode: registration.ModeInPerson, Seats: 15, ReleaseAt: &week}},
			Questions: []registration.QuestionInput{{Kind: registration.KindSingle, Required: true,
				Label: translated.Text{"es": "¿Tu organización opera o regula una infraestructura crítica?",
					"en": "Does your organisation run or regulate a critical infrastructure?"},
				Options: []translated.Text{{"es": "Sí, la opera", "en": "Yes, it runs one"}, {"es": "Sí, la regula", "en": "Yes, it regulates one"},
					{"es": "No", "en": "No"}}}}},
		"foro-cdmx": {InPerson: seats(40), Approval: true, OfferHours: 48, MinShare: 10,
			Questions: []registration.QuestionInput{{Kind: registration.KindLongText,
				Label: translated.Text{"es": "¿Qué te gustaría que el foro discutiera?", "en": "What would you like the forum to discuss?"}}}},
	}
	for _, slug := range []string{"consulta-en-linea", "sesion-hibrida-infraestructuras", "foro-cdmx"} {
		f, err := forums.BySlug(ctx, tx, slug)
		if err != nil {
			return err
		}
		if _, err := registration.Configure(ctx, tx, now, nil, audit.Actor{}, f.ProcessID, f.ID, plans[slug]); err != nil {
			return fmt.Errorf("opening registration for %s: %w", slug, err)
		}
	}
	return nil
}
