// Package locale translates the interface: it loads the message catalogs (go-i18n TOML files
// under frontend/locales/<lang>/) and picks the viewer's language.
package locale

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/convene/convene/app/translated"
)

// Default is the language of last resort.
const Default = "es"

// Supported lists the interface languages, the default first.
func Supported() []string { return translated.Languages() }

// IsSupported tells whether lang is an interface language.
func IsSupported(lang string) bool { return translated.IsLanguage(lang) }

// Bundle holds every catalog, with one localizer per language.
type Bundle struct {
	localizers map[string]*i18n.Localizer
	ids        map[string]map[string]bool
	matcher    language.Matcher
	plain      sync.Map // lang + "\x00" + id → the message without data, made once
}

// Load reads every locales/<lang>/*.toml file of fsys. Each supported language must have the
// same message ids, so a string missing in one language fails start-up, not a page.
func Load(fsys fs.FS) (*Bundle, error) {
	b := i18n.NewBundle(language.Make(Default))
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	bl := &Bundle{localizers: map[string]*i18n.Localizer{}, ids: map[string]map[string]bool{}}
	var tags []language.Tag
	for _, lang := range Supported() {
		files, err := fs.Glob(fsys, path.Join(lang, "*.toml"))
		if err != nil || len(files) == 0 {
			return nil, fmt.Errorf("no catalogs for language %q", lang)
		}
		bl.ids[lang] = map[string]bool{}
		for _, f := range files {
			data, err := fs.ReadFile(fsys, f)
			if err != nil {
				return nil, fmt.Errorf("reading %s: %w", f, err)
			}
			// go-i18n takes the language from the file name; ours are named by folder.
			mf, err := b.ParseMessageFileBytes(data, strings.TrimSuffix(path.Base(f), ".toml")+"."+lang+".toml")
			if err != nil {
				return nil, fmt.Errorf("parsing %s: %w", f, err)
			}
			for _, m := range mf.Messages {
				if bl.ids[lang][m.ID] {
					return nil, fmt.Errorf("%s: message %q is defined twice", f, m.ID)
				}
				bl.ids[lang][m.ID] = true
			}
		}
		bl.localizers[lang] = i18n.NewLocalizer(b, lang)
		tags = append(tags, language.Make(lang))
	}
	if missing := bl.Missing(); len(missing) > 0 {
		return nil, fmt.Errorf("catalogs differ: %s", strings.Join(missing, "; "))
	}
	bl.matcher = language.NewMatcher(tags)
	return bl, nil
}

// Missing lists message ids present in one language and absent from another.
func (b *Bundle) Missing() []string {
	var out []string
	for _, a := range Supported() {
		for id := range b.ids[a] {
			for _, other := range Supported() {
				if !b.ids[other][id] {
					out = append(out, fmt.Sprintf("%q is in %s but not in %s", id, a, other))
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// Has tells whether id exists in the catalogs.
func (b *Bundle) Has(id string) bool { return b.ids[Default][id] }

// T translates id into lang, filling the template with data. An unknown id comes back as is,
// so a missing string shows up on the page and in tests instead of breaking the request.
func (b *Bundle) T(lang, id string, data map[string]any) string {
	if data == nil {
		key := lang + "\x00" + id
		if s, ok := b.plain.Load(key); ok {
			return s.(string)
		}
		s := b.localize(lang, id, nil)
		b.plain.Store(key, s)
		return s
	}
	return b.localize(lang, id, data)
}

// localize runs go-i18n: the message's template. Plurals are written in the message itself
// ({{if eq .N 1}}…{{else}}…{{end}}): go-i18n's plural forms, which a "Count" value asked for,
// made a message with only one form come back as its id when the count was 1.
func (b *Bundle) localize(lang, id string, data map[string]any) string {
	l, ok := b.localizers[lang]
	if !ok {
		l = b.localizers[Default]
	}
	s, err := l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// Negotiate picks the interface language: the account's setting, then the language switch
// (cookie), then Accept-Language, then the default.
func (b *Bundle) Negotiate(account, cookie, acceptLanguage string) string {
	for _, l := range []string{account, cookie} {
		if IsSupported(l) {
			return l
		}
	}
	if acceptLanguage != "" {
		tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
		if err == nil && len(tags) > 0 {
			_, idx, conf := b.matcher.Match(tags...)
			if conf != language.No {
				return Supported()[idx]
			}
		}
	}
	return Default
}
