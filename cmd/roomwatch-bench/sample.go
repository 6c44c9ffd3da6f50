package main

import (
	"fmt"
	"os"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// memSample is one reading of a daemon's memory, at some time after READY.
type memSample struct {
	after time.Duration
	mem   memory
}

// sampleMemory reads the memory of process pid every period, from now until
// the returned stop is called; stop returns the samples, the first taken at
// once. A failed read (the process gone) ends the sampling.
func sampleMemory(pid int, from time.Time, every time.Duration) (stop func() []memSample) {
	var mu sync.Mutex
	var samples []memSample
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			m, err := readMemory(pid)
			if err != nil {
				return
			}
			mu.Lock()
			samples = append(samples, memSample{after: time.Since(from), mem: m})
			mu.Unlock()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() []memSample {
		close(done)
		<-finished
		mu.Lock()
		defer mu.Unlock()
		return samples
	}
}

// peakSample is the sample with the highest RSS; the zero sample for none.
func peakSample(samples []memSample) memSample {
	var peak memSample
	for _, s := range samples {
		if s.mem.rss > peak.mem.rss {
			peak = s
		}
	}
	return peak
}

// storeSize is what a store file costs on disk: its size, and the bytes of
// the pages that hold data (the file less bbolt's free pages).
type storeSize struct {
	file, used int64
}

// measureStore reads the size of a store no daemon has open.
func measureStore(path string) (storeSize, error) {
	info, err := os.Stat(path)
	if err != nil {
		return storeSize{}, err
	}
	// PreLoadFreelist makes a read-only handle read the freelist, whose
	// count the free bytes come from.
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true, Timeout: time.Second})
	if err != nil {
		return storeSize{}, fmt.Errorf("reading the size of %s: %w", path, err)
	}
	defer db.Close()
	var size storeSize
	err = db.View(func(tx *bolt.Tx) error {
		size.used = tx.Size() - int64(db.Stats().FreePageN)*int64(db.Info().PageSize)
		return nil
	})
	size.file = info.Size()
	return size, err
}
