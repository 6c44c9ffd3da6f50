package scheduler

import "testing"

func TestFireQueueCoalescesFiresOfARunningRoom(t *testing.T) {
	q := newFireQueue()
	q.fire("a")
	q.fire("a") // still pending: one run covers both
	q.fire("b")

	room, ok := q.take()
	if !ok || room != "a" {
		t.Fatalf("take = %q, %v; want a, true", room, ok)
	}
	q.fire("a") // while a runs: one more run, after this one
	q.fire("a")
	if got := q.pending; len(got) != 1 || got[0] != "b" {
		t.Fatalf("pending while a runs = %q; want [b] (a must not run twice at once)", got)
	}
	q.done("a")

	var order []string
	for range 2 {
		room, ok := q.take()
		if !ok {
			t.Fatal("take: queue closed unexpectedly")
		}
		order = append(order, room)
		q.done(room)
	}
	if order[0] != "b" || order[1] != "a" {
		t.Fatalf("runs after a's first = %q; want [b a]", order)
	}
	if len(q.pending) != 0 || len(q.state) != 0 {
		t.Fatalf("queue not empty after all runs: pending %q, state %v", q.pending, q.state)
	}
}

func TestFireQueueCloseReleasesWorkersAndDropsPending(t *testing.T) {
	q := newFireQueue()
	q.fire("a")
	room, _ := q.take()
	q.fire("a")
	q.fire("b")
	q.close()

	if _, ok := q.take(); ok {
		t.Fatal("take after close returned a room")
	}
	q.done(room) // the run in flight ends after close: no rerun is queued
	if len(q.pending) != 0 {
		t.Fatalf("pending after close = %q; want none", q.pending)
	}
	q.fire("c")
	if len(q.pending) != 0 {
		t.Fatal("fire after close queued a room")
	}
}
