package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
)

// TestForumAPI: a process's forums and one forum by id, as the public and as those who run the
// process see them: drafts are not there for the public.
func TestForumAPI(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		ctx := context.Background()
		s.onDemo()
		var processID int64
		if err := db.NewSelect().Table("processes").Column("id").Where("slug = 'encs-2017'").Scan(ctx, &processID); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
		forum := func(slug string, publish bool) forums.Forum {
			f, err := forums.Create(ctx, db.DB, now, audit.Actor{}, processID, forums.Input{Slug: slug, Format: forums.FormatVirtual,
				OnlineURL: "https://meet.example.org/" + slug, TimeZone: "Europe/Zurich", StartsOn: "2017-12-17", EndsOn: "2017-12-17",
				Title: translated.Text{"es": "Foro " + slug, "en": "Forum " + slug}})
			if err != nil {
				t.Fatal(err)
			}
			if publish {
				if f, err = forums.Publish(ctx, db.DB, now, audit.Actor{}, processID, f.ID); err != nil {
					t.Fatal(err)
				}
			}
			return f
		}
		public, draft := forum("igf-2017", true), forum("borrador", false)
		anon, admin := s.client(), s.as("admin")
		runAll(t, []scenario{
			{name: "list, public", as: anon, method: "GET", url: "/api/v1/processes/encs-2017/forums", status: http.StatusOK,
				contains: []string{`"slug":"igf-2017"`, `"time_zone":"Europe/Zurich"`, `"format":"virtual"`}, absent: []string{"borrador"}},
			{name: "list, admin", as: admin, method: "GET", url: "/api/v1/processes/encs-2017/forums", status: http.StatusOK,
				contains: []string{`"slug":"igf-2017"`, `"slug":"borrador"`, `"status":"draft"`}},
			{name: "one, public", as: anon, method: "GET", url: fmt.Sprintf("/api/v1/forums/%d", public.ID), status: http.StatusOK,
				contains: []string{`"process":"encs-2017"`, `"starts_on":"2017-12-17"`}},
			{name: "a draft, public", as: anon, method: "GET", url: fmt.Sprintf("/api/v1/forums/%d", draft.ID), status: http.StatusNotFound},
			{name: "a draft, admin", as: admin, method: "GET", url: fmt.Sprintf("/api/v1/forums/%d", draft.ID), status: http.StatusOK},
			{name: "no such forum", as: anon, method: "GET", url: "/api/v1/forums/999999", status: http.StatusNotFound},
			{name: "not an id", as: anon, method: "GET", url: "/api/v1/forums/abc", status: http.StatusNotFound},
			{name: "forums of no such process", as: anon, method: "GET", url: "/api/v1/processes/nope/forums", status: http.StatusNotFound},
		})
	})
}
