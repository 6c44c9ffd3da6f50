package scheduler

import (
	"container/heap"
	"time"
)

// latestFirst finds the held job that runs last, which gives up its job
// when MaxJobs is reached and an earlier step comes. It is a max-heap of
// (room, time) that is not told of removals: an entry whose room no longer
// holds that time is stale and dropped when it reaches the top, and the
// heap is rebuilt from the held jobs when stale entries outnumber them.
type latestFirst struct {
	entries latestEntries
}

type latestEntry struct {
	room string
	at   time.Time
}

type latestEntries []latestEntry

func (h latestEntries) Len() int           { return len(h) }
func (h latestEntries) Less(i, j int) bool { return h[i].at.After(h[j].at) }
func (h latestEntries) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *latestEntries) Push(x any)        { *h = append(*h, x.(latestEntry)) }
func (h *latestEntries) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// push records that room holds a job at at; held is the scheduler's map.
func (l *latestFirst) push(room string, at time.Time, held map[string]time.Time) {
	heap.Push(&l.entries, latestEntry{room, at})
	if len(l.entries) > 2*len(held)+64 {
		l.entries = l.entries[:0]
		for r, t := range held {
			l.entries = append(l.entries, latestEntry{r, t})
		}
		heap.Init(&l.entries)
	}
}

// top returns the held job that runs last; held must not be empty.
func (l *latestFirst) top(held map[string]time.Time) (string, time.Time) {
	for len(l.entries) > 0 {
		e := l.entries[0]
		if at, ok := held[e.room]; ok && at.Equal(e.at) {
			return e.room, e.at
		}
		heap.Pop(&l.entries)
	}
	// Unreachable while every held job was pushed; answer from the map
	// rather than fail.
	var room string
	var last time.Time
	for r, t := range held {
		if room == "" || t.After(last) {
			room, last = r, t
		}
	}
	return room, last
}
