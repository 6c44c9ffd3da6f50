package config

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestStoreRetention(t *testing.T) {
	const day = 24 * time.Hour
	for _, tc := range []struct {
		name, yaml string
		store      string // relative to the file's folder
		retention  time.Duration
	}{
		{"default", "store: data/rw.db\n", "data/rw.db", DefaultRetention},
		{"no store key", "language: en\n", "roomwatch.db", DefaultRetention},
		{"mapping", "store:\n  path: rw.db\n  retention: 365d\n", "rw.db", 365 * day},
		{"path alone", "store: {path: rw.db}\n", "rw.db", DefaultRetention},
		{"retention alone", "store: {retention: 90d}\n", "roomwatch.db", 90 * day},
		{"none keeps everything", "store: {retention: none}\n", "roomwatch.db", 0},
		{"hours", "store: {retention: 2400h}\n", "roomwatch.db", 100 * day},
		// A shorter rating window lowers the floor to the next longest.
		{"profile override", "profiles: {coconala: {rating_window: 20d}}\nstore: {retention: 30d}\n", "roomwatch.db", 30 * day},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustLoad(t, tc.yaml)
			if want := filepath.Join(filepath.Dir(c.Path), tc.store); c.Store != want {
				t.Errorf("Store = %q, want %q", c.Store, want)
			}
			if c.Retention != tc.retention {
				t.Errorf("Retention = %v, want %v", c.Retention, tc.retention)
			}
		})
	}
	if d := Default().Retention; d != DefaultRetention {
		t.Errorf("the embedded defaults keep %v, want %v", d, DefaultRetention)
	}
}

func TestStoreRetentionRefusedWithItsPlace(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"below the longest rating window", "store:\n  path: rw.db\n  retention: 60d\n",
			[]string{"3:14: retention: 60d is too short: use at least 90d (the longest window after a room ends: coconala rating_window), or none to switch it off"}},
		{"below a month", "profiles: {coconala: {rating_window: 10d}, crowdworks: {rating_window: 14d}}\nstore: {retention: 20d}\n",
			[]string{"2:20: retention: 20d is too short: use at least 30d (a month of history at the least), or none to switch it off"}},
		{"bad form", "store:\n  retention: half a year\n",
			[]string{`2:14: retention: bad duration "half a year": use Go units (90m, 72h, 1h30m), days (90d, 1d12h) or none to switch it off`}},
		{"negative", "store: {retention: -5d}\n", []string{`1:20: retention: bad duration "-5d": use Go units (90m, 72h, 1h30m), days (90d, 1d12h) or none to switch it off`}},
		{"unknown key", "store: {path: a.db, keep: 90d}\n", nil},
		{"a list", "store: [a.db]\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := loadErrors(t, tc.yaml)
			if tc.want != nil && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("errors =\n%q\nwant\n%q", got, tc.want)
			}
			if len(got) != 1 {
				t.Errorf("errors = %q, want one", got)
			}
		})
	}
}
