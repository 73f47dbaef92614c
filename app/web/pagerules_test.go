//go:build !race

// Browser tests run in make test's plain pass: see a11y_test.go.

package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/store/storetest"
)

// withoutJavaScript turns scripts off in the tab, as some browsers and readers have them.
func withoutJavaScript() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
}

// acceptLanguage makes the tab ask for pages in langs, as an English browser would.
func acceptLanguage(langs string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": langs}})
		return err
	})
}

// TestPageRulesInTheBrowser checks the page rules as a person meets them in Chromium: field
// errors name their field; the 30th person on a venue's address signs up; the first admin,
// whose site is Spanish, stays Spanish in an English browser; and without JavaScript a
// destructive action asks on a page of its own before it happens.
func TestPageRulesInTheBrowser(t *testing.T) {
	t.Parallel()
	db := storetest.OpenFrom(t, storetest.Postgres, demo)
	s := newSite(t, db, defaultLimits(t))
	ctx := context.Background()
	s.onDemo()
	t.Run("field errors name their field", func(t *testing.T) {
		tb := tab(t)
		if err := chromedp.Do(tb, chromedp.Navigate(s.base+"/signup"), waitLang("es"),
			chromedp.Click(chromedp.CSS(`form[action="/signup"] button[type=submit]`)),
			waitText("Escribe tu nombre completo."), waitText("Escribe tu correo electrónico."),
			waitJS("the title says Error", `document.title.startsWith("Error:")`)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("the 30th person on the venue's address signs up", func(t *testing.T) {
		for i := range 29 {
			c := s.client()
			r := c.post("/signup", url.Values{"name": {"Asistente"}, "email": {fmt.Sprintf("sala%d@example.org", i)},
				"password": {"a long passphrase"}, "password_confirm": {"a long passphrase"}, "language": {"es"}, "privacy": {privacy.Version}})
			if r.status != http.StatusOK {
				t.Fatalf("sign-up %d: %d", i+1, r.status)
			}
		}
		tb := tab(t)
		if err := chromedp.Do(tb, chromedp.Navigate(s.base+"/signup"), waitLang("es"),
			chromedp.SendKeys(chromedp.ID("f-name"), "Persona treinta"),
			chromedp.SendKeys(chromedp.ID("f-email"), "sala30@example.org"),
			chromedp.SendKeys(chromedp.ID("f-password"), "una frase bastante larga"),
			chromedp.SendKeys(chromedp.ID("f-password_confirm"), "una frase bastante larga"),
			chromedp.Click(chromedp.ID("f-privacy")),
			chromedp.Click(chromedp.CSS(`form[action="/signup"] button[type=submit]`)),
			waitText("Revisa tu correo")); err != nil {
			t.Fatal(err)
		}
	})
	created, email, password, err := s.accounts.EnsureAdmin(ctx)
	if err != nil || !created {
		t.Fatalf("EnsureAdmin: %v %v", created, err)
	}
	t.Run("the Spanish admin stays Spanish, and without JavaScript deleting asks first", func(t *testing.T) {
		tb := tab(t)
		if err := chromedp.Do(tb, acceptLanguage("en-US,en"), chromedp.Navigate(s.base+"/signin"), waitLang("en"),
			chromedp.SetValue(chromedp.ID("f-email"), email), chromedp.SetValue(chromedp.ID("f-password"), password),
			chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
			waitJS("signed in", `document.querySelector('form[action="/signout"]') !== null`), waitLang("es"),
			chromedp.Navigate(s.base+"/admin/"), waitLang("es"), waitText("Administración")); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(tb, withoutJavaScript(), chromedp.Navigate(s.base+"/admin/processes/encs-2017/topics"), waitLang("es"),
			chromedp.Click(chromedp.CSS(`#topic-E5 form[action$="/delete"] button`)),
			waitText("¿Borrar este objetivo o eje?"), waitText("no se puede deshacer"),
			chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
			waitText("Se borró el objetivo o eje.")); err != nil {
			t.Fatal(err)
		}
	})
}
