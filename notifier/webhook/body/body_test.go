package body

import (
	"errors"
	"strings"
	"testing"
)

func TestCompileRefusesBadTemplatesWithTheirPlace(t *testing.T) {
	cases := []struct {
		name, tmpl   string
		line, column int
		wanted       string
	}{
		{"unknown field", "{\n  \"text\": {{json .Nope}}\n}", 2, 18, "can't evaluate field Nope"},
		{"unknown function", `{"text": {{shout .Text}}}`, 1, 0, `function "shout" not defined`},
		{"unclosed action", "{\"a\": 1}\n{{if .Late}}", 2, 0, "unexpected EOF"},
		{"nil notice on an alert", `{"t": {{json .Notice.Title}}}`, 1, 0, "nil pointer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Compile(c.tmpl, true)
			var te *TemplateError
			if !errors.As(err, &te) {
				t.Fatalf("error %v is not a TemplateError", err)
			}
			if te.Line != c.line || (c.column != 0 && te.Column != c.column) || !strings.Contains(te.Msg, c.wanted) {
				t.Errorf("got line %d col %d %q, want line %d col %d %q", te.Line, te.Column, te.Msg, c.line, c.column, c.wanted)
			}
		})
	}
	_, err := Compile(`{"text": "{{.Title}}"}`, true)
	if err == nil || !strings.Contains(err.Error(), "{{json .Text}}") {
		t.Errorf("unescaped title inside JSON: %v", err)
	}
	if _, err := Compile(`text={{.Title}}`, false); err != nil {
		t.Errorf("a non-JSON body with a non-JSON Content-Type: %v", err)
	}
	if _, err := Compile(`{"t": {{json (printf "%070000d" 1)}}}`, true); err == nil || !strings.Contains(err.Error(), "cap") {
		t.Errorf("a body over the cap: %v", err)
	}
	if _, err := Compile(`{"t": {{if .Notice}}{{json .Notice.Title}}{{else}}{{json .Preview}}{{end}}}`, true); err != nil {
		t.Errorf("a template for alerts and notices: %v", err)
	}
}

func TestCheckHeader(t *testing.T) {
	for name, value := range map[string]string{"Authorization": "Bearer x", "X-Api-Key": "k", "content-type": "application/json"} {
		if err := CheckHeader(name, value); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, value := range map[string]string{"Bad Name": "x", "X-A": "a\r\nInjected: 1", "Host": "x", "x-roomwatch-signature": "x", "": "x"} {
		if err := CheckHeader(name, value); err == nil {
			t.Errorf("%q: %q accepted", name, value)
		}
	}
}
