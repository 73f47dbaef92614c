package registration

import (
	"slices"
	"strconv"
	"strings"

	"github.com/convene/convene/app/country"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/spoken"
	"github.com/convene/convene/app/validate"
)

// Form is what a person fills in to register for a forum. Name and Email are asked of guests
// only; an account's come from the account.
type Form struct {
	Name, Email   string
	Mode          string
	Group         string
	Organisation  string
	Country       string
	Role          string
	Languages     []string
	Accessibility string
	Gender        string
	GenderSelf    string // how someone of another identity describes it
	// PrivacyVersion is the version of the privacy notice the person accepted; it must be the
	// current one.
	PrivacyVersion string
	ConsentNamed   bool
	Answers        map[int64][]string
}

// Codes of the form's rules.
const (
	CodeGroup    = "error.registration_group"
	CodeMode     = "error.registration_mode"
	CodeRole     = "error.registration_role"
	CodeCountry  = "error.registration_country"
	CodeLanguage = "error.registration_language"
	CodeGender   = "error.registration_gender"
	CodePrivacy  = "error.registration_privacy"
	CodeChoice   = "error.registration_choice"
	// CodeWalkInRegistered: the address at the door is already registered at the forum.
	CodeWalkInRegistered = "error.registration_walkin_registered"
	maxLanguages         = 10
)

// Normalized trims the form and drops empty and repeated entries.
func (f Form) Normalized() Form {
	for _, p := range []*string{&f.Name, &f.Email, &f.Mode, &f.Group, &f.Organisation, &f.Country, &f.Role,
		&f.Gender, &f.GenderSelf, &f.PrivacyVersion} {
		*p = strings.TrimSpace(*p)
	}
	if email, ok := validate.CanonicalEmail(f.Email); ok {
		f.Email = email
	}
	f.Accessibility = strings.TrimSpace(f.Accessibility)
	f.Country = strings.ToUpper(f.Country)
	f.Languages = uniqueTrimmed(f.Languages, strings.ToLower)
	answers := make(map[int64][]string, len(f.Answers))
	for id, vs := range f.Answers {
		if vs = uniqueTrimmed(vs, nil); len(vs) > 0 {
			answers[id] = vs
		}
	}
	f.Answers = answers
	return f
}

func uniqueTrimmed(vs []string, fold func(string) string) []string {
	out := []string{}
	for _, v := range vs {
		v = strings.TrimSpace(v)
		if fold != nil {
			v = fold(v)
		}
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// check validates a normalized form against what the forum offers: its modes, its process's
// stakeholder groups and its questions. guest asks for a name and an email.
func (f Form) check(guest bool, modes, groups []string, questions []Question) (Details, validate.Errors) {
	var es validate.Errors
	if guest {
		es.Text("name", f.Name, 200)
		es.Email("email", f.Email)
	}
	if !slices.Contains(modes, f.Mode) {
		es.Add("mode", CodeMode, nil)
	}
	if !slices.Contains(groups, f.Group) {
		es.Add("stakeholder_group", CodeGroup, nil)
	}
	if f.Organisation != "" {
		es.Text("organisation", f.Organisation, 200)
	}
	if f.Country != "" && !country.Valid(f.Country) {
		es.Add("country", CodeCountry, nil)
	}
	if !slices.Contains(Roles(), f.Role) {
		es.Add("role", CodeRole, nil)
	}
	for _, l := range f.Languages {
		if !spoken.Valid(l) {
			es.Add("languages", CodeLanguage, map[string]any{"Value": l})
			break
		}
	}
	if len(f.Languages) > maxLanguages {
		es.Add("languages", CodeTooMany, map[string]any{"Max": maxLanguages})
	}
	es.LongText("accessibility", f.Accessibility, 2000, false)
	if f.Gender != "" && !slices.Contains(Genders(), f.Gender) {
		es.Add("gender", CodeGender, nil)
	}
	if f.Gender != GenderSelfDescribed {
		f.GenderSelf = "" // only another identity is described
	}
	es.Line("gender_self", f.GenderSelf, 100)
	if f.PrivacyVersion != privacy.Version {
		es.Add("privacy", CodePrivacy, nil)
	}
	answers := Answers{}
	for _, q := range questions {
		field := "answers." + strconv.FormatInt(q.ID, 10)
		vs := f.Answers[q.ID]
		if len(vs) == 0 {
			if q.Required {
				es.Add(field, validate.Required, nil)
			}
			continue
		}
		switch q.Kind {
		case KindShortText:
			if len(vs) > 1 {
				es.Add(field, CodeChoice, nil)
			} else {
				es.Text(field, vs[0], 300)
			}
		case KindLongText:
			if len(vs) > 1 {
				es.Add(field, CodeChoice, nil)
			} else {
				es.LongText(field, vs[0], 5000, q.Required)
			}
		case KindSingle, KindMultiple:
			if q.Kind == KindSingle && len(vs) > 1 {
				es.Add(field, CodeChoice, nil)
			}
			for _, v := range vs {
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 || n >= len(q.Options) {
					es.Add(field, CodeChoice, nil)
					break
				}
			}
		}
		answers[q.ID] = vs
	}
	for id := range f.Answers {
		if !slices.ContainsFunc(questions, func(q Question) bool { return q.ID == id }) {
			es.Add("answers."+strconv.FormatInt(id, 10), CodeChoice, nil)
		}
	}
	d := Details{Group: f.Group, Organisation: f.Organisation, Country: f.Country, Role: f.Role, Languages: f.Languages,
		Accessibility: f.Accessibility, Gender: f.Gender, GenderSelf: f.GenderSelf, PrivacyVersion: f.PrivacyVersion, ConsentNamed: f.ConsentNamed,
		Answers: answers}
	return d, es
}
