package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
)

// signin signs in to a running Convene as a browser would (the form and its token) and prints
// the login cookie as a Cookie header value.
func signin(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("signin", flag.ContinueOnError)
	base := fs.String("base", "http://127.0.0.1:8080", "the server")
	email := fs.String("email", "", "account email")
	password := fs.String("password", "", "account password")
	if err := fs.Parse(args); err != nil {
		return err
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, *base+"/signin", nil)
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		return errors.New("no form token on the sign-in page")
	}
	form := url.Values{"_csrf": {string(m[1])}, "email": {*email}, "password": {*password}}
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, *base+"/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err = c.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	u, _ := url.Parse(*base)
	for _, ck := range jar.Cookies(u) {
		if strings.HasSuffix(ck.Name, "convene_login") {
			fmt.Println(ck.Name + "=" + ck.Value)
			return nil
		}
	}
	return fmt.Errorf("sign-in answered %d and set no login cookie", res.StatusCode)
}
