package seed

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/translated"
)

// encsProcess is the process modelled on Mexico's 2017 National Cybersecurity Strategy
// (Estrategia Nacional de Ciberseguridad, ENCS): its general objective, 5 strategic objectives
// and 8 transversal axes.
func encsProcess(ctx context.Context, tx bun.IDB, now time.Time) error {
	in := processes.ProcessInput{
		Slug: "encs-2017", Code: "ENCS2017", TimeZone: "America/Mexico_City", Status: processes.StatusOpen,
		Languages: []string{"es", "en"}, StakeholderGroups: processes.StandardStakeholderGroups(),
		Title: translated.Text{
			"es": "Estrategia Nacional de Ciberseguridad 2017",
			"en": "National Cybersecurity Strategy 2017",
		},
		Description: translated.Text{
			"es": "En 2017 el Gobierno de México elaboró su Estrategia Nacional de Ciberseguridad mediante un proceso abierto " +
				"y de múltiples partes interesadas, conducido por la Coordinación de Estrategia Digital Nacional de la " +
				"Presidencia de la República junto con la Organización de los Estados Americanos (OEA).\n\n" +
				"Durante 2017 se celebraron foros y talleres con el gobierno, la sociedad civil, la academia, el sector " +
				"privado, la comunidad técnica y personas expertas internacionales. Sus aportaciones nutrieron los " +
				"objetivos estratégicos y los ejes transversales de la Estrategia, presentada en noviembre de 2017.",
			"en": "In 2017 the Government of Mexico drafted its National Cybersecurity Strategy through an open, " +
				"multi-stakeholder process led by the National Digital Strategy Coordination of the Office of the " +
				"President, together with the Organization of American States (OAS).\n\n" +
				"During 2017, forums and workshops brought together government, civil society, academia, the private " +
				"sector, the technical community and international experts. Their contributions informed the strategic " +
				"objectives and transversal axes of the Strategy, presented in November 2017.",
		},
		GeneralObjective: translated.Text{
			"es": "Fortalecer las acciones en materia de ciberseguridad aplicables a los ámbitos social, económico y político " +
				"que permitan a la población y a las organizaciones públicas y privadas el uso y aprovechamiento de las TIC " +
				"de manera responsable para el desarrollo sostenible del Estado Mexicano.",
			"en": "Strengthen cybersecurity actions in the social, economic and political spheres so that the population and " +
				"public and private organisations use and take advantage of ICT responsibly, for the sustainable " +
				"development of the Mexican State.",
		},
	}
	p, err := processes.Create(ctx, tx, now, audit.Actor{}, in)
	if err != nil {
		return err
	}
	type topic struct {
		kind, code, es, en, descES, descEN string
	}
	topics := []topic{
		{processes.KindObjective, "O1", "Sociedad y derechos", "Society and rights",
			"Generar las condiciones para que la población realice sus actividades de manera responsable, libre y confiable en el ciberespacio, con respeto a los derechos humanos.",
			"Create the conditions for people to carry out their activities in cyberspace responsibly, freely and reliably, with respect for human rights."},
		{processes.KindObjective, "O2", "Economía e innovación", "Economy and innovation",
			"Fortalecer los mecanismos de ciberseguridad que protejan la economía y fomenten la innovación y el desarrollo del sector de las TIC.",
			"Strengthen the cybersecurity mechanisms that protect the economy and foster innovation and the growth of the ICT sector."},
		{processes.KindObjective, "O3", "Instituciones públicas", "Public institutions",
			"Proteger la información y los sistemas de las instituciones públicas para que presten servicios digitales confiables.",
			"Protect the information and systems of public institutions so that they provide reliable digital services."},
		{processes.KindObjective, "O4", "Seguridad pública", "Public security",
			"Fortalecer las capacidades para prevenir e investigar los delitos cometidos en el ciberespacio o por medio de las TIC.",
			"Strengthen the capacity to prevent and investigate crimes committed in cyberspace or by means of ICT."},
		{processes.KindObjective, "O5", "Seguridad nacional", "National security",
			"Desarrollar capacidades para prevenir riesgos y amenazas en el ciberespacio que puedan afectar la seguridad nacional.",
			"Develop the capacity to prevent risks and threats in cyberspace that could affect national security."},
		{processes.KindAxis, "E1", "Cultura de ciberseguridad", "Cybersecurity culture",
			"Promover hábitos de uso seguro y responsable de las TIC en toda la sociedad.",
			"Promote safe and responsible use of ICT across society."},
		{processes.KindAxis, "E2", "Desarrollo de capacidades", "Capacity building",
			"Formar personas y fortalecer instituciones con las habilidades técnicas y de gestión que la ciberseguridad exige.",
			"Train people and strengthen institutions with the technical and management skills cybersecurity requires."},
		{processes.KindAxis, "E3", "Coordinación y colaboración", "Coordination and collaboration",
			"Articular a los actores nacionales e internacionales para actuar de forma conjunta.",
			"Bring national and international actors together to act jointly."},
		{processes.KindAxis, "E4", "Investigación, desarrollo e innovación en TIC", "ICT research, development and innovation",
			"Impulsar la investigación y la innovación que den soluciones propias de ciberseguridad.",
			"Foster research and innovation that produce home-grown cybersecurity solutions."},
		{processes.KindAxis, "E5", "Estándares y criterios técnicos", "Standards and technical criteria",
			"Adoptar estándares y criterios técnicos comunes para la seguridad de la información.",
			"Adopt common standards and technical criteria for information security."},
		{processes.KindAxis, "E6", "Infraestructuras críticas", "Critical infrastructures",
			"Identificar y proteger las infraestructuras de información esenciales para el país.",
			"Identify and protect the information infrastructures essential to the country."},
		{processes.KindAxis, "E7", "Marco jurídico y autorregulación", "Legal framework and self-regulation",
			"Revisar el marco jurídico y promover la autorregulación para atender los retos del ciberespacio.",
			"Review the legal framework and promote self-regulation to meet the challenges of cyberspace."},
		{processes.KindAxis, "E8", "Medición y seguimiento", "Measuring and monitoring",
			"Definir indicadores que permitan medir y dar seguimiento a los avances de la Estrategia.",
			"Define indicators to measure and monitor the Strategy's progress."},
	}
	for _, t := range topics {
		in := processes.TopicInput{Kind: t.kind, Code: t.code,
			Title: translated.Text{"es": t.es, "en": t.en}, Description: translated.Text{"es": t.descES, "en": t.descEN}}
		if _, err := processes.CreateTopic(ctx, tx, now, audit.Actor{}, p.ID, in); err != nil {
			return err
		}
	}
	return nil
}
