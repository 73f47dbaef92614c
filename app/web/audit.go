package web

import (
	"context"
	"encoding/json"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/processes"
)

// auditLine is one audit entry as a person reads it: a sentence in their language.
type auditLine struct {
	At       time.Time
	Sentence string
}

func (s *Server) adminAudit(c *fiber.Ctx) error {
	page, offset := pageParam(c)
	entries, total, err := audit.List(c.UserContext(), s.DB, pageSize, offset)
	if err != nil {
		return err
	}
	lines, err := s.auditSentences(c.UserContext(), lang(c), entries)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "admin/audit", "admin.audit", &Page{
		Data: map[string]any{"Lines": lines, "Zone": s.viewerZone(c), "Total": total, "Page": page,
			"More": offset+int64(len(entries)) < total}})
}

// auditDetail is what actions write in an entry's detail.
type auditDetail struct {
	AccountID int64  `json:"account_id"`
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
	procs, err := processes.CodesByID(ctx, s.DB, processIDs)
	if err != nil {
		return nil, err
	}
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
	}
	return out, nil
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
