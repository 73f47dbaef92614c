// Package markdown shows the Markdown people write (minutes' summaries) as HTML: goldmark
// renders it without raw HTML, and bluemonday's policy for user content sanitises what comes
// out, so a summary can hold lists, emphasis and links but never a script or a style.
package markdown

import (
	"bytes"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Renderer renders and sanitises; one serves every request.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New makes a Renderer: CommonMark with tables, strikethrough and autolinks; links open as
// the reader's browser decides and carry rel="nofollow noopener".
func New() *Renderer {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	return &Renderer{md: goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify)), policy: p}
}

// HTML is src as safe HTML ("" for empty text).
func (r *Renderer) HTML(src string) template.HTML {
	if src == "" {
		return ""
	}
	var b bytes.Buffer
	if err := r.md.Convert([]byte(src), &b); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(r.policy.SanitizeBytes(b.Bytes())) //nolint:gosec // sanitised just above
}
