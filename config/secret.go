package config

import (
	"fmt"
	"log/slog"
)

const redacted = "<secret>"

// Secret holds a credential. Every way of printing it — fmt verbs, JSON,
// YAML, slog — shows "<secret>", so a config dumped into a log or an error
// cannot leak a token; only Value gives the real text.
type Secret struct {
	value string
}

// NewSecret wraps a credential, for callers that build a Config by hand.
func NewSecret(value string) Secret { return Secret{value: value} }

// Value returns the credential itself, for the one place that sends it.
func (s Secret) Value() string { return s.value }

// IsZero reports whether no credential is set.
func (s Secret) IsZero() bool { return s.value == "" }

func (s Secret) String() string { return redacted }

// GoString covers %#v, which would otherwise print the struct's field.
func (s Secret) GoString() string { return redacted }

// Format covers every verb, including %x and %q, which bypass String for
// some types.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

func (s Secret) MarshalYAML() (any, error) { return redacted, nil }

func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }
