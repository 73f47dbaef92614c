// Package translated holds Text, the one type for content that carries several languages
// (titles, descriptions, topic names): a map from language tag to text, stored as JSON.
package translated

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Languages are the languages Convene speaks, for its interface and for content alike; the
// first is the default.
func Languages() []string { return []string{"es", "en"} }

// IsLanguage tells whether lang is one of Languages.
func IsLanguage(lang string) bool { return slices.Contains(Languages(), lang) }

// Text maps a language tag ("es", "en") to the text in that language.
type Text map[string]string

// In returns the text in lang, else in the first of fallbacks that has one, else any.
func (t Text) In(lang string, fallbacks ...string) string {
	if s := t[lang]; s != "" {
		return s
	}
	for _, f := range fallbacks {
		if s := t[f]; s != "" {
			return s
		}
	}
	for _, l := range slices.Sorted(maps.Keys(t)) {
		if t[l] != "" {
			return t[l]
		}
	}
	return ""
}

// Missing lists the languages of langs that have no (non-blank) text.
func (t Text) Missing(langs []string) []string {
	var out []string
	for _, l := range langs {
		if strings.TrimSpace(t[l]) == "" {
			out = append(out, l)
		}
	}
	return out
}

// Trimmed returns a copy with surrounding space removed and blank entries dropped.
func (t Text) Trimmed() Text {
	out := Text{}
	for l, s := range t {
		if s = strings.TrimSpace(s); s != "" {
			out[l] = s
		}
	}
	return out
}

// Value stores Text as a JSON object (jsonb on PostgreSQL, text on SQLite).
func (t Text) Value() (driver.Value, error) {
	if t == nil {
		return "{}", nil
	}
	b, err := json.Marshal(map[string]string(t))
	if err != nil {
		return nil, fmt.Errorf("encoding translated text: %w", err)
	}
	return string(b), nil
}

// Scan reads Text from a JSON column.
func (t *Text) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*t = Text{}
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return errors.New("translated text: unsupported column type")
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("decoding translated text: %w", err)
	}
	*t = m
	return nil
}
