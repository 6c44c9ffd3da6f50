package message

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/roomwatch/roomwatch/rules"
)

// languages are the catalogue's languages, each with its Words.
var languages = map[string]*Words{English: &en, Japanese: &ja}

// TestEveryWordIsThere walks each language's catalogue and fails on an
// empty string anywhere in it, in a field, a map or an array, unless the
// field is tagged `words:"optional"`. It is the test that makes a missing
// word loud instead of a silent "" in an alert.
func TestEveryWordIsThere(t *testing.T) {
	for lang, words := range languages {
		if words.Lang != lang || For(lang) != words {
			t.Errorf("%s: the catalogue says it is %q", lang, words.Lang)
		}
		var walk func(path string, v reflect.Value)
		walk = func(path string, v reflect.Value) {
			switch v.Kind() {
			case reflect.String:
				if strings.TrimSpace(v.String()) == "" {
					t.Errorf("%s: %s is empty", lang, path)
				}
			case reflect.Struct:
				for i := range v.NumField() {
					f := v.Type().Field(i)
					if f.Tag.Get("words") == "optional" {
						continue
					}
					walk(path+"."+f.Name, v.Field(i))
				}
			case reflect.Map:
				if v.Len() == 0 {
					t.Errorf("%s: %s is empty", lang, path)
				}
				iter := v.MapRange()
				for iter.Next() {
					walk(fmt.Sprintf("%s[%v]", path, iter.Key()), iter.Value())
				}
			case reflect.Array, reflect.Slice:
				for i := range v.Len() {
					walk(fmt.Sprintf("%s[%d]", path, i), v.Index(i))
				}
			case reflect.Bool, reflect.Int:
			default:
				t.Errorf("%s: %s is a %s, which this test cannot check", lang, path, v.Kind())
			}
		}
		walk("Words", reflect.ValueOf(*words))
	}
}

// TestEveryLanguageHasTheSameEntries: the catalogue's maps have an entry for
// every kind, event and terms line, the same in every language, and a
// ready-to-send text is there in every language or in none.
func TestEveryLanguageHasTheSameEntries(t *testing.T) {
	for lang, words := range languages {
		for _, kind := range rules.Kinds {
			if _, ok := words.Kinds[kind]; !ok {
				t.Errorf("%s: no words for the kind %s", lang, kind)
			}
		}
		for _, e := range rules.EventKinds {
			if _, ok := words.Events[e]; !ok {
				t.Errorf("%s: no words for the event %s", lang, e)
			}
		}
		for _, l := range TermsLines {
			if _, ok := words.Terms.lines[l]; !ok {
				t.Errorf("%s: no words for the terms line %s", lang, l)
			}
		}
		if n, want := len(words.Kinds), len(rules.Kinds); n != want {
			t.Errorf("%s: %d kinds have words; rules has %d", lang, n, want)
		}
	}
	for _, kind := range rules.Kinds {
		if (en.Kinds[kind].Reply == "") != (ja.Kinds[kind].Reply == "") {
			t.Errorf("%s: a ready-to-send text in one language only", kind)
		}
	}
	// The variants keep the kind's action, so status reads alike.
	for lang, words := range languages {
		for kind, w := range words.Kinds {
			if w.Variant != (wording{}) && w.Variant.Action != w.Alert.Action {
				t.Errorf("%s/%s: the variant's action %q is not the kind's %q", lang, kind, w.Variant.Action, w.Alert.Action)
			}
		}
	}
}

// TestEveryKindInEveryLanguageHasWords goes through the package's own
// functions, as a backend does, so a kind missing from the catalogue shows
// as the words a seller would see.
func TestEveryKindInEveryLanguageHasWords(t *testing.T) {
	for lang := range languages {
		for _, kind := range rules.Kinds {
			if Action(kind, lang) == "" {
				t.Errorf("%s/%s: no action", lang, kind)
			}
			if lang == Japanese && KindLabel(kind, lang) == string(kind) {
				t.Errorf("%s/%s: the table shows the kind's name, not words", lang, kind)
			}
			a := Alert{Step: rules.Step{Alert: rules.Alert{Kind: kind, Room: "r1", Severity: rules.Warning}}}
			text := Render(a, lang, nil)
			if text.Preview == "" || text.Title == "" || slices.Contains(text.Lines, "") {
				t.Errorf("%s/%s: rendered with empty words: %+v", lang, kind, text)
			}
			if text.Action == string(kind) {
				t.Errorf("%s/%s: the action fell back to the kind's name", lang, kind)
			}
		}
	}
}

func TestForMapsEveryLanguage(t *testing.T) {
	for in, want := range map[string]*Words{"ja": &ja, " JA ": &ja, "en": &en, "": &en, "fr": &en} {
		if got := For(in); got != want {
			t.Errorf("For(%q) is %s", in, got.Lang)
		}
	}
}
