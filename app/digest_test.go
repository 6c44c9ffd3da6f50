package app

import (
	"strings"
	"testing"

	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/rules"
)

func TestDigestListsAreCut(t *testing.T) {
	var l digestList
	rooms := []string{"9", "3", "7", "1", "5", "2", "8", "4", "6", "0", "11", "10", "12", "13"}
	for i := range 5 {
		for _, id := range rooms {
			l.add(digestEntry{rules.Room{ID: id + "-" + string(rune('a'+i))}, rules.Alert{Deadline: jst(25, 9+len(id), i)}})
		}
	}
	l.trim()
	if l.total != 5*len(rooms) || len(l.entries) != maxDigestEntries {
		t.Fatalf("kept %d of %d, want %d of %d", len(l.entries), l.total, maxDigestEntries, 5*len(rooms))
	}
	for i := 1; i < len(l.entries); i++ {
		if l.entries[i].alert.Deadline.Before(l.entries[i-1].alert.Deadline) {
			t.Fatalf("entries out of deadline order at %d", i)
		}
	}
	lines := Agenda{upcoming: l}.Lines(jst(25, 8, 30), &config.Config{Language: "en", Timezone: tokyo})
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "…and 60 more") {
		t.Errorf("last line %q, want the count of the rooms left out", last)
	}
}
