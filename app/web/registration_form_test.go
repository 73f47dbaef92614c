package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/store/storetest"
)

// TestRegistrationFormWords: the form's title reads naturally, its privacy consent is one
// sentence with the notice linked apart, "prefer not to say" is offered once for gender and
// "another identity" has its words, another language is chosen by its name, and a custom
// question's error names the question.
func TestRegistrationFormWords(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		hybrid, q := demoHybrid(t, db)
		reg := "/forums/" + hybrid.Slug + "/register"
		member := d.client()
		member.signedIn(d.user("palabras@example.org", false).Email)
		page := member.get(reg)
		gender, _, _ := strings.Cut(page.body[strings.Index(page.body, `id="f-gender"`):], "</select>")
		for _, want := range []string{"Inscripción a «Sesión híbrida: infraestructuras críticas»",
			`> <span>Leí y acepto el aviso de privacidad <span class="required">`, `<p class="hint" id="h-privacy"><a href="/privacy"`,
			`id="f-gender_self"`, `<option value="de">alemán</option>`, `<option value="qu">quechua</option>`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the form lacks %s", want)
			}
		}
		if n := strings.Count(gender, "Prefiero no decirlo"); n != 1 {
			t.Errorf("the gender list says «Prefiero no decirlo» %d times", n)
		}
		form := url.Values{"mode": {"online"}, "stakeholder_group": {"academia"}, "role": {"participant"}, "privacy": {privacy.Version},
			"gender": {"self_described"}, "gender_self": {" agénero "}, "languages": {"es"}, "languages_other": {"de"}}
		r := member.post(reg, form)
		label := q.Label["es"]
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "«"+label+"»") {
			t.Fatalf("a custom question left unanswered: %d, the message does not name «%s»: %s", r.status, label, excerpt(r.body))
		}
		form.Set(fmt.Sprintf("answers.%d", q.ID), "2")
		if r := member.post(reg, form); r.status != http.StatusSeeOther {
			t.Fatalf("registering: %d %s", r.status, excerpt(r.body))
		}
		got := regOf(t, db, hybrid.ID, "palabras@example.org")
		if got.GenderSelf != "agénero" || !slices.Equal(got.Languages, []string{"es", "de"}) {
			t.Fatalf("stored: gender_self %q, languages %v", got.GenderSelf, got.Languages)
		}
		other := d.client()
		other.signedIn(d.user("otra-lengua@example.org", false).Email)
		if r := other.post(reg, url.Values{"languages_other": {"zz"}}); !strings.Contains(r.body, `id="e-languages"`) {
			t.Fatalf("a language that does not exist: %d %s", r.status, excerpt(r.body))
		}
	})
}
