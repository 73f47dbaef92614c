package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/store/storetest"
)

// upload posts a multipart form with files (name → content) and the client's CSRF token.
func (c *client) upload(path string, fields url.Values, files map[string][]byte) *response {
	c.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	fields.Set("_csrf", c.csrf())
	for k, vs := range fields {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				c.t.Fatal(err)
			}
		}
	}
	for name, data := range files {
		f, err := w.CreateFormFile("files", name)
		if err != nil {
			c.t.Fatal(err)
		}
		if _, err := f.Write(data); err != nil {
			c.t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		c.t.Fatal(err)
	}
	return c.do(http.MethodPost, path, &b, map[string]string{"Content-Type": w.FormDataContentType()})
}

// TestSubmissionPages: a legislative chamber's formal submission through the form: files are
// judged by their content (a script named .pdf is refused, as is a file over 10 MB and a body
// over the request limit) and nothing of a refused one is stored; a good one is numbered and
// its tracking number mailed; a public one and its file are for everyone, one that is not only
// for its sender and the moderators; organisers split it into points that appear on their
// paragraphs in the organisation's name; members may not.
func TestSubmissionPages(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		org := d.organiser("org@example.org")
		d.user("diputada@example.org", false)
		sender := d.client()
		sender.signIn("diputada@example.org")
		d.user("otro@example.org", false)
		other := d.client()
		other.signIn("otro@example.org")
		a := d.user("mod@example.org", false)
		if err := d.app.Access.Grant(ctx, audit.Actor{}, a.ID, access.Moderator, d.processID, 0); err != nil {
			t.Fatal(err)
		}
		mod := d.client()
		mod.signIn("mod@example.org")
		anon := d.client()
		var draft int64
		if err := db.NewSelect().Table("drafts").Column("id").Limit(1).Scan(ctx, &draft); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/drafts/%d/submissions", draft)
		fields := func(public bool) url.Values {
			f := url.Values{"organisation": {"Cámara de Diputados"}, "group": {"legislature"}, "signatory_role": {"Presidenta de la Comisión de Ciencia y Tecnología"},
				"on_behalf_of": {"La Comisión"}, "body": {"La Comisión pide que cada reforma del marco jurídico se dictamine con audiencias públicas."}}
			if public {
				f.Set("public", "yes")
			}
			return f
		}
		pdf := []byte("%PDF-1.7\n% Observaciones de la Comisión\n")
		stored := func() string { return fmt.Sprint(d.count("submissions"), d.count("submission_files")) }
		before := stored()

		if r := sender.get(path + "/new"); r.status != http.StatusOK || !strings.Contains(r.body, `enctype="multipart/form-data"`) {
			t.Fatalf("the form: %d %s", r.status, excerpt(r.body))
		}
		r := sender.upload(path, fields(true), map[string][]byte{"observaciones.pdf": []byte("#!/bin/sh\necho hola\n")})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "«observaciones.pdf» no es un PDF, ODT ni DOCX") ||
			!strings.Contains(r.body, "La Comisión pide") || stored() != before {
			t.Fatalf("a script named .pdf: %d, stored %s: %s", r.status, stored(), excerpt(r.body))
		}
		big := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 11<<20)...)
		if r := sender.upload(path, fields(true), map[string][]byte{"grande.pdf": big}); r.status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.body, "«grande.pdf» pesa más de 10 MB") || stored() != before {
			t.Fatalf("an 11 MB file: %d, stored %s: %s", r.status, stored(), excerpt(r.body))
		}
		// Over the request limit the server answers 413 and closes the connection before reading
		// the body: the client may see the answer or only the closed connection.
		huge := bytes.Repeat([]byte("x"), 27<<20)
		req, _ := http.NewRequest(http.MethodPost, d.base+path, bytes.NewReader(huge))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		if res, err := sender.http.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("a 27 MB request: %d", res.StatusCode)
			}
		}
		if stored() != before {
			t.Fatalf("a 27 MB request stored %s", stored())
		}
		if r := other.post(fmt.Sprintf("/drafts/%d/comments", draft), url.Values{"version": {"2"}, "paragraph": {"1"}, "group": {"academia"},
			"body": {strings.Repeat("x", 3<<20)}}); r.status != http.StatusRequestEntityTooLarge {
			t.Fatalf("a 3 MB comment: %d", r.status)
		}
		r = sender.upload(path, fields(true), map[string][]byte{"observaciones.pdf": pdf})
		if r.status != http.StatusSeeOther {
			t.Fatalf("a good submission: %d %s", r.status, excerpt(r.body))
		}
		page := r.header.Get("Location")
		tracking := func(page string) string {
			var n int64
			if err := db.NewSelect().Table("submissions").Column("number").Where("id = ?", strings.TrimPrefix(page, "/submissions/")).Scan(ctx, &n); err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("ENCS2017-S%04d", n) // the demo's chamber sent the first
		}
		m, err := mail.Latest(ctx, db.DB, "diputada@example.org")
		if err != nil || !strings.Contains(m.Subject, tracking(page)) || !strings.Contains(m.Text, page) {
			t.Fatalf("the tracking mail: %+v %v", m, err)
		}
		r = anon.get(page)
		if r.status != http.StatusOK || !strings.Contains(r.body, "Aportación "+tracking(page)+": Cámara de Diputados") || !strings.Contains(r.body, "observaciones.pdf") {
			t.Fatalf("the public submission: %d %s", r.status, excerpt(r.body))
		}
		var fileID int64
		if err := db.NewSelect().Table("submission_files").Column("id").Where("submission_id = ?", strings.TrimPrefix(page, "/submissions/")).Scan(ctx, &fileID); err != nil {
			t.Fatal(err)
		}
		file := fmt.Sprintf("%s/files/%d", page, fileID)
		if r := anon.get(file); r.status != http.StatusOK || r.body != string(pdf) || r.header.Get("Content-Type") != "application/pdf" ||
			!strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("the file: %d %v", r.status, r.header)
		}
		r = sender.upload(path, fields(false), nil)
		if r.status != http.StatusSeeOther {
			t.Fatalf("a submission not public: %d %s", r.status, excerpt(r.body))
		}
		private := r.header.Get("Location")
		for _, c := range []struct {
			who    *client
			status int
		}{{anon, http.StatusNotFound}, {other, http.StatusNotFound}, {sender, http.StatusOK}, {mod, http.StatusOK}, {org, http.StatusOK}} {
			if r := c.who.get(private); r.status != c.status {
				t.Errorf("the private submission: %d, want %d", r.status, c.status)
			}
		}
		if r := anon.get(path); r.status != http.StatusOK || !strings.Contains(r.body, tracking(page)) || strings.Contains(r.body, tracking(private)) {
			t.Fatalf("the public list: %s", excerpt(r.body))
		}
		if r := other.post(page+"/points", url.Values{"paragraph": {"14"}, "body": {"Un punto"}}); r.status != http.StatusForbidden {
			t.Fatalf("a member adding a point: %d", r.status)
		}
		if r := org.post(page+"/points", url.Values{"paragraph": {"99"}, "body": {"Un punto"}}); r.status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.body, `id="e-paragraph"`) {
			t.Fatalf("a point on no paragraph: %d %s", r.status, excerpt(r.body))
		}
		if r := org.post(page+"/points", url.Values{"paragraph": {"14"}, "body": {"La Comisión pide audiencias públicas para cada reforma."}}); r.status != http.StatusSeeOther {
			t.Fatalf("a point: %d %s", r.status, excerpt(r.body))
		}
		r = anon.get(fmt.Sprintf("/drafts/%d/paragraphs/14", draft))
		if !strings.Contains(r.body, "La Comisión pide audiencias públicas para cada reforma.") || !strings.Contains(r.body, "Punto de una aportación formal") ||
			!strings.Contains(r.body, "Cámara de Diputados") {
			t.Fatalf("the point on its paragraph: %s", excerpt(r.body))
		}
	})
}
