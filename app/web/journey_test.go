//go:build !race

// Browser tests run in make test's plain pass: see a11y_test.go.

package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/convene/convene/app/store/storetest"
)

// TestJourneySignUpToSignOut: a participant signs up, confirms the address from the mail,
// signs in, switches to English and signs out. On PostgreSQL only, as DESIGN.md says.
func TestJourneySignUpToSignOut(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.Open(t, storetest.Postgres))
	ctx := tab(t)
	email := "participante@example.org"
	steps := []struct {
		name string
		do   func() error
	}{
		{"open the sign-up page in Spanish", func() error {
			return chromedp.Do(ctx, chromedp.Navigate(s.base+"/signup"), waitLang("es"), waitText("Crear una cuenta"))
		}},
		{"the first Tab reaches the skip link, and it shows", func() error {
			return chromedp.Do(ctx, chromedp.KeyEvent("\t"),
				waitJS("the focused skip link", `document.activeElement.classList.contains("skip-link") && document.activeElement.getBoundingClientRect().left >= 0`))
		}},
		{"submit an invalid form and see the field named", func() error {
			return chromedp.Do(ctx,
				chromedp.SendKeys(chromedp.ID("f-name"), "Participante de Prueba"),
				chromedp.SendKeys(chromedp.ID("f-email"), "no-es-un-correo"),
				chromedp.Click(chromedp.CSS(`form[action="/signup"] button[type=submit]`)),
				chromedp.WaitVisible(chromedp.ID("e-email")), waitText("Hay un problema"))
		}},
		{"sign up", func() error {
			return chromedp.Do(ctx,
				chromedp.SetValue(chromedp.ID("f-email"), email),
				chromedp.SendKeys(chromedp.ID("f-password"), "una frase bastante larga"),
				chromedp.SendKeys(chromedp.ID("f-password_confirm"), "una frase bastante larga"),
				chromedp.Click(chromedp.ID("f-privacy")),
				chromedp.Click(chromedp.CSS(`form[action="/signup"] button[type=submit]`)),
				waitText("Revisa tu correo"))
		}},
		{"follow the link in the mail", func() error {
			// The link opens a page that asks for a press: mail scanners only follow links.
			return chromedp.Do(ctx, chromedp.Navigate(s.base+mailedLink(t, s, email)), waitText("Confirma tu correo"),
				chromedp.Click(chromedp.CSS(`main form button[type=submit]`)), waitText("Tu correo está confirmado y ya iniciaste sesión"),
				waitText("Cerrar sesión"))
		}},
		{"sign out, then in with the password", func() error {
			return chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)), waitText("Has cerrado la sesión."),
				chromedp.Navigate(s.base+"/signin"), chromedp.WaitVisible(chromedp.ID("f-email")),
				chromedp.SendKeys(chromedp.ID("f-email"), email),
				chromedp.SendKeys(chromedp.ID("f-password"), "una frase bastante larga"),
				chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
				waitText("Mi cuenta"), waitText("Cerrar sesión"))
		}},
		{"the sign-in message shows once, and is gone on the next page", func() error {
			return chromedp.Do(ctx, waitJS("the sign-in notice", `document.querySelector(".notice") !== null`),
				chromedp.Navigate(s.base+"/privacy"), waitText("Aviso de privacidad"),
				waitJS("no notice on the next page", `document.querySelector(".notice") === null`))
		}},
		{"switch to English", func() error {
			return chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action="/language"] button`)), waitLang("en"), waitText("My account"))
		}},
		{"English stays after a reload", func() error {
			return chromedp.Do(ctx, chromedp.Navigate(s.base+"/profile/"), waitLang("en"), waitText("Your account details"))
		}},
		{"sign out", func() error {
			return chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)), waitText("You have signed out."), waitText("Sign in"))
		}},
		{"the profile is closed again", func() error {
			return chromedp.Do(ctx, chromedp.Navigate(s.base+"/profile/"), waitText("Password"), chromedp.WaitVisible(chromedp.ID("f-password")))
		}},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
	}
}
