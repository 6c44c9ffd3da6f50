package rules

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestPick(t *testing.T) {
	env := Env{Policy: tokyoPolicy()}
	firstMessage := Steps(firstMessageAlert, env) // warn-24h, warn-3h, due
	checkIn := Steps(checkInAt(jst(2026, 11, 21, 11, 0)), env)
	other := Steps(Alert{Room: "4012399", Kind: CheckIn, Severity: Warning, Deadline: jst(2026, 11, 21, 11, 0)}, env)
	// The seller replied, the buyer wrote again: the same kind with a moved
	// deadline is another alert.
	moved := Steps(checkInAt(jst(2026, 11, 22, 9, 0)), env)
	all := slices.Concat(firstMessage, checkIn, other, moved)

	tests := []struct {
		name string
		due  []Step
		done []Step
		send []string
		skip []string
	}{
		{
			name: "catch-up: only the latest step of each alert goes out",
			due:  all,
			send: []string{
				"check-in/due@2026-11-21 11:00",
				"check-in/due@2026-11-21 11:00",
				"check-in/due@2026-11-22 09:00",
				"first-message/due@2026-11-22 10:00",
			},
			skip: []string{
				"first-message/warn-24h@2026-11-21 10:00",
				"first-message/warn-3h@2026-11-22 07:00",
			},
		},
		{
			name: "done steps are neither sent nor skipped again",
			due:  firstMessage[:2],
			done: firstMessage[:1],
			send: []string{"first-message/warn-3h@2026-11-22 07:00"},
			skip: []string{},
		},
		{
			name: "a done later step supersedes an earlier one",
			due:  firstMessage,
			done: firstMessage[2:],
			send: []string{},
			skip: []string{
				"first-message/warn-24h@2026-11-21 10:00",
				"first-message/warn-3h@2026-11-22 07:00",
			},
		},
		{
			name: "a step listed twice is decided once",
			due:  slices.Concat(firstMessage[1:], firstMessage[1:]),
			send: []string{"first-message/due@2026-11-22 10:00"},
			skip: []string{"first-message/warn-3h@2026-11-22 07:00"},
		},
		{
			name: "nothing due",
			send: []string{},
			skip: []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := map[string]bool{}
			for _, s := range tt.done {
				done[s.Key()] = true
			}
			isDone := func(key string) bool { return done[key] }
			send, skip := Pick(tt.due, func(s Step) bool { return isDone(s.Key()) })
			assertLines(t, describeSteps(send), tt.send)
			assertLines(t, describeSteps(skip), tt.skip)
			// The order is the same whatever order the steps came in.
			shuffled := slices.Clone(tt.due)
			rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) {
				shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
			})
			send2, skip2 := Pick(shuffled, func(s Step) bool { return isDone(s.Key()) })
			if !slices.EqualFunc(send, send2, sameKey) || !slices.EqualFunc(skip, skip2, sameKey) {
				t.Errorf("shuffled input changed the result: send %v, skip %v", describeSteps(send2), describeSteps(skip2))
			}
		})
	}
	send, _ := Pick(all, func(Step) bool { return false })
	if send[0].Room != "4012345" || send[1].Room != "4012399" {
		t.Errorf("equal steps of two rooms not ordered by room: %s, %s", send[0].Room, send[1].Room)
	}
}

func sameKey(a, b Step) bool { return a.Key() == b.Key() }
