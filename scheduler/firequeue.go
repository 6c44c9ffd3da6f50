package scheduler

import "sync"

// fireState records where a room stands in the fire queue. A room can be
// running and wanted at once: it was fired again while its Fire was in flight.
type fireState uint8

const (
	fireWanted fireState = 1 << iota
	fireRunning
)

// fireQueue hands rooms to a fixed pool of workers so that any number of rooms
// coming due at once (a clock jump, a restart) costs a bounded number of
// goroutines, and a room is never inside Fire twice at the same time: firing a
// room that is running marks it wanted, and it runs once more when the
// current run ends, however many times it was fired meanwhile.
type fireQueue struct {
	mu      sync.Mutex
	wake    *sync.Cond
	pending []string // wanted rooms that are not running, oldest first
	state   map[string]fireState
	closed  bool
}

func newFireQueue() *fireQueue {
	q := &fireQueue{state: make(map[string]fireState)}
	q.wake = sync.NewCond(&q.mu)
	return q
}

// fire asks for one run of room's Fire; it never blocks on a running Fire.
func (q *fireQueue) fire(room string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	st := q.state[room]
	if st&fireWanted != 0 {
		return
	}
	q.state[room] = st | fireWanted
	if st&fireRunning == 0 {
		q.push(room)
	}
}

// take blocks until a room may run and marks it running; ok is false once the
// queue is closed, so a worker stops after its current Fire.
func (q *fireQueue) take() (room string, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.pending) == 0 && !q.closed {
		q.wake.Wait()
	}
	if q.closed {
		return "", false
	}
	room = q.pending[0]
	q.pending[0] = "" // let the string go with the slot
	q.pending = q.pending[1:]
	q.state[room] = fireRunning
	return room, true
}

// done ends room's run and queues the one extra run asked for meanwhile.
func (q *fireQueue) done(room string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.state[room]&fireWanted != 0 && !q.closed {
		q.state[room] = fireWanted
		q.push(room)
		return
	}
	delete(q.state, room)
}

// close drops what is still pending (the daemon's due index still holds it,
// so the next start catches it) and releases waiting workers.
func (q *fireQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.pending = nil
	q.wake.Broadcast()
}

func (q *fireQueue) push(room string) {
	q.pending = append(q.pending, room)
	q.wake.Signal()
}
