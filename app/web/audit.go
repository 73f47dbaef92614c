package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/web/form"
)

// auditLine is one audit entry as a person reads it: a sentence in their language, and what it
// was done to, named and linked.
type auditLine struct {
	At       time.Time
	Sentence string
	Object   string
	Link     string
}

func (s *Server) adminAudit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	page, offset := pageParam(c)
	f := form.Values(c, "process", "actor", "family")
	var filter audit.Filter
	procs, err := processes.List(ctx, s.DB, processes.ListFilter{})
	if err != nil {
		return err
	}
	for _, p := range procs {
		if p.Slug == f["process"] {
			filter.ProcessID = p.ID
		}
	}
	families, err := audit.Families(ctx, s.DB)
	if err != nil {
		return err
	}
	if slices.Contains(families, f["family"]) {
		filter.Family = f["family"]
	}
	filter.Actor = f["actor"]
	entries, total, err := audit.Find(ctx, s.DB, filter, pageSize, offset)
	if err != nil {
		return err
	}
	lines, err := s.auditSentences(ctx, lang(c), entries)
	if err != nil {
		return err
	}
	noCache(c)
	return s.page(c, fiber.StatusOK, "admin/audit", "admin.audit", &Page{Form: f,
		Data: map[string]any{"Lines": lines, "Zone": s.viewerZone(c), "Total": total, "Page": page,
			"More": offset+int64(len(entries)) < total, "Processes": procs, "Families": families,
			"Query": url0(map[string]string{"process": f["process"], "actor": f["actor"], "family": filter.Family})}})
}

// auditDetail is what actions write in an entry's detail.
type auditDetail struct {
	AccountID int64  `json:"account_id"`
	Forum     string `json:"forum"`   // a forum's slug
	Session   int64  `json:"session"` // a session's id, as the schedule writes it
	Role      string `json:"role"`
	SessionID int64  `json:"session_id"`
	Topic     string `json:"topic"`
	Admin     *bool  `json:"admin"`
	Slug      string `json:"slug"`
}

// auditSentences writes each entry as a sentence: "Ana gave Luis the organiser role in
// ENCS2017". The processes and accounts the page names are read once each.
func (s *Server) auditSentences(ctx context.Context, lang string, entries []audit.Entry) ([]auditLine, error) {
	details := make([]auditDetail, len(entries))
	var processIDs, accountIDs []int64
	for i, e := range entries {
		if e.Detail != "" {
			_ = json.Unmarshal([]byte(e.Detail), &details[i]) // an unreadable detail leaves names out
		}
		id, _ := strconv.ParseInt(e.ObjectID, 10, 64)
		switch e.ObjectType {
		case "process":
			processIDs = append(processIDs, id)
		case "account":
			accountIDs = append(accountIDs, id)
		}
		if details[i].AccountID != 0 {
			accountIDs = append(accountIDs, details[i].AccountID)
		}
	}
	byID, err := processes.ByIDs(ctx, s.DB, processIDs)
	if err != nil {
		return nil, err
	}
	procs, slugs := map[int64]string{}, map[int64]string{}
	for id, p := range byID {
		procs[id], slugs[id] = p.Code, p.Slug
	}
	seen := map[string]string{}
	names, err := accounts.NamesByID(ctx, s.DB, accountIDs)
	if err != nil {
		return nil, err
	}
	nameOf := func(id int64) string {
		if n, ok := names[id]; ok {
			return n
		}
		return s.Locale.T(lang, "audit.someone_deleted", nil)
	}
	out := make([]auditLine, len(entries))
	for i, e := range entries {
		d := details[i]
		actor := e.ActorName
		switch {
		case e.ActorID == nil && e.RequestID != "":
			actor = upperFirst(s.Locale.T(lang, "audit.someone_deleted", nil)) // acted in a request, since deleted
		case e.ActorID == nil:
			actor = s.Locale.T(lang, "admin.audit_system", nil)
		}
		id, _ := strconv.ParseInt(e.ObjectID, 10, 64)
		data := map[string]any{"Actor": actor, "Process": procs[id], "Topic": d.Topic, "ID": e.ObjectID}
		if d.Role != "" {
			data["Role"] = s.Locale.T(lang, "role."+d.Role+".noun", nil)
		}
		if d.AccountID != 0 {
			data["Account"] = nameOf(d.AccountID)
		}
		if e.ObjectType == "account" {
			data["Account"] = nameOf(id)
		}
		msg := "audit." + e.Action
		if d.Admin != nil {
			msg += "." + strconv.FormatBool(*d.Admin)
		}
		if !s.Locale.Has(msg) {
			msg = "audit.unknown"
			data["Action"] = e.Action
		}
		out[i] = auditLine{At: e.At, Sentence: s.Locale.T(lang, msg, data)}
		out[i].Object, out[i].Link = s.auditObject(ctx, lang, e, d, slugs[id], names, seen)
	}
	return out, nil
}

// auditObject names what an entry was done to, most precise first (a session, a forum, a
// registration, an account, a process), and links it; seen keeps the names already read.
func (s *Server) auditObject(ctx context.Context, lang string, e audit.Entry, d auditDetail, slug string, names map[int64]string,
	seen map[string]string) (string, string) {
	id, _ := strconv.ParseInt(e.ObjectID, 10, 64)
	session := d.SessionID
	if session == 0 {
		session = d.Session
	}
	read := func(key string, name func() (string, error)) string {
		if n, ok := seen[key]; ok {
			return n
		}
		n, err := name()
		if err != nil {
			n = ""
		}
		seen[key] = n
		return n
	}
	switch {
	case session != 0:
		title := read(fmt.Sprintf("session:%d", session), func() (string, error) {
			sv, err := forums.SessionByID(ctx, s.DB, session)
			return sv.Title.In(lang), err
		})
		if title != "" {
			return title, fmt.Sprintf("/sessions/%d", session)
		}
	case d.Forum != "":
		title := read("forum:"+d.Forum, func() (string, error) {
			f, err := forums.BySlug(ctx, s.DB, d.Forum)
			return f.Title.In(lang), err
		})
		if title != "" {
			return title, "/forums/" + d.Forum
		}
	case e.ObjectType == "forum":
		title := read("forum-id:"+e.ObjectID, func() (string, error) {
			f, err := forums.Get(ctx, s.DB, id)
			return f.Title.In(lang), err
		})
		if title != "" {
			return title, fmt.Sprintf("/admin/forums/%d", id)
		}
	case e.ObjectType == "registration":
		forum := read("registration:"+e.ObjectID, func() (string, error) {
			r, err := registration.InForum(ctx, s.DB, id)
			return strconv.FormatInt(r.ForumID, 10), err
		})
		if forum != "" {
			return s.Locale.T(lang, "admin.audit_registration", map[string]any{"ID": id}), "/admin/forums/" + forum + "/registrants"
		}
	case e.ObjectType == "account":
		if n, ok := names[id]; ok {
			return n, "/admin/accounts?q=" + url.QueryEscape(n)
		}
	}
	if e.ObjectType == "process" && slug != "" {
		return slug, "/admin/processes/" + slug
	}
	return "", ""
}

// viewerZone is the viewer's time zone: their profile's, else UTC.
func (s *Server) viewerZone(c *fiber.Ctx) string {
	if a := account(c); a != nil && a.TimeZone != "" {
		return a.TimeZone
	}
	return "UTC"
}

// lowerFirst starts a phrase that no longer leads its sentence in lower case.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// upperFirst starts a sentence with a capital, for a phrase that may lead one.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
